package main

import (
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/urfave/cli/v2"
)

func truststoreCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "truststore",
		Usage:     "build a trust store from CA certificates",
		ArgsUsage: "CERTFILE...",
		UsageText: "uccert truststore -o OUT [--type jks|pkcs12] [--out-pass SRC] [--in-pass SRC]... [--alias NAME]... [--append|--force] [--lock-timeout DURATION] [--json] CERTFILE...",
		Description: `Makes one trusted-certificate entry per distinct certificate (by SHA-256) of the
CERTFILEs: DER (.cer/.crt/.der, as AD CS web enrollment downloads them), PEM (one or
many), PKCS#7 (.p7b/.p7c, DER or PEM: the whole chain), and the certificates of JKS
and PKCS#12 files (--in-pass gives their passwords). Aliases: --alias in order, else
the CN lower-cased with spaces as '-', made unique. Warns about certificates that are
not CAs or are expired. PKCS#12 trust stores carry Java's trusted-certificate
attribute, so Java lists the entries as trustedCertEntry. OUT is written atomically.

EXAMPLES:
   # The deployment guide's keytool -import -alias ucc-cert -file CA.cer -keystore trust.jks:
   uccert truststore -o trust.jks --alias ucc-cert --out-pass prompt CA.cer
   # The whole chain from AD CS web enrollment:
   uccert truststore -o trust.jks --out-pass env:TRUST_PASS certnew.p7b
   # Add another CA to an existing trust store:
   uccert truststore -o trust.jks --append --out-pass prompt other-ca.cer

` + passwordSources + exitCodes,
		Flags: append(outputFlags(),
			&cli.StringSliceFlag{Name: "in-pass", KeepSpace: true, Usage: "password `SRC` of JKS/PKCS#12 CERTFILEs and of PEM files with an encrypted key (once for all, or once per CERTFILE)"},
			&cli.StringSliceFlag{Name: "alias", KeepSpace: true, Usage: "alias `NAME` of the new entries, in order"},
		),
		Action: func(c *cli.Context) error { return runTruststore(c, e) },
	}
}

func runTruststore(c *cli.Context, e *env) error {
	inputs := c.Args().Slice()
	if len(inputs) == 0 {
		return usagef("truststore: no CERTFILE given")
	}
	out, err := parseOutput(c)
	if err != nil {
		return err
	}
	inPass := c.StringSlice("in-pass")
	if err := checkPairing("--in-pass", inPass, len(inputs)); err != nil {
		return err
	}
	aliases, err := checkAliases(c.StringSlice("alias"))
	if err != nil {
		return err
	}
	if err := checkSources("password options", append([]string{out.passSrc}, inPass...)...); err != nil {
		return err
	}
	if err := out.check(); err != nil {
		return err
	}
	pw := newPasswords(e)
	ins, err := loadInputs(e, pw, inputs, "--in-pass", inPass, nil, false)
	if err != nil {
		return err
	}
	password, err := out.password(pw)
	if err != nil {
		return err
	}
	var res *merge.Result
	err = out.write(c.Context, e, password, func(base *keystore.Store) (*keystore.Store, error) {
		var err error
		res, err = merge.TrustStore(ins, merge.TrustOptions{Aliases: aliases, Base: base, BaseName: out.path, Format: out.format, Now: e.now()})
		if err != nil {
			return nil, err
		}
		return res.Store, nil
	})
	if err != nil {
		return err
	}
	return renderResult(e, c.Bool("json"), roleKeyStore, out, res, false)
}
