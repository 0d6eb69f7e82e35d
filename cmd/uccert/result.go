package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/urfave/cli/v2"
)

// hostNames validates --host and --fe (usage errors for malformed
// names) and returns the host ("" when not given) and the Front Ends.
func hostNames(c *cli.Context) (host string, fes []string, err error) {
	norm := hostNameOption
	if v := c.String("host"); v != "" {
		if host, err = norm("host", v); err != nil {
			return "", nil, err
		}
	}
	for _, v := range c.StringSlice("fe") {
		n, err := norm("fe", v)
		if err != nil {
			return "", nil, err
		}
		fes = append(fes, n)
	}
	return host, fes, nil
}

// hostNameOption validates the FQDN given to option --flag (a usage error
// when malformed) and returns it normalized.
func hostNameOption(flag, v string) (string, error) {
	n, err := hostname.Normalize(v)
	if err != nil {
		return "", usagef("--%s %q: %s", flag, v, err.Error())
	}
	if strings.HasSuffix(v, ".") {
		// Kept for matching: a certificate name written with a final
		// dot serves only the name asked for with the dot.
		n += "."
	}
	return n, nil
}

// The role an output store plays in the connector's mtls arguments.
type storeRole int

const (
	roleCertStore storeRole = iota // the key material: -cert_store_*
	roleKeyStore                   // the trust store: -key_store_*
)

// storeArgs is the connector's argument list for OUT in mtls mode, with
// the password redacted (uccert args prints it).
func storeArgs(role storeRole, o *output) []string {
	sa := connector.StoreArgs{File: o.path, Pass: secret.NewPassword("PASSWORD"), HasPass: true, Type: o.format.String()}
	var a connector.Args
	if role == roleCertStore {
		a.CertStore = sa
	} else {
		a.KeyStore = sa
	}
	return connector.Redact(a.Tokens())
}

type resultEntry struct {
	entryInfo
	Source string `json:"source"`
}

type resultDoc struct {
	// OK is true: a failure is {"ok":false,"error":...} (as every command's).
	OK      bool          `json:"ok"`
	Output  string        `json:"output"`
	Type    string        `json:"type"`
	Entries []resultEntry `json:"entries"`
	Notes   []string      `json:"notes"`
	// Warnings are the findings as text (0.1.0's field), Findings the same
	// as verify's JSON findings.
	Warnings []string          `json:"warnings"`
	Findings []finding.Finding `json:"findings"`
	// Replaced are merge --replace's replacements (omitted when none).
	Replaced []replacementInfo `json:"replaced,omitempty"`
	Args     []string          `json:"args"`
}

// certRef names an entry's certificate in a report: alias, serial,
// not-after.
type certRef struct {
	Alias    string    `json:"alias"`
	Serial   string    `json:"serial"`
	NotAfter time.Time `json:"not_after"`
}

func refOf(e *keystore.Entry) certRef {
	r := certRef{Alias: e.Alias}
	if leaf := e.Leaf(); leaf != nil {
		r.Serial, r.NotAfter = serialText(leaf), leaf.NotAfter.UTC()
	}
	return r
}

func (r certRef) String() string {
	return fmt.Sprintf("%q (serial %s, not after %s)", r.Alias, r.Serial, r.NotAfter.Format(time.DateOnly))
}

type replacementInfo struct {
	Old   certRef  `json:"old"`
	New   certRef  `json:"new"`
	Names []string `json:"names"`
}

// overlapWarning says why an entry of OUT that serves a new entry's names
// stays beside it.
func overlapWarning(o merge.Overlap, replace bool, store string) string {
	old, nw := refOf(o.Old), refOf(o.New)
	names := strings.Join(o.Names, ", ")
	switch {
	case !replace:
		return fmt.Sprintf("the new entry %s serves %s, which entry %s serves already: the store holds both now; merge --append --replace replaces the old entry instead (to undo this one: uccert remove --alias %s --pass prompt %s)",
			nw, names, old, shellWord(o.New.Alias), shellWord(store))
	case !o.SameAlgorithm:
		return fmt.Sprintf("--replace kept entry %s beside %s: it serves %s too, but with a %s key, not %s", old, nw, names,
			keystore.KeyAlgorithm(o.Old.Leaf().PublicKey), keystore.KeyAlgorithm(o.New.Leaf().PublicKey))
	}
	return fmt.Sprintf("--replace kept entry %s beside %s: it serves %s too, but also %s, which the new certificate does not (if it is no longer needed: uccert remove --alias %s --pass prompt %s)",
		old, nw, names, strings.Join(o.Uncovered, ", "), shellWord(o.Old.Alias), shellWord(store))
}

// renderResult prints what merge or truststore wrote; the overlaps of
// new entries with old ones (merge; replace: --replace was given) and the
// findings of the checks on the result are warnings on stderr.
func renderResult(e *env, asJSON bool, role storeRole, o *output, res *merge.Result, replace bool) error {
	args := storeArgs(role, o)
	var warnings []string
	for _, ov := range res.Overlaps {
		w := overlapWarning(ov, replace, o.path)
		warnings = append(warnings, w)
		fmt.Fprintf(e.stderr, "warning: %s\n", esc(w))
	}
	for _, f := range res.Findings {
		w := fmt.Sprintf("%s %s: %s", f.Check, f.Subject, f.Message)
		warnings = append(warnings, w)
		fmt.Fprintf(e.stderr, "warning: %s\n", esc(w))
	}
	doc := resultDoc{OK: true, Output: o.path, Type: o.format.String(), Entries: []resultEntry{}, Notes: res.Notes, Warnings: warnings,
		Findings: res.Findings, Args: args}
	if doc.Notes == nil {
		doc.Notes = []string{}
	}
	if doc.Warnings == nil {
		doc.Warnings = []string{}
	}
	if doc.Findings == nil {
		doc.Findings = []finding.Finding{}
	}
	for _, p := range res.Entries {
		doc.Entries = append(doc.Entries, resultEntry{describe(p.Entry), p.Source})
	}
	for _, r := range res.Replaced {
		doc.Replaced = append(doc.Replaced, replacementInfo{Old: refOf(r.Old), New: refOf(r.New), Names: r.Names})
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	fmt.Fprintf(e.stdout, "Wrote %s (%s): %d %s\n", esc(o.path), o.format, len(res.Entries), plural(len(res.Entries), "entry", "entries"))
	for _, re := range doc.Entries {
		renderEntry(e, re.entryInfo)
		fmt.Fprintf(e.stdout, "    %-9s %s\n", "from:", esc(re.Source))
	}
	for _, r := range doc.Replaced {
		fmt.Fprintf(e.stdout, "replaced: %s → %s\n", esc(r.Old.String()), esc(r.New.String()))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(e.stdout, "note: %s\n", esc(n))
	}
	fmt.Fprintf(e.stdout, "\nNext, the connector's arguments (mtls; %s):\n  %s\n", nextStepNote(role), nextArgsCommand(role, o))
	return nil
}

// nextStepNote says what the next command still needs.
func nextStepNote(role storeRole) string {
	if role == roleCertStore {
		return "give the trust store built with uccert truststore"
	}
	return "give the key store built with uccert merge"
}

// nextArgsCommand is the uccert args command that prints the connector's
// arguments for OUT in its role, the other store as a placeholder. OUT's
// password source is repeated when it names a variable or a file; a
// literal password (pass:) or stdin becomes prompt.
func nextArgsCommand(role storeRole, o *output) string {
	src := o.passSrc
	if src == "" || src == "stdin" || strings.HasPrefix(src, "pass:") {
		src = "prompt"
	}
	this, other := "--cert-store", "--key-store"
	placeholder := "ucc-trust.jks"
	if role == roleKeyStore {
		this, other = other, this
		placeholder = "ucc-keys.jks"
	}
	return strings.Join([]string{"uccert args", this, shellWord(o.path), this + "-pass", shellWord(src),
		other, placeholder, other + "-pass", "prompt"}, " ")
}

// shellWord is finding.CommandArg (the one quoting rule) escaped for the
// terminal.
func shellWord(s string) string { return esc(finding.CommandArg(s)) }

// progress shows "reading 3/60 fe3.pfx" on a terminal for long merges.
type progress struct {
	e     *env
	n, i  int
	shown bool
}

func newProgress(e *env, n int) *progress { return &progress{e: e, n: n} }

func (p *progress) step(name string) {
	p.i++
	if p.n < 20 || !p.e.stderrTTY {
		return
	}
	fmt.Fprintf(p.e.stderr, "\rreading %d/%d %-40.40s", p.i, p.n, name)
	p.shown = true
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprintf(p.e.stderr, "\r%60s\r", "")
		p.shown = false
	}
}
