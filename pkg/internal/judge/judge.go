// Package judge runs the real consumers and producers (Java, keytool, OpenSSL, NSS)
// in tests, so that what uccert writes is judged by them and not by our own reader.
// It also runs Windows builds of Go programs under Wine ([Wine]), so that the
// Windows binary administrators use is tested, not only its Linux twin.
//
// Every helper takes a testing.TB and is meant for _test.go files. A missing tool
// skips the test loudly on a developer machine and fails it in CI (when the
// environment variable CI is set), see [Require].
//
// Passwords are never put on a tool's command line: they travel in environment
// variables of the child process (OpenSSL's env:VAR, keytool's -storepass:env).
package judge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// PassEnv is the environment variable through which the helpers hand a
// password to OpenSSL (-passin env:UCCERT_JUDGE_PASS) and keytool
// (-storepass:env UCCERT_JUDGE_PASS). It is set only in the child's environment.
const PassEnv = "UCCERT_JUDGE_PASS"

// timeout bounds every tool run except a running TLS server.
const timeout = 60 * time.Second

// debianPackages names the Debian package that provides each tool.
var debianPackages = map[string]string{
	"javac":        "openjdk-17-jdk-headless",
	"java":         "openjdk-17-jdk-headless",
	"keytool":      "openjdk-17-jdk-headless",
	"openssl":      "openssl",
	"pk12util":     "libnss3-tools",
	"certutil":     "libnss3-tools",
	"krb5kdc":      "krb5-kdc",
	"kdb5_util":    "krb5-kdc",
	"kadmin.local": "krb5-admin-server",
	"klist":        "krb5-user",
	"strace":       "strace",
	// Debian's wine64 alone puts nothing in PATH; wine adds the wrappers.
	"wine":                   "wine64 wine",
	"wine64":                 "wine64 wine",
	"wineserver":             "wine64 wine",
	"x86_64-w64-mingw32-gcc": "gcc-mingw-w64-x86-64",
	// node_exporter's textfile collector reads verify --format prometheus;
	// promtool checks the alert rules of docs/monitoring.md.
	"prometheus-node-exporter": "prometheus-node-exporter",
	"promtool":                 "prometheus",
}

// Require returns the absolute path of tool (javac, java, keytool, openssl,
// pk12util, certutil, krb5kdc, kdb5_util, kadmin.local, strace, wine, wineserver,
// x86_64-w64-mingw32-gcc, prometheus-node-exporter, promtool), looked up in PATH and
// then in /usr/sbin and /sbin. When the tool is missing, the test fails if the
// environment variable CI is non-empty (CI must install every tool) and is
// skipped, loudly, otherwise.
func Require(t testing.TB, tool string) string {
	t.Helper()
	if path, err := lookTool(tool); err == nil {
		return path
	}
	pkg, ok := debianPackages[tool]
	if !ok {
		pkg = "the package that provides " + tool
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI; .ci/run must install it (apt-get install %s)", tool, pkg)
	}
	t.Skipf("SKIPPING: %s not installed; this test runs in CI (install %s: apt-get install %s)", tool, pkg, pkg)
	return ""
}

// lookTool finds tool in PATH, /usr/sbin or /sbin and returns its absolute path.
func lookTool(tool string) (string, error) {
	path, err := exec.LookPath(tool)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/sbin"} {
			p, e := exec.LookPath(filepath.Join(dir, tool))
			if e == nil {
				path, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return "", err
	}
	return filepath.Abs(path)
}

// result is what a finished tool run left behind.
type result struct {
	stdout, stderr string
	exitCode       int // -1 when the process did not exit normally
}

// run runs name with args, stdin and extra environment entries ("K=V") added to
// this process's environment, within the package timeout. It returns an error
// only when the process could not be run or did not finish (start failure,
// timeout, signal); a non-zero exit is reported in result.exitCode.
func run(name string, env []string, stdin []byte, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String(), exitCode: cmd.ProcessState.ExitCode()}
	if ctx.Err() != nil {
		return res, fmt.Errorf("%s %s: timed out after %v; stderr:\n%s", filepath.Base(name), strings.Join(args, " "), timeout, res.stderr)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	if res.exitCode < 0 {
		return res, fmt.Errorf("%s %s: %w; stderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, res.stderr)
	}
	return res, nil
}

// utf8Env makes Java decode file names and encode output as UTF-8 whatever the
// caller's locale is.
const utf8Env = "LC_ALL=C.UTF-8"
