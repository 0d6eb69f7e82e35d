package main

import (
	"fmt"
	"strings"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/urfave/cli/v2"
)

func inspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "list the entries of keystores and certificate files",
		ArgsUsage: "FILE...",
		UsageText: "uccert inspect [--pass SRC]... [--type jks|pkcs12] [--text] [--json] FILE...",
		Description: `Reads JKS and PKCS#12 stores (.jks, .pfx, .p12: OpenSSL, keytool, Windows and NSS
exports) and certificate files (DER .cer/.crt, PEM, PKCS#7 .p7b) and lists each entry:
alias, kind (key, trusted, cert), subject, issuer, DNS names, validity, key algorithm
and size, chain length and SHA-256 fingerprint.

Store passwords come from --pass (SRC below). One --pass applies to every file; several pair with the files in order. Without
--pass uccert prompts on a terminal. Files without a password ignore it.

EXAMPLES:
   uccert inspect CA.cer chain.p7b
   uccert inspect --pass env:PFX_PASS fe1.pfx
   uccert inspect --pass prompt --text ucc-keys.jks
   uccert inspect --json --pass file:store.pass ucc-keys.p12 | jq '.files[].entries[].alias'

` + passwordSources + exitCodes,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "pass", KeepSpace: true, Usage: "store password `SRC`, or of a PEM file's encrypted key (pass:, env:, file:, stdin, prompt); once for all files or once per file"},
			&cli.StringFlag{Name: "type", Usage: "expected store `TYPE` (jks or pkcs12); a file of another type is an error"},
			&cli.BoolFlag{Name: "text", Usage: "add the full certificate text"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout"},
		},
		Action: func(c *cli.Context) error { return runInspect(c, e) },
	}
}

type inspectFile struct {
	File    string      `json:"file"`
	Type    string      `json:"type,omitempty"`
	Entries []entryInfo `json:"entries,omitempty"`
	// Notes are what the reader saw and did not turn into entries.
	Notes []string `json:"notes,omitempty"`
	// Error is set, instead of the rest, for a file that could not be read.
	Error *errorInfo `json:"error,omitempty"`
}

func runInspect(c *cli.Context, e *env) error {
	files := c.Args().Slice()
	if len(files) == 0 {
		return usagef("inspect: no FILE given")
	}
	passes := c.StringSlice("pass")
	if err := checkSources("--pass", passes...); err != nil {
		return err
	}
	var want keystore.Format
	if t := c.String("type"); t != "" {
		f, err := keystore.ParseFormat(t)
		if err != nil {
			return usagef("--type: %s", err.Error())
		}
		want = f
	}
	if err := checkPairing("--pass", passes, len(files)); err != nil {
		return err
	}
	pw := newPasswords(e)
	all, err := loadEach(e, pw, files, "--pass", passes, nil, false, true)
	if err != nil {
		return err
	}
	// Every file is reported; one that cannot be read does not stop the
	// others (exit 1 at the end).
	out := make([]inspectFile, 0, len(all))
	failed := 0
	for _, l := range all {
		if l.err == nil && want != keystore.FormatUnknown && l.store.Format != want {
			l.err = withFile(l.path, fmt.Errorf("%s: %w: the file is %s, not %s", l.path, keystore.ErrTypeMismatch, l.store.Format, want))
		}
		f := inspectFile{File: l.path}
		if l.err != nil {
			failed++
			info := describeError(l.err)
			f.Error = &info
		} else {
			f.Type = l.store.Format.String()
			f.Notes = append([]string{}, l.store.Notes...)
			f.Entries = []entryInfo{}
			for _, en := range l.store.Entries {
				f.Entries = append(f.Entries, describe(en))
			}
		}
		out = append(out, f)
	}
	if c.Bool("json") {
		if err := writeJSON(e.stdout, struct {
			OK    bool          `json:"ok"`
			Files []inspectFile `json:"files"`
		}{failed == 0, out}); err != nil {
			return err
		}
	} else {
		for i, f := range out {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			if f.Error != nil {
				fmt.Fprintf(e.stderr, "uccert: %s\n", esc(all[i].err.Error()))
				continue
			}
			s := all[i].store
			renderStoreHeader(e, f.File, s)
			for j, info := range f.Entries {
				renderEntry(e, info)
				if c.Bool("text") {
					for _, cert := range s.Entries[j].Chain {
						for _, l := range certLines(cert) {
							fmt.Fprintln(e.stdout, "      "+esc(l))
						}
					}
				}
			}
		}
	}
	if failed > 0 {
		return &silentError{code: exitFailure}
	}
	return nil
}

func renderStoreHeader(e *env, path string, s *keystore.Store) {
	detail := s.Format.String()
	if s.Protection != "" {
		detail += ", MAC " + s.Protection
	}
	fmt.Fprintf(e.stdout, "%s (%s): %d %s\n", esc(path), detail, len(s.Entries), plural(len(s.Entries), "entry", "entries"))
	for _, n := range s.Notes {
		fmt.Fprintf(e.stdout, "  note: %s\n", esc(n))
	}
}

func renderEntry(e *env, info entryInfo) {
	alias := info.Alias
	if alias == "" {
		alias = "(no alias)"
	}
	fmt.Fprintf(e.stdout, "  %s  [%s]\n", esc(alias), info.Kind)
	row := func(k, v string) { fmt.Fprintf(e.stdout, "    %-9s %s\n", k+":", esc(v)) }
	certified := info.SHA256 != ""
	if certified {
		row("subject", info.Subject)
		row("issuer", info.Issuer)
	}
	if len(info.DNSNames) > 0 {
		names := make([]string, len(info.DNSNames))
		for i, n := range info.DNSNames {
			names[i] = n
			if info.malformed[n] {
				names[i] = escName(n) + " (not ASCII)"
			}
		}
		row("dns", strings.Join(names, ", "))
	}
	if certified {
		row("valid", info.NotBefore.Format("2006-01-02T15:04:05Z")+" to "+info.NotAfter.Format("2006-01-02T15:04:05Z"))
	}
	row("key", info.Key)
	if info.Kind == "key" {
		row("chain", fmt.Sprintf("%d %s", info.ChainLen, plural(info.ChainLen, "certificate", "certificates")))
	}
	if certified {
		row("sha256", info.SHA256)
	}
	if info.KeyProblem != "" {
		row("WARNING", info.KeyProblem)
	}
}

// plural is finding.Plural.
func plural(n int, one, many string) string { return finding.Plural(n, one, many) }
