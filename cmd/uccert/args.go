package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/urfave/cli/v2"
)

// defaultLauncher starts a startup.bat line when --launcher is not given.
const defaultLauncher = "ucc-launcher.exe"

func argsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "args",
		Usage: "print the connector's -cert_store_*/-key_store_*/-krb_conf_file arguments",
		UsageText: "uccert args [--mode mtls|tls-kerberos] --cert-store FILE [--cert-store-pass SRC] [--cert-store-type T]\n" +
			"            [--key-store FILE [--key-store-pass SRC] [--key-store-type T]] [--krb5 FILE]\n" +
			"            [--format genesys|bat|json] [--launcher 'LINE'] [--remote-dir DIR] [--redact]",
		Description: `Prints the arguments exactly as the connector expects them, in its order:
-cert_store_file P -cert_store_pass S -cert_store_type T, then -key_store_file P
-key_store_pass S -key_store_type T, then -krb_conf_file P. The type is always printed,
from the file's content when it exists (a store whose password is given must open
with it), else from --*-type or the extension.

Formats: genesys (default) is one line for Genesys Administrator's Command Line
Arguments field (values with spaces or " are double-quoted, Windows rules); bat is the
whole startup.bat line, --launcher first, escaped for cmd.exe (% as %%, values with
spaces or & | < > ^ ( ) quoted); json is {"mode":"mtls","args":[...]}.

--remote-dir DIR prints each path as DIR joined with the file's name, in DIR's
separator style, for files that move to the connector host. --redact prints the
passwords as ********. This command exists to print passwords: keep its output safe.

EXAMPLES:
   uccert args --cert-store ucc-keys.jks --cert-store-pass prompt --key-store ucc-trust.jks --key-store-pass prompt
   uccert args --format bat --launcher 'ucc-launcher.exe -host cfgsrv -port 2020 -app UCC -l "C:\GCTI\license.dat" -http_port 8080' \
               --remote-dir 'C:\Program Files\GCTI\ucc' --cert-store ucc-keys.p12 --cert-store-pass env:KS \
               --key-store ucc-trust.jks --key-store-pass env:TS
   uccert args --mode tls-kerberos --cert-store trust.jks --cert-store-pass env:TS --krb5 krb5.conf --redact

` + passwordSources + exitCodes,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "mode", Value: "mtls", Usage: "`MODE`: mtls or tls-kerberos"},
			&cli.StringFlag{Name: "cert-store", Usage: "the -cert_store_file `FILE`"},
			&cli.StringFlag{Name: "cert-store-pass", Usage: "its password `SRC`"},
			&cli.StringFlag{Name: "cert-store-type", Usage: "its `TYPE` when the file does not exist yet"},
			&cli.StringFlag{Name: "key-store", Usage: "the -key_store_file `FILE`"},
			&cli.StringFlag{Name: "key-store-pass", Usage: "its password `SRC`"},
			&cli.StringFlag{Name: "key-store-type", Usage: "its `TYPE` when the file does not exist yet"},
			&cli.StringFlag{Name: "krb5", Usage: "the -krb_conf_file `FILE`"},
			&cli.StringFlag{Name: "format", Value: "genesys", Usage: "`FORMAT`: genesys, bat or json"},
			&cli.StringFlag{Name: "launcher", Value: defaultLauncher, Usage: "the start of the startup.bat `LINE` (--format bat)"},
			&cli.StringFlag{Name: "remote-dir", Usage: "print paths as `DIR` joined with the file names"},
			&cli.BoolFlag{Name: "redact", Usage: "print passwords as ********"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout (the same as --format json)"},
		},
		Action: func(c *cli.Context) error { return runArgs(c, e) },
	}
}

func runArgs(c *cli.Context, e *env) error {
	if c.NArg() > 0 {
		return usagef("args takes no positional arguments (got %q)", c.Args().First())
	}
	mode, err := connector.ParseMode(c.String("mode"))
	if err != nil {
		return usagef("--mode: %s", err.Error())
	}
	format, err := connector.ParseFormat(c.String("format"))
	if err != nil {
		return usagef("--format: %s", err.Error())
	}
	if c.Bool("json") {
		if c.IsSet("format") && format != connector.JSON {
			return usagef("--json and --format %s exclude each other", format)
		}
		format = connector.JSON
	}
	if c.String("cert-store") == "" {
		return usagef("args: --cert-store FILE is required")
	}
	if dir := c.String("remote-dir"); strings.ContainsAny(dir, `'"`) {
		return usagef("--remote-dir %s: the folder still holds quote characters (cmd.exe does not take ' as a quote, and quotes inside other quotes are kept); give it with one pair of double quotes: --remote-dir \"%s\"", esc(dir), esc(strings.Trim(dir, `'" `)))
	}
	if mode == connector.ModeTLSKerberos && c.String("krb5") == "" {
		return usagef("tls-kerberos mode needs --krb5 FILE")
	}
	if mode == connector.ModeMTLS && c.String("krb5") != "" && c.String("key-store") == "" {
		// Without a key store the connector reads -krb_conf_file as
		// tls-kerberos (connector.DecideMode); beside one, mtls stays.
		return usagef("--krb5 without --key-store is tls-kerberos mode: add --mode tls-kerberos (in mtls mode, --krb5 goes with the key store, the trust store)")
	}
	if c.String("key-store") == "" && (c.IsSet("key-store-pass") || c.IsSet("key-store-type")) {
		return usagef("--key-store-pass and --key-store-type need --key-store FILE")
	}
	if err := checkSources("password options", c.String("cert-store-pass"), c.String("key-store-pass")); err != nil {
		return err
	}
	redact := c.Bool("redact")
	pw := newPasswords(e)
	var a connector.Args
	for _, role := range []struct {
		name string
		st   *connector.StoreArgs
	}{{"cert-store", &a.CertStore}, {"key-store", &a.KeyStore}} {
		path := c.String(role.name)
		if path == "" {
			continue
		}
		st := connector.StoreArgs{File: path}
		if t := c.String(role.name + "-type"); t != "" {
			f, err := keystore.ParseFormat(t)
			if err != nil {
				return usagef("--%s-type: %s", role.name, err.Error())
			}
			st.Type = f.String()
		}
		// With --redact and no password option the password is printed
		// as ******** anyway: the store is read for its type only.
		if src := c.String(role.name + "-pass"); !redact || src != "" {
			p, err := pw.get(src, "--"+role.name+"-pass", "password for "+filepath.Base(path))
			if err != nil {
				return err
			}
			st.Pass, st.HasPass = p, true
		}
		*role.st = st
	}
	a.KrbConf = c.String("krb5")
	resolved, _, err := connector.Resolve(&a, connector.CheckOptions{Mode: mode})
	if errors.Is(err, connector.ErrNoType) {
		return usagef("%s; give --cert-store-type or --key-store-type", err.Error())
	}
	if err != nil {
		return err
	}
	if redact {
		resolved.CertStore.HasPass = true
		if resolved.KeyStore.File != "" {
			resolved.KeyStore.HasPass = true
		}
	}
	if c.String("remote-dir") == "" {
		for _, p := range []string{resolved.CertStore.File, resolved.KeyStore.File, resolved.KrbConf} {
			if p != "" && !filepath.IsAbs(p) {
				fmt.Fprintf(e.stderr, "warning: %s is a relative path: the connector resolves it against its own working folder; give --remote-dir DIR (the folder on the connector host) or an absolute path\n", esc(p))
			}
		}
	}
	if dir := c.String("remote-dir"); dir != "" {
		resolved.CertStore.File = connector.RemotePath(dir, resolved.CertStore.File)
		if resolved.KeyStore.File != "" {
			resolved.KeyStore.File = connector.RemotePath(dir, resolved.KeyStore.File)
		}
		if resolved.KrbConf != "" {
			resolved.KrbConf = connector.RemotePath(dir, resolved.KrbConf)
		}
	}
	tokens := resolved.Tokens()
	if redact {
		tokens = connector.Redact(tokens)
	}
	var out string
	switch format {
	case connector.Bat:
		out, err = connector.FormatBat(c.String("launcher"), tokens)
		if err == nil && !isASCII(c.String("launcher")+strings.Join(resolved.Tokens(), "")) {
			fmt.Fprintln(e.stderr, "warning: the line holds characters beyond ASCII (in a password or a path): cmd.exe reads startup.bat in the console's OEM code page and would pass the connector other characters; make `chcp 65001 >nul` the first line of startup.bat and save the file as UTF-8 without a byte-order mark")
		}
	case connector.JSON:
		var b []byte
		b, err = connector.FormatJSON(mode, tokens)
		out = string(b)
	default:
		out, err = connector.FormatGenesys(tokens)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, out)
	return nil
}

// isASCII reports whether s holds ASCII characters only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
