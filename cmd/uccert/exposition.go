package main

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
)

// This file renders `uccert verify --format prometheus`: the Prometheus
// text exposition format, version 0.0.4, as node_exporter's and
// windows_exporter's textfile collectors read it. The per-certificate
// series carry the names and labels of the x509-certificate-exporter
// (enix), so that alert rules written for it work on these files too;
// docs/verify.md lists every series.

// Metric names.
const (
	metricNotAfter      = "x509_cert_not_after"
	metricNotBefore     = "x509_cert_not_before"
	metricExpired       = "x509_cert_expired"
	metricVerifyOK      = "uccert_verify_ok"
	metricFindings      = "uccert_verify_findings"
	metricCheckFindings = "uccert_verify_check_findings"
)

// dnFields are the distinguished-name attributes the exporter labels
// (subject_C … subject_CN, issuer_C … issuer_CN), in its order.
var dnFields = [...]string{"C", "ST", "L", "O", "OU", "CN"}

// certLabels are the label names of every x509_cert_* series.
func certLabels() []string {
	names := []string{"filename", "filepath", "serial_number"}
	for _, prefix := range []string{"issuer_", "subject_"} {
		for _, f := range dnFields {
			names = append(names, prefix+f)
		}
	}
	return append(names, "alias", "entry_kind")
}

// dnValue is the first value of one attribute of a name ("" when absent),
// as the exporter takes it.
func dnValue(n pkix.Name, field string) string {
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	switch field {
	case "C":
		return first(n.Country)
	case "ST":
		return first(n.Province)
	case "L":
		return first(n.Locality)
	case "O":
		return first(n.Organization)
	case "OU":
		return first(n.OrganizationalUnit)
	}
	return n.CommonName
}

// verifiedStore is a store verify read, with the path it was read from.
type verifiedStore struct {
	path  string
	store *keystore.Store
}

// family is one metric family: its series, each a list of label values
// (in the family's label order) and a value.
type family struct {
	name, help string
	labels     []string
	series     []sample
}

type sample struct {
	values []string
	value  string
}

// exposition renders a verify run in the text exposition format: for
// every certificate of every store read (each key entry's whole chain,
// each trusted or other certificate entry) x509_cert_not_before,
// x509_cert_not_after and x509_cert_expired (at the time validity was
// judged), then uccert_verify_ok, uccert_verify_findings by severity and
// uccert_verify_check_findings by check and severity. A nil report is a
// run that failed before any check (uccert_verify_ok 0, no findings).
func exposition(r *finding.Report, stores []verifiedStore, at time.Time, extra []metricLabel) []byte {
	notBefore := &family{name: metricNotBefore, help: "The certificate's notBefore time (seconds since the Unix epoch).", labels: certLabels()}
	notAfter := &family{name: metricNotAfter, help: "The certificate's notAfter time (seconds since the Unix epoch).", labels: certLabels()}
	expired := &family{name: metricExpired, help: "1 when the certificate had expired when uccert verify judged it (--at, else the time of the run), else 0.", labels: certLabels()}
	// The same certificate under the same labels (a store given twice, a
	// chain that repeats a certificate) is one series: a repeated series
	// would make the collector reject the file. Labels that collide for
	// different certificates keep the one that expires first.
	type kept struct {
		index    int
		notAfter time.Time
	}
	seen := map[string]kept{}
	for _, s := range stores {
		if s.store == nil {
			continue
		}
		path := s.path
		if p, err := filepath.Abs(path); err == nil {
			path = p
		}
		for _, e := range s.store.Entries {
			if e == nil {
				continue
			}
			for i, c := range e.Chain {
				if c == nil {
					continue
				}
				values := certValues(path, e, i, c)
				// The key is the labels as written: two names that
				// escape alike are one series for the collector.
				var key strings.Builder
				for _, v := range values {
					key.WriteString(labelValue(v) + "\x00")
				}
				if k, ok := seen[key.String()]; ok {
					if !c.NotAfter.Before(k.notAfter) {
						continue
					}
					j := k.index
					notBefore.series[j].value, notAfter.series[j].value = unix(c.NotBefore), unix(c.NotAfter)
					expired.series[j].value = expiredValue(c, at)
					seen[key.String()] = kept{j, c.NotAfter}
					continue
				}
				seen[key.String()] = kept{len(notAfter.series), c.NotAfter}
				notBefore.series = append(notBefore.series, sample{values, unix(c.NotBefore)})
				notAfter.series = append(notAfter.series, sample{values, unix(c.NotAfter)})
				expired.series = append(expired.series, sample{values, expiredValue(c, at)})
			}
		}
	}
	ok := &family{name: metricVerifyOK, help: "1 when uccert verify passed (no error finding; with --strict no warning either: exit status 0), else 0."}
	if r != nil && r.OK() {
		ok.series = []sample{{nil, "1"}}
	} else {
		ok.series = []sample{{nil, "0"}}
	}
	findings := &family{name: metricFindings, help: "Findings of uccert verify by severity.", labels: []string{"severity"}}
	bySeverity := map[finding.Severity]int{}
	checks := &family{name: metricCheckFindings, help: "Findings of uccert verify by check and severity (checks that reported).", labels: []string{"check", "severity"}}
	byCheck := map[[2]string]int{}
	if r != nil {
		for _, f := range r.Findings {
			bySeverity[f.Severity]++
			byCheck[[2]string{f.Check.String(), f.Severity.String()}]++
		}
	}
	for _, sev := range []finding.Severity{finding.OK, finding.Info, finding.Warn, finding.Error} {
		findings.series = append(findings.series, sample{[]string{sev.String()}, strconv.Itoa(bySeverity[sev])})
	}
	for k, n := range byCheck {
		checks.series = append(checks.series, sample{[]string{k[0], k[1]}, strconv.Itoa(n)})
	}
	fams := []*family{notBefore, notAfter, expired, ok, findings, checks}
	for _, l := range extra {
		for _, f := range fams {
			f.labels = append(f.labels, l.name)
			for i := range f.series {
				f.series[i].values = append(f.series[i].values, l.value)
			}
		}
	}
	return renderFamilies(fams)
}

// metricLabel is a --metric-label NAME=VALUE: a label every series gets.
type metricLabel struct{ name, value string }

// legacyLabelName reports whether name follows the text format's rule for
// label names, [a-zA-Z_][a-zA-Z0-9_]* (a function, not a regular
// expression compiled at every start of uccert).
func legacyLabelName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return name != ""
}

// parseMetricLabel reads NAME=VALUE; NAME must be a label name uccert
// does not use itself.
func parseMetricLabel(s string) (metricLabel, error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || !legacyLabelName(name) || strings.HasPrefix(name, "__") {
		return metricLabel{}, fmt.Errorf("--metric-label %s: give NAME=VALUE, NAME of letters, digits and _ (not starting with a digit or __)", esc(s))
	}
	if slices.Contains(certLabels(), name) || name == "severity" || name == "check" {
		return metricLabel{}, fmt.Errorf("--metric-label %s: uccert sets the label %s itself; choose another name (such as connector)", esc(s), name)
	}
	return metricLabel{name, value}, nil
}

// certValues are the label values of one certificate: entry_kind is key
// (the leaf of a key entry), chain (the rest of its chain), trusted or
// cert (a certificate that is neither).
func certValues(path string, e *keystore.Entry, i int, c *x509.Certificate) []string {
	kind := e.Kind.String()
	if e.Kind == keystore.KindKey && i > 0 {
		kind = "chain"
	}
	serial := ""
	if c.SerialNumber != nil {
		serial = c.SerialNumber.String() // decimal, as the exporter writes it
	}
	values := []string{filepath.Base(path), path, serial}
	for _, n := range []pkix.Name{c.Issuer, c.Subject} {
		for _, f := range dnFields {
			values = append(values, dnValue(n, f))
		}
	}
	return append(values, e.Alias, kind)
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// expiredValue is "1" when c's notAfter is before at, as the exporter
// judges it (now > notAfter).
func expiredValue(c *x509.Certificate, at time.Time) string {
	if at.After(c.NotAfter) {
		return "1"
	}
	return "0"
}

// renderFamilies writes the families in the order of their names, each
// with its HELP and TYPE lines and its series sorted by label values;
// a family without series is left out.
func renderFamilies(fams []*family) []byte {
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	var b bytes.Buffer
	for _, f := range fams {
		if len(f.series) == 0 {
			continue
		}
		slices.SortFunc(f.series, func(x, y sample) int { return slices.Compare(x.values, y.values) })
		b.WriteString("# HELP " + f.name + " " + escapeHelp(f.help) + "\n")
		b.WriteString("# TYPE " + f.name + " gauge\n")
		for _, s := range f.series {
			b.WriteString(f.name)
			if len(f.labels) > 0 {
				b.WriteByte('{')
				for i, name := range f.labels {
					if i > 0 {
						b.WriteByte(',')
					}
					b.WriteString(name + `="` + labelValue(s.values[i]) + `"`)
				}
				b.WriteByte('}')
			}
			b.WriteString(" " + s.value + "\n")
		}
	}
	return b.Bytes()
}

// labelValue writes a label value for the exposition format: control
// characters, bidi controls and bytes that are not UTF-8 as uccert's
// human output shows them (esc: \x1b, \u202e…, so that an alert quoting
// a certificate's name carries no terminal escape), then backslash,
// double quote and line feed escaped as the format requires.
func labelValue(s string) string {
	return escapeLabel(esc(s))
}

// escapeLabel escapes \, " and line feed (the text format's rule for
// label values).
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// escapeHelp escapes \ and line feed (the text format's rule for HELP).
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}
