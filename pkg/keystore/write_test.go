package keystore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testfs"

	"github.com/uccert/uccert/pkg/atomicfile"
	"github.com/uccert/uccert/pkg/internal/lock"
)

// Without Overwrite a store is created only where nothing is
// (atomicfile.WriteContext's create-only ways, tested in
// pkg/atomicfile); keystore.ErrExists and atomicfile.ErrExists are one
// error, named by the path.
func TestWriteFileCreateOnly(t *testing.T) {
	p := getPKI(t)
	dir := testfs.Dir(t)
	out := filepath.Join(dir, "ucc.p12")
	opts := WriteOptions{EncodeOptions: EncodeOptions{Format: FormatPKCS12, Password: secretPW("changeit1")}}
	if err := WriteFile(out, p.store(2, false), opts); err != nil {
		t.Fatal(err)
	}
	got, err := Load(out, DecodeOptions{Password: secretPW("changeit1")})
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(p.store(2, false), got); err != nil {
		t.Fatal(err)
	}
	testfs.AssertMode(t, out, 0o600)
	testfs.AssertOnlyFiles(t, dir, "ucc.p12")
	before := testfs.ReadFile(t, out)
	err = WriteFile(out, p.store(3, true), opts)
	if !errors.Is(err, ErrExists) || !errors.Is(err, atomicfile.ErrExists) || err.Error() != out+": file exists" {
		t.Fatalf("second write: %v, want ErrExists", err)
	}
	if string(testfs.ReadFile(t, out)) != string(before) {
		t.Fatal("the existing file changed")
	}
	testfs.AssertOnlyFiles(t, dir, "ucc.p12")
}

// A context that ends once the temporary file is written and read back
// (before the rename): the temporary file is removed, the old file stays.
func TestWriteFileCancelledBeforeRename(t *testing.T) {
	p := getPKI(t)
	for _, overwrite := range []bool{false, true} {
		dir := testfs.Dir(t)
		out := filepath.Join(dir, "ucc.jks")
		opts := WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}, Overwrite: overwrite}
		if overwrite {
			if err := WriteFile(out, p.store(1, false), opts); err != nil {
				t.Fatal(err)
			}
		}
		var before []byte
		if overwrite {
			before = testfs.ReadFile(t, out)
		}
		sawTemp := false
		ctx := &testfs.HookCtx{Answer: func() error {
			if sawTemp || testfs.TempIn(dir) {
				sawTemp = true // and ended for good, as a context is
				return context.Canceled
			}
			return nil
		}}
		err := WriteFileContext(ctx, out, p.store(3, false), opts)
		if !errors.Is(err, context.Canceled) || !sawTemp {
			t.Fatalf("overwrite %v: %v (temporary file seen: %v), want context.Canceled after the temporary file was written", overwrite, err, sawTemp)
		}
		if overwrite {
			if string(testfs.ReadFile(t, out)) != string(before) {
				t.Fatal("the old file changed")
			}
			testfs.AssertOnlyFiles(t, dir, "ucc.jks")
		} else {
			testfs.AssertOnlyFiles(t, dir)
		}
	}
	// Cancelled with a cause before anything: the cause, nothing written.
	dir := testfs.Dir(t)
	cause := errors.New("interrupted by SIGTERM")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	err := WriteFileContext(ctx, filepath.Join(dir, "ucc.jks"), p.store(1, false), WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}})
	if !errors.Is(err, cause) || !strings.Contains(err.Error(), "not written: interrupted by SIGTERM") {
		t.Fatalf("got %v", err)
	}
	testfs.AssertOnlyFiles(t, dir)
}

// -o LINK writes through to the link's target, which is replaced in its
// own folder; the link stays a link. A link to nothing is refused.
func TestWriteFileSymlink(t *testing.T) {
	p := getPKI(t)
	opts := WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}}
	l := testfs.MakeLinks(t, "ucc-2026.jks", func(target string) error { return WriteFile(target, p.store(1, false), opts) })
	// chained is a link to the link: resolved through every link.
	stores, links, target, current, chained := l.Files, l.Links, l.Target, l.Current, l.Chained
	if err := WriteFile(chained, p.store(2, false), opts); !errors.Is(err, ErrExists) {
		t.Fatalf("without overwrite: %v, want ErrExists", err)
	}
	opts.Overwrite = true
	if err := WriteFile(chained, p.store(2, false), opts); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{current, chained} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a link: %v %v", l, fi.Mode(), err)
		}
	}
	got, err := Load(target, DecodeOptions{Password: secretPW("changeit1")})
	if err != nil || Compare(p.store(2, false), got) != nil {
		t.Fatalf("the target was not written: %v", err)
	}
	testfs.AssertOnlyFiles(t, stores, "ucc-2026.jks")
	testfs.AssertOnlyFiles(t, links, "current.jks", "chained.jks")

	// Update reads, locks and replaces the same target.
	uopts := UpdateOptions{WriteOptions: opts}
	err = Update(context.Background(), current, uopts, func(cur *Store) (*Store, error) {
		if len(cur.Entries) != 2 {
			t.Errorf("Update read %d entries, want the target's 2", len(cur.Entries))
		}
		if _, err := os.Stat(lock.File(target)); err != nil {
			t.Errorf("the target is not locked: %v", err)
		}
		return p.store(3, false), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(current); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatal("Update replaced the link")
	}
	if got, err := Load(target, DecodeOptions{Password: secretPW("changeit1")}); err != nil || len(got.Entries) != 3 {
		t.Fatalf("Update did not write the target: %v", err)
	}
	testfs.AssertOnlyFiles(t, stores, "ucc-2026.jks")

	// A link to nothing.
	dangling := filepath.Join(links, "dangling.jks")
	os.Symlink("nowhere.jks", dangling)
	for _, overwrite := range []bool{false, true} {
		opts.Overwrite = overwrite
		err := WriteFile(dangling, p.store(1, false), opts)
		var nr *NotRegularError
		if !errors.As(err, &nr) || !errors.Is(err, ErrNotRegular) || nr.Target != "nowhere.jks" || !strings.Contains(err.Error(), "a symbolic link to nowhere.jks, which does not exist") {
			t.Fatalf("dangling link: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(links, "nowhere.jks")); !os.IsNotExist(err) {
		t.Fatal("the link's target was created")
	}
}

// Only regular files are replaced: a folder, a FIFO, a socket and a
// device stay what they are, with or without Overwrite, and Update does
// not open them (a FIFO would block it).
func TestWriteFileNotRegular(t *testing.T) {
	p := getPKI(t)
	dir := testfs.Dir(t)
	cases, local := testfs.NotRegular(t, dir, ".jks")
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, overwrite := range []bool{false, true} {
				opts := WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}, Overwrite: overwrite}
				err := WriteFile(c.Path, p.store(1, false), opts)
				var nr *NotRegularError
				if !errors.As(err, &nr) || !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), c.Path+": "+c.Kind+", not a regular file") {
					t.Fatalf("overwrite %v: %v, want a NotRegularError saying %q", overwrite, err, c.Kind)
				}
			}
			done := make(chan error, 1)
			go func() {
				done <- Update(context.Background(), c.Path, UpdateOptions{WriteOptions: WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}}},
					func(s *Store) (*Store, error) { return s, nil })
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrNotRegular) {
					t.Fatalf("Update: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Update blocked on it")
			}
		})
	}
	testfs.AssertDevNull(t)
	testfs.AssertOnlyFiles(t, dir, local...)
}

// The update lock: a live holder is named when the wait ends; a lock file
// left by a process that died is taken over at once and reported; a
// cancelled wait returns the cause.
func TestUpdateLock(t *testing.T) {
	p := getPKI(t)
	dir := testfs.Dir(t)
	out := filepath.Join(dir, "ucc.jks")
	wopts := WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}}
	if err := WriteFile(out, p.store(1, false), wopts); err != nil {
		t.Fatal(err)
	}
	keep := func(s *Store) (*Store, error) { return s, nil }

	release, err := lock.ForUpdate(context.Background(), out, lock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = Update(context.Background(), out, UpdateOptions{WriteOptions: wopts, LockTimeout: 50 * time.Millisecond}, keep)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || le.PID != os.Getpid() || le.File != out+".lock" {
		t.Fatalf("got %v, want a LockedError naming PID %d", err, os.Getpid())
	}
	cause := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel(cause)
	}()
	if err := Update(ctx, out, UpdateOptions{WriteOptions: wopts}, keep); !errors.Is(err, cause) || errors.Is(err, ErrLocked) {
		t.Fatalf("cancelled wait: %v", err)
	}
	release()
	testfs.AssertOnlyFiles(t, dir, "ucc.jks")

	// Left behind by a process that died (the operating system dropped
	// its lock): taken over at once.
	if err := os.WriteFile(out+".lock", []byte("99999999 deadhost\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stale LockHolder
	err = Update(context.Background(), out, UpdateOptions{WriteOptions: wopts, LockTimeout: -1, OnStaleLock: func(h LockHolder) { stale = h }}, keep)
	if err != nil {
		t.Fatal(err)
	}
	if stale.PID != 99999999 || stale.Host != "deadhost" || stale.File != out+".lock" {
		t.Errorf("reported %+v", stale)
	}
	testfs.AssertOnlyFiles(t, dir, "ucc.jks")

	// Nothing to update.
	if err := Update(context.Background(), filepath.Join(dir, "missing.jks"), UpdateOptions{WriteOptions: wopts}, keep); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing store: %v", err)
	}
	testfs.AssertOnlyFiles(t, dir, "ucc.jks")
}
