package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// verify -o writes as the store commands do (pkg/atomicfile): through a
// symbolic link to its target, never over anything but a regular file
// (refused before any work), and not at all once a signal cancelled the
// run (the old file stays).
func TestVerifyOutputWrite(t *testing.T) {
	stores := []string{"verify", "--format", "prometheus", "--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com",
		"--cert-store", abs(t, "stores", "ucc-with-fes.jks"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1"}

	t.Run("through a link", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "ucc-2026.prom")
		if err := os.WriteFile(target, []byte("old content\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "uccert.prom")
		if err := os.Symlink("ucc-2026.prom", link); err != nil {
			t.Skipf("SKIPPING: no symbolic links here: %v", err)
		}
		if r := runCLI(t, "", nil, append(stores, "-o", link)...); r.code != 0 || r.stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v", err)
		}
		if got, _ := os.ReadFile(target); !bytes.Contains(got, []byte("uccert_verify_ok")) {
			t.Fatalf("the target holds %q", got)
		}
		assertDir(t, dir, "ucc-2026.prom", "uccert.prom")
	})

	t.Run("not a regular file", func(t *testing.T) {
		dir := t.TempDir()
		dangling := filepath.Join(dir, "dangling.prom")
		if err := os.Symlink("nowhere.prom", dangling); err != nil {
			t.Skipf("SKIPPING: no symbolic links here: %v", err)
		}
		cases := []struct{ path, want string }{{dangling, dangling + ": a symbolic link to nowhere.prom, which does not exist"}}
		local := []string{"dangling.prom"}
		if runtime.GOOS != "windows" {
			fifo := filepath.Join(dir, "fifo.prom")
			if err := mkfifo(fifo); err != nil {
				t.Fatal(err)
			}
			cases = append(cases,
				struct{ path, want string }{fifo, fifo + ": a named pipe (FIFO), not a regular file"},
				struct{ path, want string }{"/dev/null", "/dev/null: a character device, not a regular file"})
			local = append(local, "fifo.prom")
		}
		for _, c := range cases {
			r := runCLI(t, "", nil, append(stores, "-o", c.path)...)
			if r.code != exitFailure || r.stdout != "" || !strings.Contains(r.stderr, c.want) {
				t.Errorf("-o %s: exit %d, stdout %q, stderr %q", c.path, r.code, r.stdout, r.stderr)
			}
		}
		if fi, err := os.Stat("/dev/null"); runtime.GOOS != "windows" && (err != nil || fi.Mode()&fs.ModeCharDevice == 0) {
			t.Fatalf("/dev/null is no longer a device: %v", err)
		}
		assertDir(t, dir, local...)
	})

	t.Run("interrupted", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "uccert.prom")
		if err := os.WriteFile(out, []byte("old content\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(&interruptedError{syscall.SIGTERM})
		var stdout, stderr bytes.Buffer
		code := run(ctx, append([]string{"uccert"}, append(stores, "-o", out)...), testEnv(&stdout, &stderr, nil))
		if code != exitTerminate || !strings.Contains(stderr.String(), out+": not written: stopped") {
			t.Fatalf("exit %d, stderr %s", code, stderr.String())
		}
		if got, _ := os.ReadFile(out); string(got) != "old content\n" {
			t.Errorf("the old file changed: %q", got)
		}
		assertDir(t, dir, "uccert.prom")
	})
}
