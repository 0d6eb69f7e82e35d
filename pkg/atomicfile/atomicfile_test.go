package atomicfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/testfs"
)

func TestWrite(t *testing.T) {
	errCheck := errors.New("check refused")
	cases := []struct {
		name     string
		old      string // "" = no file before
		opts     Options
		wantErr  error
		wantData string
		wantPerm os.FileMode
	}{
		{name: "new file", opts: Options{Perm: 0o644}, wantData: "new", wantPerm: 0o644},
		{name: "replace", old: "old", opts: Options{Perm: 0o644, Overwrite: true}, wantData: "new", wantPerm: 0o644},
		{name: "private", old: "old", opts: Options{Perm: 0o600, Overwrite: true}, wantData: "new", wantPerm: 0o600},
		{name: "exists", old: "old", opts: Options{Perm: 0o644}, wantErr: ErrExists, wantData: "old", wantPerm: 0o600},
		{name: "check refuses", old: "old", opts: Options{Perm: 0o644, Overwrite: true, Check: func(string) error { return errCheck }},
			wantErr: errCheck, wantData: "old", wantPerm: 0o600},
		{name: "check sees the data", opts: Options{Perm: 0o644, Check: func(tmp string) error {
			b, err := os.ReadFile(tmp)
			if err != nil || string(b) != "new" || !strings.HasPrefix(filepath.Base(tmp), ".out.prom.uccert-") {
				return errors.New("temporary file incomplete")
			}
			return nil
		}}, wantData: "new", wantPerm: 0o644},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testfs.Dir(t)
			path := filepath.Join(dir, "out.prom")
			if c.old != "" {
				if err := os.WriteFile(path, []byte(c.old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(path, []byte("new"), c.opts)
			if !errors.Is(err, c.wantErr) || (err != nil) != (c.wantErr != nil) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if err != nil && !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("%q does not name the path", err)
			}
			if got := string(testfs.ReadFile(t, path)); got != c.wantData {
				t.Fatalf("file holds %q, want %q", got, c.wantData)
			}
			testfs.AssertOnlyFiles(t, dir, "out.prom")
			testfs.AssertMode(t, path, c.wantPerm)
		})
	}
}

// A path whose temporary name cannot exist (too long for the file
// system) fails before anything is touched.
func TestWriteCannotCreateTemp(t *testing.T) {
	dir := testfs.Dir(t)
	path := filepath.Join(dir, strings.Repeat("a", 250))
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Skipf("SKIPPING: the file system refuses a 250-byte name: %v", err)
	}
	err := Write(path, []byte("new"), Options{Perm: 0o644, Overwrite: true})
	if err == nil || !strings.Contains(err.Error(), "temporary file") {
		t.Fatalf("err = %v", err)
	}
	if got := string(testfs.ReadFile(t, path)); got != "old" {
		t.Errorf("file holds %q", got)
	}
}

// A folder that does not exist is the file system's error.
func TestWriteNoFolder(t *testing.T) {
	err := Write(filepath.Join(testfs.Dir(t), "missing", "x"), []byte("new"), Options{Perm: 0o644})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

// A link is written through to its target, which is replaced in its own
// folder; the link stays a link. A link to nothing is refused. Resolved
// keeps the target the caller resolved, even when the link changes.
func TestWriteSymlink(t *testing.T) {
	l := testfs.MakeLinks(t, "ucc-2026.prom", func(target string) error {
		return Write(target, []byte("one"), Options{Perm: 0o644})
	})
	files, links, target, current, chained := l.Files, l.Links, l.Target, l.Current, l.Chained
	if got, _, err := Target(chained); err != nil || got != target {
		t.Fatalf("Target = %q, %v; want %q", got, err, target)
	}
	if err := Write(chained, []byte("two"), Options{Perm: 0o644}); !errors.Is(err, ErrExists) || !strings.HasPrefix(err.Error(), chained+": ") {
		t.Fatalf("without Overwrite: %v, want ErrExists naming the link", err)
	}
	if err := Write(chained, []byte("two"), Options{Perm: 0o644, Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{current, chained} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a link: %v", l, err)
		}
	}
	if got := string(testfs.ReadFile(t, target)); got != "two" {
		t.Fatalf("the target holds %q", got)
	}
	testfs.AssertOnlyFiles(t, files, "ucc-2026.prom")
	testfs.AssertOnlyFiles(t, links, "chained.prom", "current.prom")

	// Resolved: the link now points elsewhere; the write goes to the
	// file resolved before.
	resolved, _, err := Target(current)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(current)
	if err := os.Symlink("elsewhere.prom", current); err != nil {
		t.Fatal(err)
	}
	if err := Write(current, []byte("three"), Options{Perm: 0o644, Overwrite: true, Resolved: resolved}); err != nil {
		t.Fatal(err)
	}
	if got := string(testfs.ReadFile(t, target)); got != "three" {
		t.Fatalf("the resolved target holds %q", got)
	}
	testfs.AssertOnlyFiles(t, links, "chained.prom", "current.prom")

	// A link to nothing (current.prom → elsewhere.prom).
	for _, overwrite := range []bool{false, true} {
		err := Write(current, []byte("x"), Options{Perm: 0o644, Overwrite: overwrite})
		var nr *NotRegularError
		if !errors.As(err, &nr) || !errors.Is(err, ErrNotRegular) || nr.Target != "elsewhere.prom" ||
			err.Error() != current+": a symbolic link to elsewhere.prom, which does not exist" {
			t.Fatalf("dangling link: %v", err)
		}
	}
	testfs.AssertOnlyFiles(t, links, "chained.prom", "current.prom")
}

// Only regular files are replaced: a folder, a FIFO, a socket and a
// device stay what they are, with or without Overwrite; also when one
// takes the place of the file after the caller resolved it.
func TestWriteNotRegular(t *testing.T) {
	dir := testfs.Dir(t)
	cases, local := testfs.NotRegular(t, dir, ".prom")
	folder := cases[0].Path
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, overwrite := range []bool{false, true} {
				err := Write(c.Path, []byte("x"), Options{Perm: 0o644, Overwrite: overwrite})
				var nr *NotRegularError
				if !errors.As(err, &nr) || !errors.Is(err, ErrNotRegular) || nr.Path != c.Path ||
					err.Error() != c.Path+": "+c.Kind+", not a regular file: uccert replaces only regular files" {
					t.Fatalf("overwrite %v: %v, want a NotRegularError saying %q", overwrite, err, c.Kind)
				}
			}
		})
	}
	// A folder where the caller had resolved a file: refused when the
	// file is put in place.
	err := Write(filepath.Join(dir, "was-a-file.prom"), []byte("x"), Options{Perm: 0o644, Overwrite: true, Resolved: folder})
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("resolved, then a folder: %v", err)
	}
	testfs.AssertDevNull(t)
	testfs.AssertOnlyFiles(t, dir, local...)
	testfs.AssertOnlyFiles(t, folder)
}

// A context that ends removes the temporary file and leaves the old file
// as it was: ended before the write, while Check runs (WriteContext
// returns at once, Check finishes unobserved), and after the temporary
// file is written (a context that answers Err without closing Done).
func TestWriteCancelled(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		old := map[bool]string{true: "old"}[overwrite]
		setup := func(t *testing.T) (dir, path string) {
			dir = testfs.Dir(t)
			path = filepath.Join(dir, "out.prom")
			if overwrite {
				if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			return dir, path
		}
		after := func(t *testing.T, dir, path string) {
			t.Helper()
			if overwrite {
				if got := string(testfs.ReadFile(t, path)); got != old {
					t.Fatalf("the old file holds %q", got)
				}
				testfs.AssertOnlyFiles(t, dir, "out.prom")
			} else {
				testfs.AssertOnlyFiles(t, dir)
			}
		}
		name := map[bool]string{false: "new", true: "overwrite"}[overwrite]
		t.Run(name+", before", func(t *testing.T) {
			dir, path := setup(t)
			cause := errors.New("interrupted by SIGTERM")
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(cause)
			err := WriteContext(ctx, path, []byte("new"), Options{Perm: 0o644, Overwrite: overwrite})
			if !errors.Is(err, cause) || err.Error() != path+": not written: interrupted by SIGTERM" {
				t.Fatalf("got %v", err)
			}
			after(t, dir, path)
		})
		t.Run(name+", during Check", func(t *testing.T) {
			dir, path := setup(t)
			started, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
			ctx, cancel := context.WithCancelCause(context.Background())
			go func() {
				<-started
				cancel(context.Canceled)
			}()
			err := WriteContext(ctx, path, []byte("new"), Options{Perm: 0o644, Overwrite: overwrite, Check: func(string) error {
				defer close(finished)
				close(started)
				<-release
				return nil
			}})
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not written") {
				t.Fatalf("got %v", err)
			}
			after(t, dir, path)
			close(release)
			<-finished
			after(t, dir, path)
		})
		t.Run(name+", after the temporary file", func(t *testing.T) {
			dir, path := setup(t)
			sawTemp := false
			ctx := &testfs.HookCtx{Answer: func() error {
				if sawTemp || testfs.TempIn(dir) {
					sawTemp = true // and ended for good, as a context is
					return context.Canceled
				}
				return nil
			}}
			err := WriteContext(ctx, path, []byte("new"), Options{Perm: 0o644, Overwrite: overwrite})
			if !errors.Is(err, context.Canceled) || !sawTemp {
				t.Fatalf("%v (temporary file seen: %v), want context.Canceled after the temporary file was written", err, sawTemp)
			}
			after(t, dir, path)
		})
	}
}
