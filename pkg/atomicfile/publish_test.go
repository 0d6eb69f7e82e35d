package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/uccert/uccert/pkg/internal/testfs"
)

// fakeFS stands in for a file system that lacks a create-only rename
// (renameErr) or hard links (linkErr); a nil error means the operating
// system's call. It records the ways taken.
type fakeFS struct {
	renameErr, linkErr error
	calls              []string
}

func (f *fakeFS) renameNoReplace(oldname, newname string) error {
	f.calls = append(f.calls, "rename")
	if f.renameErr != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: f.renameErr}
	}
	return renameNoReplace(oldname, newname)
}

func (f *fakeFS) link(oldname, newname string) error {
	f.calls = append(f.calls, "link")
	if f.linkErr != nil {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: f.linkErr}
	}
	return os.Link(oldname, newname)
}

// Without Overwrite, a file is created only where nothing is, on every
// kind of file system: with a no-replace rename, else a hard link, else
// an exclusively created placeholder renamed over. Each way writes a new
// file, and refuses (ErrExists, the file untouched, no temporary file
// left) when one is there.
func TestWriteCreateOnly(t *testing.T) {
	cases := []struct {
		name               string
		renameErr, linkErr error
		ways               string
	}{
		{"no-replace rename", nil, nil, "rename"},
		{"NFS: no RENAME_NOREPLACE, hard links", syscall.EINVAL, nil, "rename,link"},
		{"FAT: no hard links (EPERM)", syscall.EINVAL, syscall.EPERM, "rename,link"},
		{"SMB: EOPNOTSUPP", syscall.EOPNOTSUPP, syscall.EOPNOTSUPP, "rename,link"},
		{"old kernel: ENOSYS, EXDEV", syscall.ENOSYS, syscall.EXDEV, "rename,link"},
		{"seccomp EPERM, then ENOTSUP", syscall.EPERM, syscall.ENOTSUP, "rename,link"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			skipErrnoOnWindows(t, c.renameErr)
			dir := testfs.Dir(t)
			out := filepath.Join(dir, "ucc.p12")
			fake := &fakeFS{renameErr: c.renameErr, linkErr: c.linkErr}
			opts := Options{Perm: 0o600, publish: fake}
			if err := Write(out, []byte("first"), opts); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(fake.calls, ","); got != c.ways {
				t.Errorf("ways tried: %s, want %s", got, c.ways)
			}
			if got := string(testfs.ReadFile(t, out)); got != "first" {
				t.Fatalf("file holds %q", got)
			}
			testfs.AssertMode(t, out, 0o600)
			testfs.AssertOnlyFiles(t, dir, "ucc.p12")
			fake.calls = nil
			if err := Write(out, []byte("second"), opts); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), out+": file exists") {
				t.Fatalf("second write: %v, want ErrExists naming the path", err)
			}
			if got := string(testfs.ReadFile(t, out)); got != "first" {
				t.Fatal("the existing file changed")
			}
			testfs.AssertOnlyFiles(t, dir, "ucc.p12")
		})
	}
	// The race the create-only step is for: the file appears between the
	// early check and the move. Every way refuses it.
	for _, c := range cases {
		t.Run(c.name+", file appears meanwhile", func(t *testing.T) {
			skipErrnoOnWindows(t, c.renameErr)
			dir := testfs.Dir(t)
			out := filepath.Join(dir, "ucc.p12")
			fake := &fakeFS{renameErr: c.renameErr, linkErr: c.linkErr}
			ctx := &testfs.HookCtx{OnErr: func() {
				if _, err := os.Stat(out); err != nil && testfs.TempIn(dir) {
					os.WriteFile(out, []byte("another writer"), 0o600)
				}
			}}
			if err := WriteContext(ctx, out, []byte("mine"), Options{Perm: 0o600, publish: fake}); !errors.Is(err, ErrExists) {
				t.Fatalf("got %v, want ErrExists", err)
			}
			if got := string(testfs.ReadFile(t, out)); got != "another writer" {
				t.Fatalf("the other writer's file was replaced")
			}
			testfs.AssertOnlyFiles(t, dir, "ucc.p12")
		})
	}
	// Any other failure is reported as it is, not taken for a missing
	// feature.
	if runtime.GOOS == "windows" {
		return
	}
	dir := testfs.Dir(t)
	out := filepath.Join(dir, "ucc.p12")
	fake := &fakeFS{renameErr: syscall.EIO}
	err := Write(out, []byte("new"), Options{Perm: 0o600, publish: fake})
	if !errors.Is(err, syscall.EIO) || strings.Join(fake.calls, ",") != "rename" {
		t.Fatalf("got %v after %v, want EIO after the rename alone", err, fake.calls)
	}
	testfs.AssertOnlyFiles(t, dir)
}

// skipErrnoOnWindows skips a case that acts out a Unix errno: Windows
// has its own (MoveFileEx works on every Windows file system, so the case
// without injected errors is the one that runs there).
func skipErrnoOnWindows(t *testing.T, injected error) {
	if injected != nil && runtime.GOOS == "windows" {
		t.Skip("SKIPPING on Windows: the case acts out a Unix errno")
	}
}
