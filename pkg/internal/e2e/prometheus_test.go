package e2e

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// `uccert verify --format prometheus` judged by keytool and OpenSSL: for
// each store, `keytool -list -rfc` gives every entry (alias, entry type,
// the certificates of its chain in order) and `openssl x509` each
// certificate's serial, subject, issuer and dates; the x509_cert_* series
// must be exactly those certificates, with the x509-certificate-exporter's
// labels (serial_number in decimal, subject_* and issuer_* from the first
// value of C, ST, L, O, OU, CN) and uccert's alias and entry_kind, and the
// output must parse with Prometheus' own text parser.
func TestPrometheusAgainstKeytoolAndOpenSSL(t *testing.T) {
	judge.Require(t, "keytool")
	judge.Require(t, "openssl")
	exe := uccertHost(t)
	stores := filepath.Join("..", "..", "..", "fixtures", "stores")
	cases := []struct {
		name           string
		cert, key      string
		certPass       string
		at             time.Time
		code           int
		extraArguments []string
	}{
		{"pkcs12 and jks", "ucc-with-fes.p12", "truststore.jks", "changeit1", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 0,
			[]string{"--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com"}},
		{"expired beside renewed", "fe1-expired-first.jks", "truststore.p12", "changeit1", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 1, nil},
		{"at 2041", "ucc.jks", "truststore.jks", "changeit1", time.Date(2041, 1, 1, 0, 0, 0, 0, time.UTC), 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cert, key := filepath.Join(stores, c.cert), filepath.Join(stores, c.key)
			args := append([]string{"verify", "--format", "prometheus", "--at", c.at.Format(time.RFC3339), "--host", "ucc.uc.example.com",
				"--cert-store", cert, "--cert-store-pass", "env:UCCERT_E2E_KS", "--key-store", key, "--key-store-pass", "env:UCCERT_E2E_TS"}, c.extraArguments...)
			cmd := exec.Command(exe, args...)
			cmd.Env = append(os.Environ(), "UCCERT_E2E_KS="+c.certPass, "UCCERT_E2E_TS=trustpass1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var exit *exec.ExitError
			code := 0
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code {
				t.Fatalf("exit %d, want %d: %s", code, c.code, stderr.String())
			}
			p := expfmt.NewTextParser(model.LegacyValidation)
			fams, err := p.TextToMetricFamilies(strings.NewReader(string(out)))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			want := map[string]judgedCert{}
			for _, s := range []struct{ file, pass string }{{cert, c.certPass}, {key, "trustpass1"}} {
				for k, v := range judgeStore(t, s.file, s.pass) {
					want[k] = v
				}
			}
			for _, name := range []string{"x509_cert_not_before", "x509_cert_not_after", "x509_cert_expired"} {
				got := map[string]bool{}
				for _, m := range fams[name].GetMetric() {
					l := map[string]string{}
					for _, lp := range m.Label {
						l[lp.GetName()] = lp.GetValue()
					}
					k := seriesKey(l)
					w, ok := want[k]
					if !ok {
						t.Errorf("%s: a series keytool and OpenSSL do not know: %s", name, k)
						continue
					}
					got[k] = true
					var v float64
					switch name {
					case "x509_cert_not_before":
						v = float64(w.notBefore.Unix())
					case "x509_cert_not_after":
						v = float64(w.notAfter.Unix())
					default:
						if c.at.After(w.notAfter) {
							v = 1
						}
					}
					if m.GetGauge().GetValue() != v {
						t.Errorf("%s{%s} = %v, want %v", name, k, m.GetGauge().GetValue(), v)
					}
				}
				for k := range want {
					if !got[k] {
						t.Errorf("%s: no series for %s", name, k)
					}
				}
			}
			if ok := gaugeValue(fams["uccert_verify_ok"]); (ok == 1) != (c.code == 0) {
				t.Errorf("uccert_verify_ok %v with exit %d", ok, c.code)
			}
		})
	}
}

// judgedCert is a certificate's dates as OpenSSL reads them.
type judgedCert struct{ notBefore, notAfter time.Time }

// judgeStore lists the certificates of a store as keytool and OpenSSL
// see them, keyed by the labels uccert must give them (seriesKey).
func judgeStore(t *testing.T, file, pass string) map[string]judgedCert {
	t.Helper()
	t.Setenv(judge.PassEnv, pass)
	list, err := judge.Keytool(t, "-list", "-rfc", "-keystore", file, "-storepass:env", judge.PassEnv)
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]judgedCert{}
	for _, chunk := range strings.Split(list, "Alias name: ")[1:] {
		alias, _, _ := strings.Cut(chunk, "\n")
		kind := "trusted"
		if strings.Contains(chunk, "Entry type: PrivateKeyEntry") {
			kind = "key"
		} else if !strings.Contains(chunk, "Entry type: trustedCertEntry") {
			t.Fatalf("%s: entry %s of an unexpected type:\n%s", file, alias, chunk)
		}
		rest := []byte(chunk)
		for i := 0; ; i++ {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			k := kind
			if kind == "key" && i > 0 {
				k = "chain"
			}
			text, err := judge.OpenSSL(t, pem.EncodeToMemory(block), "x509", "-noout", "-serial", "-subject", "-issuer",
				"-startdate", "-enddate", "-nameopt", "RFC2253,-esc_msb")
			if err != nil {
				t.Fatal(err)
			}
			f := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
				name, value, _ := strings.Cut(line, "=")
				f[name] = value
			}
			serial, ok := new(big.Int).SetString(f["serial"], 16)
			if !ok {
				t.Fatalf("openssl serial %q", f["serial"])
			}
			labels := map[string]string{"filepath": abs, "filename": filepath.Base(abs), "serial_number": serial.String(),
				"alias": alias, "entry_kind": k}
			for _, side := range []string{"subject", "issuer"} {
				for _, attr := range []string{"C", "ST", "L", "O", "OU", "CN"} {
					labels[side+"_"+attr] = ""
				}
				for _, rdn := range strings.Split(f[side], ",") {
					a, v, _ := strings.Cut(rdn, "=")
					if _, known := labels[side+"_"+a]; known && labels[side+"_"+a] == "" {
						labels[side+"_"+a] = v
					}
				}
			}
			out[seriesKey(labels)] = judgedCert{openSSLTime(t, f["notBefore"]), openSSLTime(t, f["notAfter"])}
		}
	}
	if len(out) == 0 {
		t.Fatalf("keytool lists no certificate in %s:\n%s", file, list)
	}
	return out
}

// seriesKey is a series' labels in a fixed order.
func seriesKey(l map[string]string) string {
	var b strings.Builder
	for _, name := range []string{"filepath", "filename", "alias", "entry_kind", "serial_number",
		"subject_C", "subject_ST", "subject_L", "subject_O", "subject_OU", "subject_CN",
		"issuer_C", "issuer_ST", "issuer_L", "issuer_O", "issuer_OU", "issuer_CN"} {
		v, ok := l[name]
		if !ok {
			v = "<missing>"
		}
		b.WriteString(name + "=" + v + " ")
	}
	if len(l) != 17 {
		fmt.Fprintf(&b, "<%d labels, want 17>", len(l))
	}
	return b.String()
}

func openSSLTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse("Jan _2 15:04:05 2006 MST", s)
	if err != nil {
		t.Fatalf("openssl date %q: %v", s, err)
	}
	return tm
}

func gaugeValue(f *dto.MetricFamily) float64 {
	if f == nil || len(f.Metric) != 1 {
		return -1
	}
	return f.Metric[0].GetGauge().GetValue()
}

// node_exporter's textfile collector, the real consumer, reads the files
// of three verify runs from one folder — two connectors told apart with
// --metric-label, one with hostile names (terminal escapes in the
// subject, the alias and a store file name with a quote, a backslash and
// a byte that is not UTF-8) — without a read error, and serves every
// series of every file with its labels and value.
func TestPrometheusNodeExporterReadsTheFiles(t *testing.T) {
	nodeExporter := judge.Require(t, "prometheus-node-exporter")
	exe := uccertHost(t)
	fixtures := filepath.Join("..", "..", "..", "fixtures")
	work, textfiles := t.TempDir(), t.TempDir()
	hostileStore := filepath.Join(work, "h\"q\\b\xff.jks")
	if err := os.WriteFile(hostileStore, nil, 0o600); err != nil {
		t.Skipf("SKIPPING: this file system refuses the name %q: %v", hostileStore, err)
	}
	os.Remove(hostileStore)
	env := []string{"UCCERT_E2E_KS=changeit1", "UCCERT_E2E_TS=trustpass1", "UCCERT_E2E_HOSTILE=hostile-export"}
	runHost(t, exe, env, "merge", "-o", hostileStore, "--type", "jks", "--out-pass", "env:UCCERT_E2E_KS", "--in-pass", "env:UCCERT_E2E_HOSTILE",
		filepath.Join(fixtures, "exports", "hostile-names.pfx"))
	hostileTrust := filepath.Join(work, "trust.jks")
	runHost(t, exe, env, "truststore", "-o", hostileTrust, "--out-pass", "env:UCCERT_E2E_TS",
		filepath.Join(fixtures, "pki", "hostile-root.cer"), filepath.Join(fixtures, "pki", "issuing.cer"))
	runs := []struct {
		file       string
		cert, key  string
		label      string
		wantOK     float64
		extraFlags []string
	}{
		{"ucc1.prom", filepath.Join(fixtures, "stores", "ucc-with-fes.jks"), filepath.Join(fixtures, "stores", "truststore.jks"), "UCC_1", 1,
			[]string{"--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com"}},
		{"ucc2.prom", filepath.Join(fixtures, "stores", "fe1-expired-first.p12"), filepath.Join(fixtures, "stores", "truststore.p12"), "UCC_2", 0,
			[]string{"--host", "ucc.uc.example.com"}},
		{"hostile.prom", hostileStore, hostileTrust, "hostile", -1, []string{"--host", "hostile.uc.example.com"}},
	}
	files := map[string]map[string]*dto.MetricFamily{}
	for _, r := range runs {
		out := filepath.Join(textfiles, r.file)
		args := append([]string{"verify", "--format", "prometheus", "-o", out, "--metric-label", "connector=" + r.label,
			"--cert-store", r.cert, "--cert-store-pass", "env:UCCERT_E2E_KS", "--key-store", r.key, "--key-store-pass", "env:UCCERT_E2E_TS"}, r.extraFlags...)
		cmd := exec.Command(exe, args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() != 1 {
			t.Fatalf("uccert %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		parser := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := parser.TextToMetricFamilies(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		if r.wantOK >= 0 && gaugeValue(fams["uccert_verify_ok"]) != r.wantOK {
			t.Errorf("%s: uccert_verify_ok %v, want %v", r.file, gaugeValue(fams["uccert_verify_ok"]), r.wantOK)
		}
		files[r.file] = fams
	}

	scrape := scrapeNodeExporter(t, nodeExporter, textfiles)
	if v := gaugeValue(scrape["node_textfile_scrape_error"]); v != 0 {
		t.Errorf("node_textfile_scrape_error %v", v)
	}
	if n := len(scrape["node_textfile_mtime_seconds"].GetMetric()); n != len(runs) {
		t.Errorf("node_exporter read %d files, want %d", n, len(runs))
	}
	served := map[string]float64{}
	for name, f := range scrape {
		for _, m := range f.Metric {
			served[name+metricKey(m)] = m.GetGauge().GetValue()
		}
	}
	for file, fams := range files {
		for name, f := range fams {
			for _, m := range f.Metric {
				v, ok := served[name+metricKey(m)]
				if !ok {
					t.Errorf("%s: node_exporter does not serve %s%s", file, name, metricKey(m))
				} else if v != m.GetGauge().GetValue() {
					t.Errorf("%s: node_exporter serves %s%s = %v, the file says %v", file, name, metricKey(m), v, m.GetGauge().GetValue())
				}
			}
		}
	}
}

// metricKey is a series' labels, sorted.
func metricKey(m *dto.Metric) string {
	var pairs []string
	for _, l := range m.Label {
		pairs = append(pairs, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	slices.Sort(pairs)
	return "{" + strings.Join(pairs, ",") + "}"
}

// scrapeNodeExporter starts node_exporter with only its textfile
// collector on dir, scrapes it once and stops it.
func scrapeNodeExporter(t *testing.T, nodeExporter, dir string) map[string]*dto.MetricFamily {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs strings.Builder
	cmd := exec.Command(nodeExporter, "--web.listen-address="+addr, "--collector.disable-defaults", "--collector.textfile",
		"--collector.textfile.directory="+dir)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("node_exporter's log:\n%s", logs.String())
		}
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	var body []byte
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := client.Get("http://" + addr + "/metrics")
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node_exporter on %s does not answer: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(logs.String(), "level=error") {
		t.Errorf("node_exporter logged an error:\n%s", logs.String())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("node_exporter's answer: %v", err)
	}
	return fams
}

// The alert rules of docs/monitoring.md, as printed there: promtool
// checks them and runs them on series shaped like uccert's (promtool's
// clock starts at the Unix epoch: a notAfter of 864000 is ten days
// away).
func TestMonitoringAlertRules(t *testing.T) {
	promtool := judge.Require(t, "promtool")
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "monitoring.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "## Alert rules")
	_, rest, ok2 := strings.Cut(rest, "```yaml\n")
	rules, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/monitoring.md has no yaml block under ## Alert rules")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "uccert.rules.yml"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	const cert = `instance="ucc01:9100",filepath="/opt/ucc/ucc-keys.jks",filename="ucc-keys.jks",serial_number="8192",subject_CN="fe1.uc.example.com",issuer_CN="UC Test Issuing CA"`
	const old = `instance="ucc01:9100",filepath="/opt/ucc/ucc-keys.jks",filename="ucc-keys.jks",serial_number="8190",subject_CN="fe1.uc.example.com",issuer_CN="UC Test Issuing CA"`
	const root = `instance="ucc01:9100",filepath="/opt/ucc/ucc-trust.jks",filename="ucc-trust.jks",serial_number="4096",subject_CN="UC Test Root CA",issuer_CN="UC Test Root CA",alias="ucc-cert",entry_kind="trusted"`
	tests := `rule_files: [uccert.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'x509_cert_not_after{` + cert + `,alias="fe1.uc.example.com",entry_kind="key"}'
        values: '864000+0x420'
      - series: 'x509_cert_expired{` + cert + `,alias="fe1.uc.example.com",entry_kind="key"}'
        values: '0+0x420'
      - series: 'x509_cert_not_after{` + old + `,alias="fe1-old",entry_kind="key"}'
        values: '0+0x420'
      - series: 'x509_cert_expired{` + old + `,alias="fe1-old",entry_kind="key"}'
        values: '1+0x420'
      - series: 'x509_cert_not_after{` + root + `}'
        values: '2366841600+0x420'
      - series: 'x509_cert_expired{` + root + `}'
        values: '0+0x420'
      - series: 'uccert_verify_ok{instance="ucc01:9100"}'
        values: '1+0x60 0+0x360'
      - series: 'node_textfile_mtime_seconds{instance="ucc01:9100",file="/var/lib/node_exporter/textfile_collector/uccert.prom"}'
        values: '0+60x120 7200+0x300'
      - series: 'windows_textfile_mtime_seconds{instance="ucc02:9182",file="C:\\Program Files\\windows_exporter\\textfile_inputs\\uccert.prom"}'
        values: '0+60x420'
    alert_rule_test:
      - eval_time: 2h
        alertname: CertificateExpiresSoon
        exp_alerts:
          - exp_labels: {severity: warning, ` + yamlLabels(cert) + `, alias: fe1.uc.example.com, entry_kind: key}
            exp_annotations:
              summary: Certificate expires within 30 days
              description: 'fe1.uc.example.com (key fe1.uc.example.com in /opt/ucc/ucc-keys.jks on ucc01:9100) expires in 10 days: renew it and merge the new export (uccert merge --append --replace).'
      - eval_time: 2h
        alertname: CertificateExpired
        exp_alerts:
          - exp_labels: {severity: critical, ` + yamlLabels(old) + `, alias: fe1-old, entry_kind: key}
            exp_annotations:
              summary: Certificate has expired
              description: 'fe1.uc.example.com (key fe1-old in /opt/ucc/ucc-keys.jks on ucc01:9100) has expired.'
      - eval_time: 90m
        alertname: UCConnectorPreflightFails
      - eval_time: 150m
        alertname: UCConnectorPreflightFails
        exp_alerts:
          - exp_labels: {severity: critical, instance: 'ucc01:9100'}
            exp_annotations:
              summary: uccert verify fails
              description: 'uccert verify fails on ucc01:9100: the connector may not start, or not serve every Front End; uccert_verify_check_findings{severity="error"} names the checks, and uccert verify run by hand says why.'
      - eval_time: 4h
        alertname: UCConnectorPreflightStale
      - eval_time: 6h
        alertname: UCConnectorPreflightStale
        exp_alerts:
          - exp_labels: {severity: warning, instance: 'ucc01:9100', file: /var/lib/node_exporter/textfile_collector/uccert.prom}
            exp_annotations:
              summary: uccert verify has not run for 3 hours
              description: '/var/lib/node_exporter/textfile_collector/uccert.prom on ucc01:9100 was last written 4h 0m 0s ago: is the cron job or scheduled task still there?'
`
	if err := os.WriteFile(filepath.Join(dir, "uccert.test.yml"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check", "rules", "uccert.rules.yml"}, {"test", "rules", "uccert.test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// yamlLabels turns `a="x",b="y"` into `a: 'x', b: 'y'`.
func yamlLabels(promLabels string) string {
	var out []string
	for _, pair := range strings.Split(promLabels, ",") {
		name, value, _ := strings.Cut(pair, "=")
		out = append(out, name+": '"+strings.Trim(value, `"`)+"'")
	}
	return strings.Join(out, ", ")
}
