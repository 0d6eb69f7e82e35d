//go:build !windows

// Command uccert-bench times uccert and keytool as whole processes, side by
// side in one run, and writes the results to docs/PERFORMANCE.md. It is a
// developer tool (`make bench`), not part of the product.
//
// Every scenario runs each side once untimed (warm-up), then alternates the
// sides (a, b, a, b, ...) for -runs repetitions (-runs-fast for the cheap
// scenarios that do not run keytool) and reports median, min and max. Output files are removed before every repetition. A missed target is
// reported as FAIL in the table; the exit status is non-zero only when
// something could not be run (1) or on a usage error (2).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

type config struct {
	out         string // the report (docs/PERFORMANCE.md)
	runs        int    // repetitions of scenarios that run keytool
	runsFast    int    // repetitions of the others (cheap: more runs, steadier medians)
	runsStartup int    // repetitions of the start-up scenario
	only        string
	goCmd       string
	keep        bool
	feKey       string // rsa or ec: key type of the 60 generated exports
	goBench     string // saved `go test -bench` output to include
	goBenchArgs string // the arguments it was run with, for the report
}

func run(args []string, log io.Writer) int {
	fs := flag.NewFlagSet("uccert-bench", flag.ContinueOnError)
	fs.SetOutput(log)
	var c config
	fs.StringVar(&c.out, "o", "docs/PERFORMANCE.md", "write the report to `FILE` (overwritten)")
	fs.IntVar(&c.runs, "runs", 5, "timed repetitions per side of the scenarios that run keytool (at least 5 for the report)")
	fs.IntVar(&c.runsFast, "runs-fast", 11, "timed repetitions per side of the scenarios without keytool")
	fs.IntVar(&c.runsStartup, "runs-startup", 201, "timed repetitions per side of the start-up scenario")
	fs.StringVar(&c.only, "only", "", "run only the scenarios in this comma-separated `LIST` (e.g. 3,4), for development")
	fs.StringVar(&c.goCmd, "go", "go", "the go `command` used to build uccert")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directory (generated inputs and outputs)")
	fs.StringVar(&c.feKey, "fe-key", "rsa", "key `TYPE` of the 60 generated Front End exports: rsa (2048) or ec (P-256)")
	fs.StringVar(&c.goBench, "gobench", "", "include the saved output of `go test -bench` from `FILE`")
	fs.StringVar(&c.goBenchArgs, "gobench-args", "", "the go test arguments that produced -gobench, for the report")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(log, "uccert-bench: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if c.runs < 1 || c.runsFast < 1 || c.runsStartup < 1 || (c.feKey != "rsa" && c.feKey != "ec") {
		fmt.Fprintln(log, "uccert-bench: -runs and -runs-fast must be at least 1, -fe-key rsa or ec")
		return 2
	}
	if min(c.runs, c.runsFast) < 5 {
		fmt.Fprintln(log, "uccert-bench: warning: fewer than 5 runs; the report asks for at least 5")
	}
	if _, err := os.Stat(filepath.Join("fixtures", "exports")); err != nil {
		fmt.Fprintln(log, "uccert-bench: run it from the repository root (make bench):", err)
		return 2
	}
	if err := bench(c, log); err != nil {
		fmt.Fprintln(log, "uccert-bench:", err)
		return 1
	}
	return 0
}

func bench(c config, log io.Writer) (err error) {
	start := time.Now()
	for _, tool := range []string{c.goCmd, "keytool", "openssl", "java"} {
		if _, err := exec.LookPath(tool); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "uccert-bench-")
	if err != nil {
		return err
	}
	if c.keep {
		fmt.Fprintln(log, "keeping", dir)
	} else {
		defer func() {
			if rerr := os.RemoveAll(dir); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	r := &runner{tmp: dir, log: log}

	m := describeMachine(c.goCmd)
	fmt.Fprintf(log, "machine: %d cores, %s, %s, load average %s\n", m.cores, m.cpu, m.goVersion, m.loadStart)

	uccert := filepath.Join(dir, "uccert")
	buildCmd := []string{"env", "CGO_ENABLED=0", c.goCmd, "build", "-trimpath", "-tags", "urfave_cli_no_docs", "-ldflags=-s -w", "-o", uccert, "./cmd/uccert"}
	if _, err := r.timed(buildCmd); err != nil {
		return err
	}

	in, err := makeInputs(r, c.feKey)
	if err != nil {
		return err
	}
	startup, err := scenarioStartup(r, uccert, c.goCmd, c.runsStartup)
	if err != nil {
		return err
	}
	hostileDir := filepath.Join(dir, "hostile")
	if err := os.MkdirAll(hostileDir, 0o755); err != nil {
		return err
	}
	hostile, err := makeHostile(hostileDir)
	if err != nil {
		return err
	}
	s6, s7 := filepath.Join(dir, "s6"), filepath.Join(dir, "s7")
	scenarios := []*scenario{
		scenarioFrontEndsJKS(r, uccert),
		scenarioTrustStore(r, uccert, in),
		scenarioSixtyExports(r, uccert, in),
		scenarioVerify(r, uccert),
		startup,
		scenarioHostile(r, 6, fmt.Sprintf("a key with 1,200 look-alike CA certificates (%.1f MB of PEM) into a PKCS#12", float64(hostile.lookAlikeSize)/1e6), uccert,
			[]string{uccert, "merge", "-o", filepath.Join(s6, "out.p12"), "--out-pass", "pass:" + storePass, hostile.lookAlike}, s6, hostile.lookAlikeSize, time.Second),
		scenarioHostile(r, 7, fmt.Sprintf("a trust store from 8,000 certificates with one CN (%.1f MB of PEM)", float64(hostile.sameNameSize)/1e6), uccert,
			[]string{uccert, "truststore", "-o", filepath.Join(s7, "out.jks"), "--out-pass", "pass:" + storePass, hostile.sameName}, s7, hostile.sameNameSize, time.Second),
	}
	if c.only != "" {
		want := map[string]bool{}
		for _, id := range strings.Split(c.only, ",") {
			want[strings.TrimSpace(id)] = true
		}
		scenarios = slices.DeleteFunc(scenarios, func(s *scenario) bool { return !want[strconv.Itoa(s.id)] })
	}
	for _, s := range scenarios {
		fmt.Fprintf(log, "== %d. %s\n", s.id, s.title)
		runs := c.runs
		switch {
		case s.reps > 0:
			runs = s.reps
		case s.cheap:
			runs = c.runsFast
		}
		if err := s.measure(runs, log); err != nil {
			return fmt.Errorf("scenario %d: %w", s.id, err)
		}
	}

	rep := &report{
		machine:     m,
		date:        start,
		build:       r.display(buildCmd),
		inputs:      in,
		scenarios:   scenarios,
		goBenchArgs: c.goBenchArgs,
		only:        c.only,
	}
	if c.goBench != "" {
		b, err := os.ReadFile(c.goBench)
		if err != nil {
			return err
		}
		rep.goBench = parseGoBench(string(b))
		if len(rep.goBench) == 0 {
			return errors.New(c.goBench + ": no benchmark results in it")
		}
	}
	rep.elapsed = time.Since(start)
	rep.loadEnd = loadAverage()
	if err := os.WriteFile(c.out, []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s (%s)\n", c.out, rep.elapsed.Round(time.Second))
	return nil
}
