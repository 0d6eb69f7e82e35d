package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// hostBinDir holds the programs built for the host in this test process;
// TestMain makes it and removes it after the tests.
var hostBinDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "uccert-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hostBinDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// uccertHost builds the uccert command for the host (the GOOS and GOARCH
// of the machine running the tests) once per test process, as
// buildWindows does for windows/amd64, and returns the program's path.
func uccertHost(t *testing.T) string {
	t.Helper()
	f, _ := built.LoadOrStore("host/uccert", sync.OnceValues(func() (string, error) {
		exe := filepath.Join(hostBinDir, "uccert")
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", exe, "github.com/uccert/uccert/cmd/uccert")
		cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build cmd/uccert (%s/%s): %w\n%s", runtime.GOOS, runtime.GOARCH, err, out)
		}
		return exe, nil
	}))
	exe, err := f.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// runHost runs the host build of uccert with args and extra environment
// variables, and fails the test unless it exits 0.
func runHost(t *testing.T, exe string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("uccert %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
