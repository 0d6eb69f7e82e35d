package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// testdataDir is absolute: some tests change the working directory.
var testdataDir string

func TestMain(m *testing.M) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	testdataDir = dir
	os.Exit(m.Run())
}

// fixture returns the path of a committed fixture.
func fixture(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "fixtures"}, parts...)...)
}

type result struct {
	stdout, stderr string
	code           int
}

// testEnv is an env for tests: fixed clock, fixed FQDN, no terminal.
func testEnv(stdout, stderr io.Writer, environ map[string]string) *env {
	return &env{
		stdin:  strings.NewReader(""),
		stdout: stdout,
		stderr: stderr,
		getenv: func(k string) (string, bool) { v, ok := environ[k]; return v, ok },
		now:    func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) },
		localFQDN: func(context.Context) (string, error) {
			return "ucc.uc.example.com", nil
		},
	}
}

func runEnv(e *env, args ...string) int {
	return run(context.Background(), append([]string{"uccert"}, args...), e)
}

// runCLI runs uccert in process with the given stdin and environment.
func runCLI(t testing.TB, stdin string, environ map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := testEnv(&out, &errb, environ)
	e.stdin = strings.NewReader(stdin)
	code := runEnv(e, args...)
	return result{out.String(), errb.String(), code}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name+".golden")
	if *update {
		if err := os.MkdirAll(testdataDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestVersionAndUsage(t *testing.T) {
	r := runCLI(t, "", nil, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "uccert dev (go") {
		t.Fatalf("--version: %+v", r)
	}
	r = runCLI(t, "", nil, "frobnicate")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %+v", r)
	}
	r = runCLI(t, "", nil, "inspect", "--no-such-flag", "x")
	if r.code != exitUsage {
		t.Fatalf("unknown flag: %+v", r)
	}
	r = runCLI(t, "", nil, "inspect", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "EXAMPLES:") || !strings.Contains(r.stdout, "EXIT CODES") {
		t.Fatalf("inspect --help: %+v", r)
	}
}

func assertMode(t testing.TB, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want 0600", path, fi.Mode().Perm())
	}
}

// assertDir fails when dir holds anything but want (e.g. a temp file).
func assertDir(t testing.TB, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}
