package main

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/urfave/cli/v2"
)

func mergeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "merge Front End exports into one JKS or PKCS#12 key store",
		ArgsUsage: "INPUT...",
		UsageText: "uccert merge -o OUT [--type jks|pkcs12] [--out-pass SRC] [--in-pass SRC]... [--in-key-pass SRC]...\n" +
			"             [--alias NAME]... [--append [--replace]|--force] [--lock-timeout DURATION] [--compat modern|legacy]\n" +
			"             [--host FQDN] [--fe FQDN]... [--drop-secrets] [--json] INPUT...",
		Description: `Every private key of every INPUT (PKCS#12 .pfx/.p12 from MMC, OpenSSL, NSS or keytool;
JKS; PEM key + chain) becomes one key entry of OUT with its full chain, and its key is
protected by OUT's store password — the password Java's KeyManagerFactory uses, so the
keytool -destkeypass trap cannot happen. Trusted entries are carried over.

Aliases: --alias in entry order; else the leaf's first DNS name, else its CN, else the
input's friendlyName, else the file name (lower-case). The same certificate twice is
kept once; different certificates that would share an alias get -2, -3...; both are
reported. No entry is dropped silently. OUT is written atomically and read back.

Keys TLS cannot use (DSA, GOST) are carried over as they are, with a key-weak warning;
a key without its certificate is refused. Java secret keys (AES, HMAC) are carried into
PKCS#12; JKS cannot hold them, so a JKS OUT refuses them unless --drop-secrets.

--in-pass and --in-key-pass pair with the INPUTs in order; given once, they apply to
all. --in-key-pass is the key password of a JKS whose keys are not protected by its
store password (keytool's -srckeypass).

Renewal: with --append --replace, a new key entry replaces the entries of OUT that it
supersedes — those that serve one of its names (DNS names, else a host-name CN), have
the same key algorithm (RSA, EC), and whose every name the new certificate serves too
(Front Ends that share only the pool's name never replace each other). The new entry
takes the alias of the entry it replaces, when it replaces one (unless --alias gives
one), so a configuration that names the alias stays valid. Each replacement is printed:
old alias, serial and not-after → new. Without --replace, an entry added for names an
entry of OUT serves already is kept beside it, with a warning.

EXAMPLES:
   # Two Front End exports into a JKS (the deployment guide's procedure):
   uccert merge -o ucc-keys.jks --in-pass env:FE1_PASS --in-pass env:FE2_PASS --out-pass prompt fe1.pfx fe2.pfx
   # The same as PKCS#12 readable by JREs older than 8u301:
   uccert merge -o ucc-keys.p12 --compat legacy --in-pass prompt --out-pass file:store.pass fe1.pfx fe2.pfx
   # Repair a store made with keytool without -destkeypass:
   uccert merge -o fixed.jks --in-pass prompt --in-key-pass prompt --out-pass prompt old.jks
   # Add a third Front End to an existing store, warning about names:
   uccert merge -o ucc-keys.jks --append --out-pass prompt --in-pass prompt --fe fe3.pool.example.com fe3.pfx
   # Renew: the new fe1 export replaces the old fe1 entry (same alias):
   uccert merge -o ucc-keys.jks --append --replace --out-pass prompt --in-pass prompt fe1-2027.pfx

` + passwordSources + exitCodes,
		Flags: append(outputFlags(),
			&cli.StringSliceFlag{Name: "in-pass", KeepSpace: true, Usage: "password `SRC` of the INPUTs (once for all, or once per INPUT)"},
			&cli.StringSliceFlag{Name: "in-key-pass", KeepSpace: true, Usage: "key password `SRC` of JKS INPUTs whose keys have their own password"},
			&cli.StringSliceFlag{Name: "alias", KeepSpace: true, Usage: "alias `NAME` of the new key entries, in order"},
			&cli.StringFlag{Name: "compat", Usage: "PKCS#12 `PROFILE`: modern (keytool 17: AES-256, SHA-256 MAC) or legacy (3DES, SHA-1 MAC: JREs before 8u301); default: modern, with --append the one OUT has"},
			&cli.StringFlag{Name: "host", Usage: "the connector host's `FQDN`: warn about entries that match neither it nor an --fe"},
			&cli.StringSliceFlag{Name: "fe", KeepSpace: true, Usage: "a Front End `FQDN` (repeatable): warn about entries that match none"},
			&cli.BoolFlag{Name: "replace", Usage: "with --append: a new key entry replaces the entries of OUT for the same names and key algorithm (renewal)"},
			&cli.BoolFlag{Name: "drop-secrets", Usage: "JKS output: leave out the inputs' secret keys (Java SecretKeyEntry), naming each in a note; without it they are refused, since only PKCS#12 holds them"},
		),
		Action: func(c *cli.Context) error { return runMerge(c, e) },
	}
}

func runMerge(c *cli.Context, e *env) error {
	inputs := c.Args().Slice()
	if len(inputs) == 0 {
		return usagef("merge: no INPUT given")
	}
	out, err := parseOutput(c)
	if err != nil {
		return err
	}
	replace := c.Bool("replace")
	if replace && !out.append {
		return usagef("--replace replaces entries of an existing store: give it with --append")
	}
	inPass, inKeyPass := c.StringSlice("in-pass"), c.StringSlice("in-key-pass")
	if err := checkPairing("--in-pass", inPass, len(inputs)); err != nil {
		return err
	}
	if err := checkPairing("--in-key-pass", inKeyPass, len(inputs)); err != nil {
		return err
	}
	aliases, err := checkAliases(c.StringSlice("alias"))
	if err != nil {
		return err
	}
	all := append(append([]string{out.passSrc}, inPass...), inKeyPass...)
	if err := checkSources("password options", all...); err != nil {
		return err
	}
	host, fes, err := hostNames(c)
	if err != nil {
		return err
	}
	if err := out.check(); err != nil {
		return err
	}
	pw := newPasswords(e)
	ins, err := loadInputs(e, pw, inputs, "--in-pass", inPass, inKeyPass, true)
	if err != nil {
		return mergeAdvice(err)
	}
	password, err := out.password(pw)
	if err != nil {
		return err
	}
	var res *merge.Result
	err = out.write(c.Context, e, password, func(base *keystore.Store) (*keystore.Store, error) {
		var err error
		res, err = merge.Merge(ins, merge.Options{Aliases: aliases, Base: base, BaseName: out.path, Format: out.format, Host: host, FEs: fes, Now: e.now(), Replace: replace,
			DropSecrets: c.Bool("drop-secrets")})
		if err != nil {
			return nil, err
		}
		return res.Store, nil
	})
	if err != nil {
		return mergeAdvice(err)
	}
	return renderResult(e, c.Bool("json"), roleCertStore, out, res, replace)
}

// mergeAdvice adds to a library error what the user can do about it on
// this command line.
func mergeAdvice(err error) error {
	switch {
	case errors.Is(err, keystore.ErrKeyPassword):
		return fmt.Errorf("%w (give the key password with --in-key-pass)", err)
	case errors.Is(err, keystore.ErrNoCertificate):
		return fmt.Errorf("%w (put the key and its certificate chain in one PEM or PKCS#12 file)", err)
	case errors.Is(err, merge.ErrReplyMissing) || errors.Is(err, merge.ErrKeyMissing):
		return pairAdvice(err)
	case errors.Is(err, merge.ErrSecretKeys):
		return fmt.Errorf("%w; write PKCS#12 (--type pkcs12, or an OUT ending in .p12) to keep them, or leave them out with --drop-secrets", err)
	case errors.Is(err, merge.ErrNoKeys):
		return fmt.Errorf("%w; merge takes the exports that hold private keys — for CA certificates build the trust store: uccert truststore -o TRUST.jks --out-pass env:VAR CA.cer", err)
	}
	return err
}

func checkAliases(aliases []string) ([]string, error) {
	seen := map[string]bool{}
	for _, a := range aliases {
		if a == "" {
			return nil, usagef("--alias: empty alias")
		}
		if !utf8.ValidString(a) {
			return nil, usagef("--alias %s: not valid UTF-8", esc(a))
		}
		if esc(a) != a {
			return nil, usagef("--alias %s: control or bidirectional formatting characters are not allowed in an alias", esc(a))
		}
		if strings.TrimSpace(a) != a {
			return nil, usagef("--alias %q: leading or trailing white space would be part of the alias; give the alias without it", a)
		}
		if seen[a] {
			return nil, usagef("--alias %q given twice", a)
		}
		seen[a] = true
	}
	return aliases, nil
}
