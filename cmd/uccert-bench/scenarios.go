//go:build !windows

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// outDir returns a reset func that empties a scenario's output folder: no
// output file exists when a repetition starts.
func outDir(dir string) func() error {
	return func() error {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		return os.MkdirAll(dir, 0o755)
	}
}

func processSide(r *runner, label string, reset func() error, cmds ...[]string) *side {
	sd := &side{label: label, reset: reset, run: func() (sample, error) { return r.sequence(cmds) }}
	for _, c := range cmds {
		sd.commands = append(sd.commands, r.display(c))
	}
	return sd
}

// 1. The deployment guide's job: two Front End exports into one JKS.
func scenarioFrontEndsJKS(r *runner, uccert string) *scenario {
	dir := filepath.Join(r.tmp, "s1")
	fe1, fe2 := "fixtures/exports/fe1-openssl.pfx", "fixtures/exports/fe2-legacy.pfx"
	out := filepath.Join(dir, "out.jks")
	importKS := func(src, pass string) []string {
		return []string{"keytool", "-importkeystore", "-srckeystore", src, "-srcstoretype", "pkcs12", "-srcstorepass", pass,
			"-destkeystore", out, "-deststoretype", "jks", "-deststorepass", storePass, "-destkeypass", storePass, "-noprompt"}
	}
	return &scenario{
		id:     1,
		title:  "two Front End exports into a JKS",
		target: "uccert ≥ 30× faster",
		a: processSide(r, "uccert", outDir(dir), []string{uccert, "merge", "-o", out, "--out-pass", "pass:" + storePass,
			"--in-pass", "pass:fe1-export", "--in-pass", "pass:fe2-export", fe1, fe2}),
		b:     processSide(r, "keytool", outDir(dir), importKS(fe1, "fe1-export"), importKS(fe2, "fe2-export")),
		judge: faster(30),
	}
}

// 2. A trust store from 10 CA certificates.
func scenarioTrustStore(r *runner, uccert string, in *inputs) *scenario {
	dir := filepath.Join(r.tmp, "s2")
	out := filepath.Join(dir, "out.jks")
	u := append([]string{uccert, "truststore", "-o", out, "--out-pass", "pass:" + storePass}, in.caCerts...)
	var k [][]string
	for i, c := range in.caCerts {
		k = append(k, []string{"keytool", "-importcert", "-noprompt", "-alias", "ca" + strconv.Itoa(i+1), "-file", c,
			"-keystore", out, "-storepass", storePass})
	}
	return &scenario{
		id:     2,
		title:  fmt.Sprintf("a trust store from %d CA certificates", len(in.caCerts)),
		target: "uccert ≥ 100× faster",
		a:      processSide(r, "uccert", outDir(dir), u),
		b:      processSide(r, "keytool", outDir(dir), k...),
		judge:  faster(100),
	}
}

// 3. 60 Front End exports into one PKCS#12, against the floor set by the
// key derivations the formats require.
func scenarioSixtyExports(r *runner, uccert string, in *inputs) *scenario {
	dir := filepath.Join(r.tmp, "s3")
	out := filepath.Join(dir, "out.p12")
	argv := append([]string{uccert, "merge", "-o", out, "--out-pass", "pass:" + storePass, "--in-pass", "pass:" + fePass}, in.exports...)
	a := processSide(r, "uccert", outDir(dir), argv)
	a.commands = []string{r.display(argv[:len(argv)-len(in.exports)]) + " $BENCH/fe/fe{01..60}.pfx"}
	b := &side{label: "KDF floor", prose: true}
	s := &scenario{
		id:     3,
		title:  fmt.Sprintf("%d Front End exports into one PKCS#12 (modern)", len(in.exports)),
		target: "uccert < 1 s and ≤ 1.5× the floor",
		cheap:  true,
		a:      a,
		b:      b,
		judge: func(a stats, b *stats) (string, bool) {
			x := float64(a.median) / float64(b.median)
			c := float64(a.medianCPU) / float64(b.medianCPU)
			return fmt.Sprintf("%.2f× the floor (CPU %.2f×)", x, c), a.median < time.Second && x <= 1.5
		},
	}
	// The output's derivations are read from what uccert writes, so the
	// floor follows the product's profile rather than an assumption.
	s.before = func() error {
		if err := a.reset(); err != nil {
			return err
		}
		if _, err := a.run(); err != nil {
			return err
		}
		outInfo, err := readP12Info(out, storePass)
		if err != nil {
			return err
		}
		f, err := newFloorJob(in.infos, fePass, outInfo, storePass)
		if err != nil {
			return err
		}
		b.run = f.run
		b.commands = append([]string{fmt.Sprintf("in-process Go (cmd/uccert-bench/floor.go), %d derivations on GOMAXPROCS goroutines:", len(f.ds))}, f.summary()...)
		s.notes = append(s.notes, fmt.Sprintf("Iteration counts read with `openssl pkcs12 -info -noout` from the %d inputs and from uccert's output.", len(in.infos)))
		return nil
	}
	return s
}

// 4. Offline verify of a 3-entry key store, a trust store and a krb5.conf.
func scenarioVerify(r *runner, uccert string) *scenario {
	argv := []string{uccert, "verify", "--host", "ucc.uc.example.com",
		"--cert-store", "fixtures/stores/ucc-with-fes.jks", "--cert-store-pass", "pass:" + storePass,
		"--key-store", "fixtures/stores/truststore.jks", "--key-store-pass", "pass:trustpass1",
		"--krb5", "fixtures/krb5/good.conf"}
	return &scenario{
		id:     4,
		title:  "offline verify: 3-entry key store, trust store, krb5.conf",
		target: "uccert < 100 ms",
		cheap:  true,
		a:      processSide(r, "uccert", nil, argv),
		judge: func(a stats, _ *stats) (string, bool) {
			return "—", a.median < 100*time.Millisecond
		},
	}
}

// bareSource is a Go program that links crypto/x509 and does nothing
// else: the start-up every Go tool of this kind pays.
const bareSource = `package main

import (
	"crypto/x509"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 5 {
		x509.NewCertPool()
	}
	fmt.Println("bare")
}
`

// 5. Start-up: uccert --version beside a bare Go program that links
// crypto/x509, built the same way.
func scenarioStartup(r *runner, uccert, goCmd string, reps int) (*scenario, error) {
	dir := filepath.Join(r.tmp, "bare")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(bareSource), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module bare\n\ngo 1.26\n"), 0o644); err != nil {
		return nil, err
	}
	bare := filepath.Join(dir, "bare")
	build := exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", bare, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the bare program: %w\n%s", err, out)
	}
	b := processSide(r, "bare Go", nil, []string{bare})
	b.commands = append(b.commands, "(package main importing crypto/x509, fmt, os; built like uccert: CGO_ENABLED=0, -trimpath, -ldflags=-s -w)")
	// The floor: the same uccert, ended by an init function after every
	// package's initialisation (cmd/uccert/startupfloor.go).
	floor := filepath.Join(dir, "uccert-floor")
	build = exec.Command(goCmd, "build", "-trimpath", "-tags", "urfave_cli_no_docs,uccert_startup_floor", "-ldflags=-s -w", "-o", floor, "./cmd/uccert")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building uccert with -tags uccert_startup_floor: %w\n%s", err, out)
	}
	f := processSide(r, "uccert before main", nil, []string{floor})
	f.commands = append(f.commands, "(uccert built as above with -tags urfave_cli_no_docs,uccert_startup_floor: it exits after every package's initialisation, before main runs)")
	return &scenario{
		id:     5,
		title:  "start-up: uccert --version beside a bare Go program that links crypto/x509",
		target: "uccert ≤ 1.25× the bare program",
		cheap:  true,
		reps:   reps,
		a:      processSide(r, "uccert", nil, []string{uccert, "--version"}),
		b:      b,
		refs:   []*side{f},
		judge: func(a stats, b *stats) (string, bool) {
			x := float64(a.median) / float64(b.median)
			return fmt.Sprintf("%.2f× the bare program", x), x <= 1.25
		},
	}, nil
}
