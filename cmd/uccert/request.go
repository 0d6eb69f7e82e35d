package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/atomicfile"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/request"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/urfave/cli/v2"
)

func requestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "request",
		Usage:     "make the connector host's key and a certificate request for the CA",
		ArgsUsage: " ",
		UsageText: "uccert request --host FQDN [--dns NAME]... [--key-type rsa2048|rsa3072|ec-p256] -o FILE.csr\n" +
			"               --key-out PENDING.p12 [--key-pass SRC] [--inf FILE.inf] [--subject DN] [--force] [--json]",
		Description: `Creates the connector host's private key where it will be used and writes a PKCS#10
certificate request (PEM) for the CA: no certificate template that lets private keys be
exported, no key travelling between machines. The request asks for subject CN=FQDN
(or --subject), the DNS names FQDN and every --dns, the Server Authentication and
Client Authentication purposes (the connector's mutual TLS uses both), key usage
digitalSignature (and keyEncipherment for RSA), signed with SHA-256.

The key stays in PENDING.p12 (PKCS#12, mode 0600, protected by --key-pass: at least 6
ASCII characters) with a self-signed placeholder certificate, as keytool -genkeypair
keeps one, in an entry named "pending: FQDN". It is the only copy of the key: the
certificate the CA issues fits only this key. uccert merge pairs the CA's reply with
it (PENDING.p12 and the reply as INPUTs) and never writes the placeholder to a store.

--key-type: rsa2048 (default), rsa3072 or ec-p256. RSA is the default because the
Front End certificates of the deployment guide are RSA, and a store that mixes RSA and
EC keys makes Java present the EC certificate to peers that ask for an RSA one.

--subject: a distinguished name, RFC 4514 (most specific first, as uccert and Windows
print names: 'CN=ucc01.example.com,O=Example\, Inc.,C=US') or OpenSSL's -subj form
('/C=US/O=Example, Inc./CN=ucc01.example.com'); names CN, OU, O, L, ST, C, STREET,
title, serialNumber, DC, emailAddress; exactly one CN. The DNS names carry the FQDN
whatever the CN says.

--inf writes the same request as a Windows certreq policy file (CRLF line ends), for
the AD CS side. Existing outputs are refused unless --force (a pending key replaced can
no longer take the reply to its request). After success uccert prints the next steps:
submitting the request to AD CS and merging the reply.

EXAMPLES:
   # On the connector host (POSIX shell); the password is asked twice:
   uccert request --host ucc01.uc.example.com -o ucc01.csr --key-out ucc01-pending.p12 --inf ucc01.inf
   # PowerShell, a second DNS name, the password from a file:
   uccert request --host ucc01.uc.example.com --dns ucc.uc.example.com ` + "`" + `
       -o ucc01.csr --key-out ucc01-pending.p12 --key-pass file:C:\secure\key.pass
   # An EC key and an organisation in the subject, the password from the environment:
   uccert request --host ucc01.uc.example.com --key-type ec-p256 --subject 'CN=ucc01.uc.example.com,O=UC Example,C=US' \
       -o ucc01.csr --key-out ucc01-pending.p12 --key-pass env:UCC_KEY_PASS
   # Then, with the CA's reply (ucc01.cer) and the CA chain (certnew.p7b):
   uccert merge -o ucc-keys.jks --in-pass env:UCC_KEY_PASS --out-pass prompt ucc01-pending.p12 ucc01.cer certnew.p7b

` + passwordSources + exitCodes,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "host", Usage: "the connector host's `FQDN`: the request's first DNS name and, without --subject, its CN"},
			&cli.StringSliceFlag{Name: "dns", KeepSpace: true, Usage: "a further DNS `NAME` (an FQDN) the certificate must serve (repeatable)"},
			&cli.StringFlag{Name: "key-type", Value: "rsa2048", Usage: "`TYPE` of the new key: rsa2048, rsa3072 or ec-p256"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the certificate request to write (`FILE.csr`, PEM)"},
			&cli.StringFlag{Name: "key-out", Usage: "the pending key to write (`PENDING.p12`, PKCS#12)"},
			&cli.StringFlag{Name: "key-pass", Usage: "password `SRC` for PENDING.p12 (at least 6 ASCII characters); prompts twice on a terminal when omitted"},
			&cli.StringFlag{Name: "inf", Usage: "also write the request as a Windows certreq policy file (`FILE.inf`)"},
			&cli.StringFlag{Name: "subject", Usage: "the subject `DN` (default CN=FQDN)"},
			&cli.BoolFlag{Name: "force", Usage: "replace outputs that exist"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout"},
		},
		Action: func(c *cli.Context) error { return runRequest(c, e) },
	}
}

// requestOutputs are the files uccert request writes.
type requestOutputs struct {
	csr, key, inf string
	force         bool
}

// parseRequestOutputs validates -o, --key-out, --inf (usage errors).
func parseRequestOutputs(c *cli.Context) (*requestOutputs, error) {
	o := &requestOutputs{csr: c.String("output"), key: c.String("key-out"), inf: c.String("inf"), force: c.Bool("force")}
	switch {
	case o.csr == "":
		return nil, usagef("request: -o FILE.csr is required (the certificate request to send to the CA)")
	case o.key == "":
		return nil, usagef("request: --key-out PENDING.p12 is required (the file that keeps the new private key)")
	case keystore.FormatFromExtension(o.key) == keystore.FormatJKS:
		return nil, usagef("--key-out %s: the pending key is written as PKCS#12; name it .p12 or .pfx", esc(o.key))
	}
	seen := map[string]string{}
	for _, p := range []struct{ flag, path string }{{"-o", o.csr}, {"--key-out", o.key}, {"--inf", o.inf}} {
		if p.path == "" {
			continue
		}
		if fi, err := os.Stat(p.path); err == nil && fi.IsDir() {
			return nil, usagef("%s %s is a folder: give the path of the file to write in it", p.flag, esc(p.path))
		}
		k := samePathKey(p.path)
		if prev, dup := seen[k]; dup {
			return nil, usagef("%s and %s name the same file %s: give each output its own file", prev, p.flag, esc(p.path))
		}
		seen[k] = p.flag
	}
	return o, nil
}

// samePathKey is a path as the file system compares it (Windows: without
// regard to case).
func samePathKey(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if runtime.GOOS == "windows" {
		return strings.ToLower(p)
	}
	return p
}

// check refuses, before any work, outputs that exist without --force.
func (o *requestOutputs) check() error {
	for _, p := range []string{o.csr, o.key, o.inf} {
		if p == "" {
			continue
		}
		if _, err := os.Lstat(p); err == nil && !o.force {
			what := "give --force to replace it"
			if p == o.key {
				what = "give --force to replace it (a pending key replaced can no longer take the reply to its request)"
			}
			return withFile(p, fmt.Errorf("%s: %w: %s", p, keystore.ErrExists, what))
		}
	}
	return nil
}

func runRequest(c *cli.Context, e *env) error {
	if c.NArg() > 0 {
		return usagef("request takes no arguments (got %q): give the host with --host", c.Args().First())
	}
	host := c.String("host")
	if host == "" {
		return usagef("request: --host FQDN is required (the connector host's fully qualified name)")
	}
	if _, err := hostname.Normalize(host); err != nil {
		return usagef("--host %q: %s", host, err.Error())
	}
	dns := c.StringSlice("dns")
	for _, n := range dns {
		if _, err := hostname.Normalize(n); err != nil {
			return usagef("--dns %q: %s", n, err.Error())
		}
	}
	kt, err := request.ParseKeyType(c.String("key-type"))
	if err != nil {
		return usagef("--key-type: %s", err.Error())
	}
	out, err := parseRequestOutputs(c)
	if err != nil {
		return err
	}
	passSrc := c.String("key-pass")
	if err := checkSources("--key-pass", passSrc); err != nil {
		return err
	}
	if err := out.check(); err != nil {
		return err
	}
	r, err := request.Generate(request.Options{Host: host, DNSNames: dns, Subject: c.String("subject"), KeyType: kt, Now: e.now()})
	switch {
	case errors.Is(err, request.ErrSubject) && c.String("subject") == "":
		return usagef("--host %q: %s (such as --subject CN=%s)", host, err.Error(), strings.SplitN(host, ".", 2)[0])
	case errors.Is(err, request.ErrSubject):
		return usagef("--subject: %s", err.Error())
	case err != nil:
		return err
	}
	pw := newPasswords(e)
	password, err := pw.getNew(passSrc, "--key-pass", "new password for "+filepath.Base(out.key), func(p secret.Password) error {
		if err := secret.CheckStorePassword(p); err != nil {
			return fmt.Errorf("%s: %w", out.key, err)
		}
		if err := keystore.CheckPassword(keystore.FormatPKCS12, p); errors.Is(err, keystore.ErrPasswordEncoding) {
			// The pending key is always PKCS#12: JKS is no way out here.
			return fmt.Errorf("%s: %w: Java cannot open a PKCS#12 store whose password is not ASCII; choose an ASCII password", out.key, keystore.ErrPasswordEncoding)
		} else if err != nil {
			return fmt.Errorf("%s: %w", out.key, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := out.write(e, r, password); err != nil {
		return err
	}
	return renderRequest(e, c.Bool("json"), out, r, passSrc)
}

// write writes the pending key (keystore.WriteFile: atomic, read back,
// mode 0600), then the request and the INF. When a later write fails,
// the files this run created are removed again.
func (o *requestOutputs) write(e *env, r *request.Request, password secret.Password) (err error) {
	var created []string
	defer func() {
		if err != nil {
			for _, p := range created {
				os.Remove(p)
			}
		}
	}()
	isNew := map[string]bool{}
	for _, p := range []string{o.key, o.csr} {
		_, statErr := os.Lstat(p)
		isNew[p] = statErr != nil
	}
	wrote := func(path string) {
		if isNew[path] {
			created = append(created, path)
		}
	}
	err = keystore.WriteFile(o.key, r.PendingStore(), keystore.WriteOptions{
		EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatPKCS12, Password: password, Profile: keystore.ProfileModern, Now: e.now()},
		Overwrite:     o.force,
	})
	if err != nil {
		return withFile(o.key, err)
	}
	wrote(o.key)
	if err = atomicfile.Write(o.csr, r.CSR, atomicfile.Options{Perm: 0o644, Overwrite: o.force}); err != nil {
		return withFile(o.csr, err)
	}
	wrote(o.csr)
	if o.inf != "" {
		if err = atomicfile.Write(o.inf, r.INF(), atomicfile.Options{Perm: 0o644, Overwrite: o.force}); err != nil {
			return withFile(o.inf, err)
		}
	}
	return nil
}

// requestDoc is the JSON of uccert request.
type requestDoc struct {
	// OK is true: a failure is {"ok":false,"error":...} (as every command's).
	OK                  bool      `json:"ok"`
	CSR                 string    `json:"csr"`
	KeyOut              string    `json:"key_out"`
	INF                 string    `json:"inf,omitempty"`
	Subject             string    `json:"subject"`
	DNSNames            []string  `json:"dns_names"`
	Key                 string    `json:"key"`
	Signature           string    `json:"signature"`
	PendingAlias        string    `json:"pending_alias"`
	PlaceholderNotAfter time.Time `json:"placeholder_not_after"`
	Next                []string  `json:"next"`
}

// replyName is where certreq -submit is told to save the CA's reply:
// the request's name with .cer.
func replyName(csr string) string {
	return strings.TrimSuffix(csr, filepath.Ext(csr)) + ".cer"
}

func renderRequest(e *env, asJSON bool, o *requestOutputs, r *request.Request, passSrc string) error {
	src := passSrc
	if src == "" || src == "stdin" || strings.HasPrefix(src, "pass:") {
		src = "prompt"
	}
	reply := replyName(o.csr)
	certreq := fmt.Sprintf(`certreq -submit -attrib "CertificateTemplate:WebServer" %s %s`, shellWord(o.csr), shellWord(reply))
	mergeCmd := strings.Join([]string{"uccert merge -o ucc-keys.jks --in-pass", shellWord(src), "--out-pass prompt", shellWord(o.key), shellWord(reply)}, " ")
	key := keystore.PublicKeyDescription(r.Key.Public())
	doc := requestDoc{OK: true, CSR: o.csr, KeyOut: o.key, INF: o.inf, Subject: r.Subject, DNSNames: r.DNSNames, Key: key,
		Signature: r.Placeholder.SignatureAlgorithm.String(), PendingAlias: request.PendingAlias(r.Host),
		PlaceholderNotAfter: r.Placeholder.NotAfter, Next: []string{certreq, mergeCmd}}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	w := e.stdout
	purposes := "Server Authentication, Client Authentication"
	usage := "digitalSignature, keyEncipherment"
	if r.KeyType == request.ECP256 {
		usage = "digitalSignature"
	}
	fmt.Fprintf(w, "Wrote %s: the certificate request for the CA (PKCS#10, PEM)\n", esc(o.csr))
	fmt.Fprintf(w, "    %-9s %s\n", "subject:", esc(r.Subject))
	fmt.Fprintf(w, "    %-9s %s\n", "DNS:", strings.Join(r.DNSNames, ", "))
	fmt.Fprintf(w, "    %-9s %s, signed with SHA-256\n", "key:", key)
	fmt.Fprintf(w, "    %-9s %s; key usage %s\n", "purposes:", purposes, usage)
	fmt.Fprintf(w, "Wrote %s: the pending key (PKCS#12, entry %q, placeholder valid until %s)\n",
		esc(o.key), request.PendingAlias(r.Host), r.Placeholder.NotAfter.Format("2006-01-02"))
	fmt.Fprintf(w, "    Keep it on this machine: it is the only copy of the key, and the certificate the CA issues fits only it.\n")
	if o.inf != "" {
		fmt.Fprintf(w, "Wrote %s: the same request as a certreq policy file\n", esc(o.inf))
	}
	fmt.Fprintf(w, `
Next steps:
1. Have the CA issue the certificate, from a template that takes the subject from the
   request and issues Server Authentication and Client Authentication. AD CS, on a
   machine of the domain:
     %s
   or on the CA Web Access page (http://CA/certsrv): Request a certificate, advanced
   certificate request, paste the content of %s, choose the template, Submit, and
   download the certificate (Base 64 or DER) as %s, and the chain (.p7b) if you like.
   WebServer stands for your template: the stock Web Server template issues Server
   Authentication only; a copy of it with Client Authentication added serves the
   connector, and needs no permission to export private keys.
2. Merge the CA's reply with the pending key into the connector's key store (add the
   CA chain, such as certnew.p7b, when the reply lacks it):
     %s
`, certreq, esc(o.csr), esc(reply), mergeCmd)
	return nil
}

// pairAdvice names, for a merge that could not pair a pending key with
// the CA's reply, the file concerned and the INPUT to add.
func pairAdvice(err error) error {
	var pe *merge.PairError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case pe.PendingFile != "" && pe.ReplyFile != "":
		return withFile(pe.ReplyFile, fmt.Errorf("%w (each uccert request makes a new key: give the --key-out file of the request this reply answers)", err))
	case pe.PendingFile != "":
		return withFile(pe.PendingFile, fmt.Errorf("%w (give the CA's reply as a further INPUT: uccert merge -o OUT ... %s ucc.cer)", err, pe.PendingFile))
	}
	return withFile(pe.ReplyFile, fmt.Errorf("%w (the pending key is the --key-out file of uccert request; give it as a further INPUT with its --in-pass)", err))
}
