package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// uccert.exe verify --format prometheus -o into windows_exporter's default
// textfile folder: the file is written and then replaced, its labels hold
// the Windows paths (backslashes escaped as the format requires); while a
// reader holds it open as Go's os.Open does (windows_exporter is a Go
// program), Windows refuses the replacement: exit 1, the previous file
// stays whole, no temporary file is left; the next run replaces it.
func TestWineVerifyPrometheusOutput(t *testing.T) {
	s := setup(t)
	s.w.WriteFile(t, s.path("ucc keys.jks"), fixture(t, "stores/ucc-with-fes.jks"))
	s.w.WriteFile(t, s.path("ucc trust.jks"), fixture(t, "stores/truststore.jks"))
	const textDir = `C:\Program Files\windows_exporter\textfile_inputs`
	dir := s.w.TempDir(t, textDir)
	out := textDir + `\uccert.prom`
	args := []string{"verify", "--format", "prometheus", "-o", out, "--host", "ucc.uc.example.com",
		"--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com",
		"--cert-store", s.path("ucc keys.jks"), "--cert-store-pass", "file:" + s.path("out.pass"),
		"--key-store", s.path("ucc trust.jks"), "--key-store-pass", "file:" + s.path("trust.pass")}
	read := func(wantExpired float64) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, "uccert.prom"))
		if err != nil {
			t.Fatal(err)
		}
		p := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		leaves := 0
		for _, m := range fams["x509_cert_expired"].GetMetric() {
			l := map[string]string{}
			for _, lp := range m.Label {
				l[lp.GetName()] = lp.GetValue()
			}
			if l["filename"] == "ucc keys.jks" && l["filepath"] != s.path("ucc keys.jks") {
				t.Errorf("filepath %q, want %q", l["filepath"], s.path("ucc keys.jks"))
			}
			if l["entry_kind"] == "key" {
				leaves++
				if m.GetGauge().GetValue() != wantExpired {
					t.Errorf("x509_cert_expired %v for %s, want %v", m.GetGauge().GetValue(), l["alias"], wantExpired)
				}
			}
		}
		if leaves != 3 {
			t.Errorf("%d key entries in the file, want 3:\n%s", leaves, data)
		}
		return data
	}

	if r := s.ok(t, args...); r.Stdout != "" {
		t.Errorf("stdout %q, want nothing", r.Stdout)
	}
	read(0)
	// Replaced: judged in 2041, after the leaves' notAfter (exit 1).
	if r := s.uccert(t, append(args, "--at", "2041-01-01")...); r.ExitCode != 1 || r.Stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.ExitCode, r.Stdout, r.Stderr)
	}
	before := read(1)

	marker := filepath.Join(t.TempDir(), "holding")
	holder := s.w.Start(t, holderExe(t, s.w), []string{out, s.w.WinPath(marker)}, judge.WineRun{Stdin: []byte{}})
	waitFor(t, "the holder to open the file", func() bool {
		if holder.Exited() {
			r := holder.Wait(t)
			t.Fatalf("holder: exit %d: %s%s", r.ExitCode, r.Stdout, r.Stderr)
		}
		_, err := os.Stat(marker)
		return err == nil
	})
	r := s.uccert(t, args...)
	t.Logf("verify -o while the file is open elsewhere: exit %d, stderr %q", r.ExitCode, r.Stderr)
	if r.ExitCode != 1 || !strings.Contains(r.Stderr, out+": ") || !strings.Contains(r.Stderr, "may have it open (rename ") {
		t.Errorf("exit %d, stderr %q", r.ExitCode, r.Stderr)
	}
	if after, err := os.ReadFile(filepath.Join(dir, "uccert.prom")); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the file changed (%v)", err)
	}
	assertOnly(t, dir, nil, "uccert.prom")
	if r := holder.Wait(t); r.ExitCode != 0 {
		t.Fatalf("holder: exit %d: %s%s", r.ExitCode, r.Stdout, r.Stderr)
	}
	s.ok(t, args...)
	read(0)
}
