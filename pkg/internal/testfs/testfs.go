// Package testfs holds the file-system helpers that the write and lock
// tests of pkg/atomicfile, pkg/keystore and pkg/internal/lock share; those
// tests also run for Windows under Wine (pkg/internal/e2e,
// TestWineLibraryWrites), so everything here works there too. It is a test
// helper: only _test.go files import it.
package testfs

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Dir is t.TempDir, except that a folder that cannot be removed is left
// behind instead of failing the test: Wine lacks the call Go's os.RemoveAll
// makes on Windows ("Invalid function").
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "uccert-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// ReadFile is os.ReadFile that fails the test on an error.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// AssertMode fails the test unless path has the permission bits want (not
// checked on Windows, which has no such bits).
func AssertMode(t testing.TB, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Fatalf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
	}
}

// AssertOnlyFiles fails the test unless dir holds exactly the names want.
func AssertOnlyFiles(t testing.TB, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s holds %v, want %v (a temporary file left behind?)", dir, got, want)
	}
}

// TempIn reports whether dir holds one of pkg/atomicfile's temporary files
// (.NAME.uccert-*).
func TempIn(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, ".*.uccert-*"))
	return len(m) > 0
}

// HookCtx is a context that is never done; OnErr runs whenever the code
// under test asks for Err, and Answer is what Err then returns (nil: nil).
type HookCtx struct {
	context.Context
	OnErr  func()
	Answer func() error
}

func (c *HookCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *HookCtx) Done() <-chan struct{}       { return make(chan struct{}) }
func (c *HookCtx) Value(any) any               { return nil }
func (c *HookCtx) Err() error {
	if c.OnErr != nil {
		c.OnErr()
	}
	if c.Answer != nil {
		return c.Answer()
	}
	return nil
}

// Special is a file that is not a regular file, made by NotRegular.
type Special struct {
	Name string // for t.Run: "folder", "FIFO", ...
	Path string
	Kind string // as uccert's NotRegularError names it: "a folder", ...
}

// NotRegular makes in dir what a write must not replace, named
// KIND.ext: a folder, and except on Windows a FIFO, a socket (listening
// until the test ends) and a symbolic link to /dev/null; it also names
// /dev/null, a device. It returns them, and the names it made in dir.
func NotRegular(t testing.TB, dir, ext string) (specials []Special, made []string) {
	t.Helper()
	folder := filepath.Join(dir, "folder"+ext)
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	specials = []Special{{"folder", folder, "a folder"}}
	made = []string{"folder" + ext}
	if runtime.GOOS == "windows" {
		return specials, made
	}
	fifo := filepath.Join(dir, "fifo"+ext)
	if err := Mkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock"+ext)
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	link := filepath.Join(dir, "null"+ext)
	if err := os.Symlink("/dev/null", link); err != nil {
		t.Fatal(err)
	}
	specials = append(specials,
		Special{"FIFO", fifo, "a named pipe (FIFO)"},
		Special{"socket", sock, "a socket"},
		Special{"device", "/dev/null", "a character device"},
		Special{"link to a device", link, "a character device"})
	made = append(made, "fifo"+ext, "sock"+ext, "null"+ext)
	return specials, made
}

// AssertDevNull fails the test if /dev/null is no longer a character
// device (a write that replaced it would have broken the machine).
func AssertDevNull(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v", err)
	}
}

// Links are a file and two symbolic links to it, made by MakeLinks.
type Links struct {
	Files, Links string // the folders: the file's, the links'
	Target       string // Files/NAME, written by MakeLinks' write
	Current      string // Links/current.EXT -> ../files/NAME (relative)
	Chained      string // Links/chained.EXT -> current.EXT (a link to the link)
}

// MakeLinks makes, in a new folder, files/NAME (written by write) and the
// links to it that a renewal script keeps (current.EXT, chained.EXT, ext
// taken from name). The test is skipped where symbolic links cannot be
// made or do not work (Wine makes them, then cannot find them).
func MakeLinks(t testing.TB, name string, write func(target string) error) Links {
	t.Helper()
	root := Dir(t)
	l := Links{Files: filepath.Join(root, "files"), Links: filepath.Join(root, "links")}
	for _, d := range []string{l.Files, l.Links} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	l.Target = filepath.Join(l.Files, name)
	if err := write(l.Target); err != nil {
		t.Fatal(err)
	}
	ext := filepath.Ext(name)
	l.Current, l.Chained = filepath.Join(l.Links, "current"+ext), filepath.Join(l.Links, "chained"+ext)
	if err := os.Symlink(filepath.Join("..", "files", name), l.Current); err != nil {
		t.Skipf("SKIPPING: no symbolic links here: %v", err)
	}
	if fi, err := os.Lstat(l.Current); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Skipf("SKIPPING: symbolic links do not work here: %v", err)
	}
	if err := os.Symlink("current"+ext, l.Chained); err != nil {
		t.Fatal(err)
	}
	return l
}
