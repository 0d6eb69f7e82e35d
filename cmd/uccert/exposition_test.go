package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
)

// parseExposition reads output with Prometheus' own text parser, with
// the legacy (strictest) name rules node_exporter's textfile collector
// applies, and checks what the parser lets pass but the collector
// refuses: every family sampled in one block (HELP, TYPE, then its
// samples), families in name order, no series twice, no timestamp.
func parseExposition(t testing.TB, output string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(output))
	if err != nil {
		t.Fatalf("not the text exposition format: %v\n%s", err, output)
	}
	var order []string
	for _, line := range strings.Split(strings.TrimSuffix(output, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			f := strings.Fields(line)
			if len(f) < 3 || (f[1] != "HELP" && f[1] != "TYPE") {
				t.Fatalf("unexpected comment %q", line)
			}
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		if len(order) == 0 || order[len(order)-1] != name {
			order = append(order, name)
		}
	}
	if !slices.IsSorted(order) || len(slices.Compact(slices.Clone(order))) != len(order) {
		t.Errorf("families not grouped in name order: %v", order)
	}
	for name, f := range fams {
		if f.GetType() != dto.MetricType_GAUGE || f.GetHelp() == "" {
			t.Errorf("%s: type %v, help %q; want a gauge with HELP", name, f.GetType(), f.GetHelp())
		}
		seen := map[string]bool{}
		for _, m := range f.Metric {
			if m.TimestampMs != nil {
				t.Errorf("%s: a timestamp (the textfile collector refuses them)", name)
			}
			key := fmt.Sprint(labelMap(m))
			if seen[key] {
				t.Errorf("%s: series %s twice", name, key)
			}
			seen[key] = true
		}
	}
	return fams
}

func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.Label {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func labelNames(m *dto.Metric) []string {
	var out []string
	for _, l := range m.Label {
		out = append(out, l.GetName())
	}
	slices.Sort(out)
	return out
}

// wantCertLabels are the labels of every x509_cert_* series: the
// x509-certificate-exporter's and alias, entry_kind.
var wantCertLabels = []string{"alias", "entry_kind", "filename", "filepath",
	"issuer_C", "issuer_CN", "issuer_L", "issuer_O", "issuer_OU", "issuer_ST",
	"serial_number", "subject_C", "subject_CN", "subject_L", "subject_O", "subject_OU", "subject_ST"}

// expectedCert is a certificate as fixtures/expected.json describes it.
type expectedCert struct {
	SHA256    string `json:"sha256"`
	SubjectCN string `json:"subject_cn"`
	Subject   string `json:"subject"`
	Issuer    string `json:"issuer"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
}

type expectedFile struct {
	File    string `json:"file"`
	Entries []struct {
		expectedCert
		FriendlyName *string  `json:"friendly_name"`
		Kind         string   `json:"kind"`
		ChainSHA256  []string `json:"chain_sha256"`
	} `json:"entries"`
}

// expectedSeries are the x509_cert_* series a store must yield, from
// fixtures/expected.json (which openssl and keytool wrote): keyed by
// "alias|entry_kind|subject CN", the certificate.
func expectedSeries(t *testing.T, stores ...string) map[string]expectedCert {
	t.Helper()
	data, err := os.ReadFile(fixture("expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Files []expectedFile }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	bySHA := map[string]expectedCert{}
	files := map[string]expectedFile{}
	for _, f := range doc.Files {
		files[f.File] = f
		for _, e := range f.Entries {
			if e.SHA256 != "" && e.NotAfter != "" {
				bySHA[e.SHA256] = e.expectedCert
			}
		}
	}
	out := map[string]expectedCert{}
	for _, s := range stores {
		f, ok := files[s]
		if !ok {
			t.Fatalf("%s is not in fixtures/expected.json", s)
		}
		for _, e := range f.Entries {
			alias := ""
			if e.FriendlyName != nil {
				alias = *e.FriendlyName
			}
			switch e.Kind {
			case "key":
				for i, sha := range e.ChainSHA256 {
					c, ok := bySHA[sha]
					if !ok {
						t.Fatalf("%s: chain certificate %s is described nowhere", s, sha)
					}
					kind := "chain"
					if i == 0 {
						kind = "key"
					}
					out[alias+"|"+kind+"|"+c.SubjectCN] = c
				}
			default:
				out[alias+"|"+e.Kind+"|"+e.SubjectCN] = e.expectedCert
			}
		}
	}
	return out
}

// rdn is the value of one attribute in an RFC 2253 name of the simple
// fixtures ("CN=UC Test Issuing CA,O=UC Example").
func rdn(dn, attr string) string {
	for _, part := range strings.Split(dn, ",") {
		if v, ok := strings.CutPrefix(part, attr+"="); ok {
			return v
		}
	}
	return ""
}

func unixOf(t *testing.T, rfc3339 string) float64 {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		t.Fatal(err)
	}
	return float64(tm.Unix())
}

func gaugeOf(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no %s", name)
	}
	for _, m := range f.Metric {
		got := labelMap(m)
		match := len(got) == len(labels)
		for k, v := range labels {
			match = match && got[k] == v
		}
		if match {
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s%v", name, labels)
	return 0
}

// `verify --format prometheus` on fixture stores: every certificate of
// every store read (each key entry's chain, each trusted entry) is a
// series of x509_cert_not_before, x509_cert_not_after and
// x509_cert_expired with expected.json's dates; uccert_verify_ok follows
// the exit status; the findings counts agree with the JSON report of the
// same run.
func TestVerifyPrometheus(t *testing.T) {
	testNow := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) // testEnv's clock
	cases := []struct {
		name   string
		args   []string
		stores []string // relative to fixtures/: the stores whose certificates are series
		code   int
		at     time.Time
	}{
		{"mtls jks", []string{"--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com",
			"--cert-store", abs(t, "stores", "ucc-with-fes.jks"), "--cert-store-pass", "pass:changeit1",
			"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"},
			[]string{"stores/ucc-with-fes.jks", "stores/truststore.jks"}, 0, testNow},
		{"mtls pkcs12 strict with a warning", []string{"--strict", "--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com",
			"--cert-store", abs(t, "stores", "ucc-with-fes.p12"), "--cert-store-pass", "pass:changeit1",
			"--key-store", abs(t, "stores", "truststore.p12"), "--key-store-pass", "pass:trustpass1"},
			[]string{"stores/ucc-with-fes.p12", "stores/truststore.p12"}, 1, testNow},
		{"expired", []string{"--host", "expired.uc.example.com",
			"--cert-store", abs(t, "stores", "expired.jks"), "--cert-store-pass", "pass:changeit1",
			"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"},
			[]string{"stores/expired.jks", "stores/truststore.jks"}, 1, testNow},
		{"expired and renewed", []string{"--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com",
			"--cert-store", abs(t, "stores", "fe1-expired-first.p12"), "--cert-store-pass", "pass:changeit1",
			"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"},
			[]string{"stores/fe1-expired-first.p12", "stores/truststore.jks"}, 1, testNow},
		{"at 2041", []string{"--host", "ucc.uc.example.com", "--at", "2041-01-01",
			"--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:changeit1",
			"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"},
			[]string{"stores/ucc.jks", "stores/truststore.jks"}, 1, time.Date(2041, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"kerberos from the connector's arguments", []string{"--host", "fe1.uc.example.com", "--args-file", abs(t, "args", "genesys-kerberos.txt")},
			[]string{"stores/truststore.jks"}, 0, testNow},
		{"cert store with a wrong password", []string{"--host", "ucc.uc.example.com",
			"--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:wrong-pw-1",
			"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"},
			[]string{"stores/truststore.jks"}, 1, testNow},
		{"trust store missing", []string{"--host", "ucc.uc.example.com",
			"--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:changeit1",
			"--key-store", abs(t, "stores", "nope.jks"), "--key-store-pass", "pass:trustpass1"},
			[]string{"stores/ucc.jks"}, 1, testNow},
	}
	serial := regexp.MustCompile(`^[1-9][0-9]*$`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"verify", "--format", "prometheus"}, c.args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, c.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "changeit1") || strings.Contains(r.stdout, "trustpass1") || strings.Contains(r.stdout, "wrong-pw-1") {
				t.Error("a password in the output")
			}
			fams := parseExposition(t, r.stdout)
			// The same run as JSON: the counts must agree, and the exit
			// status must not depend on the format.
			j := runCLI(t, "", nil, append([]string{"verify", "--json"}, c.args...)...)
			if j.code != r.code {
				t.Errorf("--json exits %d, --format prometheus %d", j.code, r.code)
			}
			var report struct {
				OK       bool `json:"ok"`
				Findings []struct{ Check, Severity string }
			}
			if err := json.Unmarshal([]byte(j.stdout), &report); err != nil {
				t.Fatal(err)
			}
			wantOK := 0.0
			if report.OK {
				wantOK = 1
			}
			if got := gaugeOf(t, fams, "uccert_verify_ok", nil); got != wantOK || (got == 1) != (c.code == 0) {
				t.Errorf("uccert_verify_ok %v, want %v (exit %d)", got, wantOK, c.code)
			}
			bySeverity, byCheck := map[string]float64{}, map[[2]string]float64{}
			for _, f := range report.Findings {
				bySeverity[f.Severity]++
				byCheck[[2]string{f.Check, f.Severity}]++
			}
			for _, sev := range []string{"ok", "info", "warn", "error"} {
				if got := gaugeOf(t, fams, "uccert_verify_findings", map[string]string{"severity": sev}); got != bySeverity[sev] {
					t.Errorf("uccert_verify_findings{severity=%q} %v, want %v", sev, got, bySeverity[sev])
				}
			}
			if n := len(fams["uccert_verify_findings"].Metric); n != 4 {
				t.Errorf("uccert_verify_findings has %d series, want 4", n)
			}
			if got := len(fams["uccert_verify_check_findings"].GetMetric()); got != len(byCheck) {
				t.Errorf("uccert_verify_check_findings has %d series, want %d", got, len(byCheck))
			}
			for k, n := range byCheck {
				if got := gaugeOf(t, fams, "uccert_verify_check_findings", map[string]string{"check": k[0], "severity": k[1]}); got != n {
					t.Errorf("uccert_verify_check_findings%v = %v, want %v", k, got, n)
				}
			}

			want := expectedSeries(t, c.stores...)
			paths := map[string]bool{}
			for _, s := range c.stores {
				paths[abs(t, filepath.FromSlash(s))] = true
			}
			serials := map[string]string{}
			for _, name := range []string{"x509_cert_not_before", "x509_cert_not_after", "x509_cert_expired"} {
				f := fams[name]
				if f == nil {
					t.Fatalf("no %s", name)
				}
				got := map[string]bool{}
				for _, m := range f.Metric {
					l := labelMap(m)
					if names := labelNames(m); !slices.Equal(names, wantCertLabels) {
						t.Fatalf("%s labels %v, want %v", name, names, wantCertLabels)
					}
					key := l["alias"] + "|" + l["entry_kind"] + "|" + l["subject_CN"]
					w, ok := want[key]
					if !ok {
						t.Errorf("%s: unexpected series %v", name, l)
						continue
					}
					got[key] = true
					if !paths[l["filepath"]] || l["filename"] != filepath.Base(l["filepath"]) {
						t.Errorf("%s %s: filepath %q filename %q, want one of %v", name, key, l["filepath"], l["filename"], paths)
					}
					if l["subject_O"] != rdn(w.Subject, "O") || l["issuer_CN"] != rdn(w.Issuer, "CN") || l["issuer_O"] != rdn(w.Issuer, "O") ||
						l["subject_C"]+l["subject_ST"]+l["subject_L"]+l["subject_OU"] != "" {
						t.Errorf("%s %s: names %v, want subject %s issuer %s", name, key, l, w.Subject, w.Issuer)
					}
					if !serial.MatchString(l["serial_number"]) {
						t.Errorf("%s %s: serial_number %q is not a decimal number", name, key, l["serial_number"])
					}
					// One certificate, one serial, wherever it appears.
					id := w.Subject + "|" + w.Issuer + "|" + w.NotAfter
					if s, ok := serials[id]; ok && s != l["serial_number"] {
						t.Errorf("%s: serial %s here, %s elsewhere", key, l["serial_number"], s)
					}
					serials[id] = l["serial_number"]
					var wantValue float64
					switch name {
					case "x509_cert_not_before":
						wantValue = unixOf(t, w.NotBefore)
					case "x509_cert_not_after":
						wantValue = unixOf(t, w.NotAfter)
					default:
						if float64(c.at.Unix()) > unixOf(t, w.NotAfter) {
							wantValue = 1
						}
					}
					if v := m.GetGauge().GetValue(); v != wantValue {
						t.Errorf("%s{%s} = %v, want %v", name, key, v, wantValue)
					}
				}
				if len(got) != len(want) {
					for k := range want {
						if !got[k] {
							t.Errorf("%s: no series for %s", name, k)
						}
					}
				}
			}
		})
	}
}

// A run that stops before any check (an unreadable --args-file, a
// password source that cannot be read) still says uccert_verify_ok 0,
// with no finding counted and no certificate; the exit status is
// verify's. Usage errors of the output options themselves print nothing.
func TestVerifyPrometheusFailures(t *testing.T) {
	const metrics, nothing, jsonFailure = "metrics", "", "json"
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
	}{
		{"args file missing", []string{"--format", "prometheus", "--args-file", filepath.Join(t.TempDir(), "startup.bat")}, 1, metrics},
		{"password variable unset", []string{"--format", "prometheus", "--host", "ucc.uc.example.com", "--cert-store", abs(t, "stores", "ucc.jks"),
			"--cert-store-pass", "env:UCCERT_NO_SUCH_VARIABLE", "--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"}, 1, metrics},
		{"nothing to verify", []string{"--format", "prometheus"}, 2, metrics},
		{"bad --at", []string{"--format", "prometheus", "--at", "tomorrow", "--krb5", abs(t, "krb5", "good.conf")}, 2, metrics},
		{"unknown format", []string{"--format", "yaml", "--krb5", abs(t, "krb5", "good.conf")}, 2, nothing},
		{"a stray argument", []string{"--format", "prometheus", "ucc.jks"}, 2, nothing},
		// --json asks for every outcome as JSON (docs/cli.md).
		{"--json and --format prometheus", []string{"--json", "--format", "prometheus", "--krb5", abs(t, "krb5", "good.conf")}, 2, jsonFailure},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"verify"}, c.args...)...)
			if r.code != c.code || r.stderr == "" {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, c.code, r.stderr)
			}
			switch c.stdout {
			case nothing:
				if r.stdout != "" {
					t.Errorf("stdout %q, want nothing", r.stdout)
				}
				return
			case jsonFailure:
				var doc failureDoc
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Error.Code != "usage" {
					t.Errorf("stdout %q, want a JSON usage failure (%v)", r.stdout, err)
				}
				return
			}
			fams := parseExposition(t, r.stdout)
			if got := gaugeOf(t, fams, "uccert_verify_ok", nil); got != 0 {
				t.Errorf("uccert_verify_ok %v", got)
			}
			for _, sev := range []string{"ok", "info", "warn", "error"} {
				if got := gaugeOf(t, fams, "uccert_verify_findings", map[string]string{"severity": sev}); got != 0 {
					t.Errorf("uccert_verify_findings{severity=%q} %v", sev, got)
				}
			}
			if len(fams) != 2 {
				t.Errorf("families %v, want uccert_verify_ok and uccert_verify_findings only", slices.Sorted(func(yield func(string) bool) {
					for k := range fams {
						if !yield(k) {
							return
						}
					}
				}))
			}
		})
	}
}

// Subjects with terminal escapes, a leading line feed and a forged
// finding line, an alias with ESC and BEL, a file name with a double
// quote, a backslash and a byte that is not UTF-8: the output parses,
// every label value is valid UTF-8 and shows those characters escaped
// as uccert's human output does, and nothing raw reaches the output.
func TestVerifyPrometheusHostileNames(t *testing.T) {
	dir := t.TempDir()
	name := "h\"q\\b\xff.jks"
	store := filepath.Join(dir, name)
	if err := os.WriteFile(store, nil, 0o600); err != nil {
		t.Skipf("SKIPPING: this file system refuses the name %q: %v", name, err)
	}
	os.Remove(store)
	m := runCLI(t, "", nil, "merge", "-o", store, "--type", "jks", "--out-pass", "pass:changeit1", "--in-pass", "pass:hostile-export",
		abs(t, "exports", "hostile-names.pfx"))
	if m.code != 0 {
		t.Fatalf("merge: %s", m.stderr)
	}
	trust := filepath.Join(dir, "t.jks")
	if r := runCLI(t, "", nil, "truststore", "-o", trust, "--out-pass", "pass:changeit1", abs(t, "pki", "hostile-root.cer"), abs(t, "pki", "issuing.cer")); r.code != 0 {
		t.Fatalf("truststore: %s", r.stderr)
	}
	r := runCLI(t, "", nil, "verify", "--format", "prometheus", "--host", "hostile.uc.example.com",
		"--cert-store", store, "--cert-store-pass", "pass:changeit1", "--key-store", trust, "--key-store-pass", "pass:changeit1")
	if r.code != 0 && r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if c := rawControl(r.stdout); c != "" {
		t.Errorf("a raw %q in the output:\n%s", c, r.stdout)
	}
	if strings.Contains(r.stdout, "\nOK   tls-handshake") {
		t.Error("the forged line starts a line of the output")
	}
	fams := parseExposition(t, r.stdout)
	leaf := readCert(t, "hostile-names.pem")
	root := readCert(t, "hostile-root.pem")
	var sawLeaf, sawRoot bool
	for _, m := range fams["x509_cert_not_after"].GetMetric() {
		l := labelMap(m)
		if l["filename"] == "t.jks" {
			if l["filepath"] != trust {
				t.Errorf("filepath %q, want %q", l["filepath"], trust)
			}
			if l["subject_CN"] != "UC Test Issuing CA" {
				if !strings.HasPrefix(l["subject_CN"], "UC Hostile Root") {
					t.Errorf("unexpected trusted certificate %v", l)
				}
				sawRoot = true
				if l["subject_CN"] != esc(root.Subject.CommonName) || l["issuer_CN"] != esc(root.Issuer.CommonName) || !strings.Contains(l["subject_CN"], `\u202e`) {
					t.Errorf("hostile root: subject_CN %q issuer_CN %q, want %q", l["subject_CN"], l["issuer_CN"], esc(root.Subject.CommonName))
				}
			}
			continue
		}
		if l["filename"] != esc(name) || l["filepath"] != esc(store) {
			t.Errorf("filename %q filepath %q, want %q in %q", l["filename"], l["filepath"], esc(name), esc(store))
		}
		if l["entry_kind"] == "key" {
			sawLeaf = true
			if l["subject_CN"] != esc(leaf.Subject.CommonName) || l["subject_O"] != esc(leaf.Subject.Organization[0]) {
				t.Errorf("subject_CN %q subject_O %q, want %q %q", l["subject_CN"], l["subject_O"], esc(leaf.Subject.CommonName), esc(leaf.Subject.Organization[0]))
			}
			if !strings.HasPrefix(l["subject_O"], `\n`) || !strings.Contains(l["subject_CN"], `\x1b[31m`) {
				t.Errorf("escapes missing: %v", l)
			}
			if l["serial_number"] != leaf.SerialNumber.String() || m.GetGauge().GetValue() != float64(leaf.NotAfter.Unix()) {
				t.Errorf("serial %s value %v, want %s %d", l["serial_number"], m.GetGauge().GetValue(), leaf.SerialNumber, leaf.NotAfter.Unix())
			}
		}
	}
	if !sawLeaf || !sawRoot {
		t.Errorf("series of the hostile leaf %v, of the hostile root %v:\n%s", sawLeaf, sawRoot, r.stdout)
	}
}

func readCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(fixture("pki", name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", name)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The text format's own escapes: a value with a backslash, a double
// quote, a line feed and non-ASCII text reads back exactly.
func TestEscapeLabel(t *testing.T) {
	for _, v := range []string{`plain`, `C:\ucc\keys.jks`, `say "hi"`, "two\nlines", "\\\"\n\\n", "Zürich €", ""} {
		t.Run(v, func(t *testing.T) {
			text := "# HELP m a label value\n# TYPE m gauge\nm{v=\"" + escapeLabel(v) + "\"} 1\n"
			fams := parseExposition(t, text)
			if got := labelMap(fams["m"].Metric[0])["v"]; got != v {
				t.Errorf("read back %q from %q", got, text)
			}
		})
	}
}

// Series that would repeat (the same store given twice, a chain that
// holds one certificate twice) are written once.
func TestVerifyPrometheusNoRepeatedSeries(t *testing.T) {
	store := abs(t, "stores", "truststore.jks")
	r := runCLI(t, "", nil, "verify", "--format", "prometheus", "--mode", "mtls", "--host", "ucc.uc.example.com",
		"--cert-store", store, "--cert-store-pass", "pass:trustpass1", "--key-store", store, "--key-store-pass", "pass:trustpass1")
	fams := parseExposition(t, r.stdout) // fails on a repeated series
	if n := len(fams["x509_cert_not_after"].GetMetric()); n != 2 {
		t.Errorf("%d series for the 2 certificates of %s:\n%s", n, store, r.stdout)
	}
}

// -o FILE: the output goes to FILE (mode 0644), stdout stays empty, the
// exit status is the same; a write that fails leaves the old file as it
// was; a reader never sees a partial file.
func TestVerifyOutputFile(t *testing.T) {
	stores := []string{"--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com",
		"--cert-store", abs(t, "stores", "ucc-with-fes.jks"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"}
	expired := []string{"--host", "expired.uc.example.com",
		"--cert-store", abs(t, "stores", "expired.jks"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"}
	for _, c := range []struct {
		name   string
		format []string
		file   string
		args   []string
		code   int
	}{
		{"prometheus", []string{"--format", "prometheus"}, "uccert.prom", stores, 0},
		{"prometheus, failed checks", []string{"--format", "prometheus"}, "uccert.prom", expired, 1},
		{"json", []string{"--json"}, "verify.json", stores, 0},
		{"format json", []string{"--format", "json"}, "verify.json", expired, 1},
		{"text", nil, "verify.txt", stores, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, c.file)
			if err := os.WriteFile(out, []byte("old content\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{"verify"}, c.format...), c.args...)
			r := runCLI(t, "", nil, append(args, "-o", out)...)
			if r.code != c.code || r.stdout != "" {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q", r.code, c.code, r.stdout, r.stderr)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// The file holds what stdout would have held.
			if want := runCLI(t, "", nil, args...); string(got) != want.stdout || want.code != c.code {
				t.Errorf("-o wrote\n%s\nstdout would hold (exit %d)\n%s", got, want.code, want.stdout)
			}
			if runtime.GOOS != "windows" {
				if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o644 {
					t.Errorf("mode %v, want 0644", fi.Mode().Perm())
				}
			}
			assertDir(t, dir, c.file)
		})
	}

	t.Run("write fails", func(t *testing.T) {
		dir := t.TempDir()
		// Too long a name for the temporary file beside it (the file
		// itself fits): the write fails, as root too, before any change.
		out := filepath.Join(dir, strings.Repeat("u", 245)+".prom")
		if err := os.WriteFile(out, []byte("old content\n"), 0o644); err != nil {
			t.Skipf("SKIPPING: the file system refuses a 250-byte name: %v", err)
		}
		r := runCLI(t, "", nil, append(append([]string{"verify", "--format", "prometheus"}, stores...), "-o", out)...)
		if r.code != exitFailure || r.stdout != "" || !strings.Contains(r.stderr, "temporary file") {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if got, _ := os.ReadFile(out); string(got) != "old content\n" {
			t.Errorf("the old file changed: %q", got)
		}
		assertDir(t, dir, filepath.Base(out))
	})

	t.Run("a folder", func(t *testing.T) {
		dir := t.TempDir()
		r := runCLI(t, "", nil, append(append([]string{"verify", "--format", "prometheus"}, stores...), "-o", dir)...)
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "is a folder") {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		assertDir(t, dir)
	})

	t.Run("not .prom", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "uccert.txt")
		r := runCLI(t, "", nil, append(append([]string{"verify", "--format", "prometheus"}, stores...), "-o", out)...)
		if r.code != 0 || !strings.Contains(r.stderr, "only files ending in .prom") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})

	// A reader polling the file while verify rewrites it, as the
	// collector does, sees a whole exposition every time.
	t.Run("readers see whole files", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "uccert.prom")
		args := append(append([]string{"verify", "--format", "prometheus"}, stores...), "-o", out)
		if r := runCLI(t, "", nil, args...); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		whole, _ := os.ReadFile(out)
		var stop atomic.Bool
		var reads atomic.Int64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				got, err := os.ReadFile(out)
				if err != nil || string(got) != string(whole) {
					t.Errorf("a reader saw %d bytes of %d (%v)", len(got), len(whole), err)
					return
				}
				reads.Add(1)
			}
		}()
		for range 15 {
			if r := runCLI(t, "", nil, args...); r.code != 0 {
				t.Errorf("exit %d: %s", r.code, r.stderr)
			}
		}
		stop.Store(true)
		wg.Wait()
		if reads.Load() == 0 {
			t.Error("the reader never read")
		}
	})
}

// The whole output for the stores of the connector's own command line,
// as docs/verify.md shows it.
func TestVerifyPrometheusGolden(t *testing.T) {
	r := runCLI(t, "", nil, "verify", "--format", "prometheus", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com",
		"--args-file", abs(t, "args", "genesys-mtls.txt"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	parseExposition(t, r.stdout)
	golden(t, "verify-prometheus", normalize(r.stdout, map[string]string{abs(t): "$FIXTURES"}))
}

// --metric-label adds a label to every series (two connectors on one host
// write two files whose uccert_verify_* series must differ); names
// uccert uses itself, bad names and other formats are usage errors.
func TestVerifyMetricLabel(t *testing.T) {
	stores := []string{"--host", "ucc.uc.example.com",
		"--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"}
	r := runCLI(t, "", nil, append([]string{"verify", "--format", "prometheus", "--metric-label", "connector=UCC_1",
		"--metric-label", `site=Zürich "2"`}, stores...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	fams := parseExposition(t, r.stdout)
	for name, f := range fams {
		for _, m := range f.Metric {
			if l := labelMap(m); l["connector"] != "UCC_1" || l["site"] != `Zürich "2"` {
				t.Errorf("%s%v lacks the labels", name, l)
			}
		}
	}
	if len(fams) != 6 {
		t.Errorf("%d families, want 6", len(fams))
	}
	for _, bad := range [][]string{
		{"--format", "prometheus", "--metric-label", "1x=y"},
		{"--format", "prometheus", "--metric-label", "a-b=y"},
		{"--format", "prometheus", "--metric-label", "=y"},
		{"--format", "prometheus", "--metric-label", "connector"},
		{"--format", "prometheus", "--metric-label", "__name__=x"},
		{"--format", "prometheus", "--metric-label", "alias=x"},
		{"--format", "prometheus", "--metric-label", "severity=x"},
		{"--format", "prometheus", "--metric-label", "c=a", "--metric-label", "c=b"},
		{"--metric-label", "connector=x"},
		{"--json", "--metric-label", "connector=x"},
	} {
		r := runCLI(t, "", nil, append(append([]string{"verify"}, bad...), stores...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--metric-label") {
			t.Errorf("%v: exit %d, stderr %q", bad, r.code, r.stderr)
		}
	}
}

// Two entries whose labels are written alike are one series — the names
// escape alike (an ESC byte and the four characters \x1b), or two
// certificates share serial, names and alias — and the series keeps the
// certificate that expires first, so that no expiry is hidden.
func TestExpositionOneSeriesPerLabelSet(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(notAfter time.Time) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "CA", Organization: []string{"O1", "O2"}},
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	later, sooner := mk(time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)), mk(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	store := &keystore.Store{Entries: []*keystore.Entry{
		{Alias: "\x1b", Kind: keystore.KindTrusted, Chain: []*x509.Certificate{later}},
		{Alias: `\x1b`, Kind: keystore.KindTrusted, Chain: []*x509.Certificate{sooner}},
		{Alias: "other", Kind: keystore.KindTrusted, Chain: []*x509.Certificate{later}},
	}}
	out := string(exposition(&finding.Report{}, []verifiedStore{{"t.jks", store}, {"t.jks", store}}, time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC), nil))
	fams := parseExposition(t, out)
	if n := len(fams["x509_cert_not_after"].GetMetric()); n != 2 {
		t.Fatalf("%d series, want 2:\n%s", n, out)
	}
	for _, m := range fams["x509_cert_not_after"].Metric {
		l := labelMap(m)
		want, wantExpired := float64(later.NotAfter.Unix()), 0.0
		if l["alias"] == `\x1b` {
			want, wantExpired = float64(sooner.NotAfter.Unix()), 1
		}
		if m.GetGauge().GetValue() != want || l["subject_O"] != "O1" || l["serial_number"] != "7" {
			t.Errorf("%v = %v, want %v", l, m.GetGauge().GetValue(), want)
		}
		if got := gaugeOf(t, fams, "x509_cert_expired", l); got != wantExpired {
			t.Errorf("x509_cert_expired%v = %v, want %v", l, got, wantExpired)
		}
	}
}
