package limitio

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var errBig = errors.New("too big")

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o600)
	if b, err := ReadFile(small, 5, errBig); err != nil || string(b) != "hello" {
		t.Fatalf("%q %v", b, err)
	}
	if _, err := ReadFile(small, 4, errBig); !errors.Is(err, errBig) || !strings.Contains(err.Error(), "5 bytes") {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 4, errBig); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := ReadFile(dir, 4, errBig); !errors.Is(err, ErrIsDir) {
		t.Fatalf("folder: %v", err)
	}
	// Not a regular file: read up to the limit, then refused.
	if _, err := ReadFile("/dev/zero", 1<<10, errBig); !errors.Is(err, errBig) || !strings.Contains(err.Error(), "more than 1 KiB") {
		t.Fatalf("/dev/zero: %v", err)
	}
}

func TestLines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "args.bat")
	os.WriteFile(p, []byte("@echo off\r\n\r\nucc.exe -x\r\nlast"), 0o600)
	var got []string
	if err := Lines(p, 100, 20, errBig, func(n int, l string) bool { got = append(got, l); return true }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "@echo off||ucc.exe -x|last" {
		t.Fatalf("%q", got)
	}
	got = nil
	Lines(p, 100, 20, errBig, func(n int, l string) bool { got = append(got, l); return n < 1 })
	if len(got) != 1 {
		t.Fatalf("stop: %q", got)
	}
	if err := Lines(p, 100, 5, errBig, func(int, string) bool { return true }); !errors.Is(err, errBig) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("long line: %v", err)
	}
	if err := Lines(p, 10, 100, errBig, func(int, string) bool { return true }); !errors.Is(err, errBig) {
		t.Fatalf("over the limit: %v", err)
	}
	if err := Lines("/dev/zero", 1<<10, 1<<20, errBig, func(int, string) bool { return true }); !errors.Is(err, errBig) {
		t.Fatalf("/dev/zero: %v", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{16 << 20: "16 MiB", 64 << 10: "64 KiB", 100: "100 bytes", 1<<20 + 1: "1048577 bytes"} {
		if Size(n) != want {
			t.Errorf("Size(%d) = %q", n, Size(n))
		}
	}
}

// NamePath names the file once: os.Open's error becomes "PATH: cause"
// and stays an *fs.PathError for errors.As; other errors get the prefix.
func TestNamePath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.jks")
	_, err := ReadFile(p, 10, errors.New("too large"))
	named := NamePath(p, err)
	var pe *fs.PathError
	if named.Error() != p+": no such file or directory" || !errors.As(named, &pe) || !errors.Is(named, fs.ErrNotExist) {
		t.Errorf("%q", named)
	}
	if got := NamePath(p, ErrIsDir); got.Error() != p+": "+ErrIsDir.Error() || !errors.Is(got, ErrIsDir) {
		t.Errorf("%q", got)
	}
	if NamePath(p, nil) != nil {
		t.Error("nil")
	}
}
