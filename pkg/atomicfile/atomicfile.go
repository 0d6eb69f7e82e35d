// Package atomicfile writes a file so that a reader sees either its old
// content or the whole new content, never a part, and a failed or
// cancelled write leaves the old file as it was: a temporary file in the
// folder of the file it replaces, fsync (overlapping an optional Check of
// what was written), then a rename over it, then an fsync of the folder.
//
// Which file is written is Target's rule: a symbolic link is written
// through to the file it points to (the link stays a link), and only a
// regular file is ever replaced (a *NotRegularError for a folder, a
// device, a named pipe, a socket or a link to nothing). Without
// Options.Overwrite the file is only created, atomically, on every kind of
// file system: by a rename that refuses to replace (renameat2 with
// RENAME_NOREPLACE on Linux, renamex_np with RENAME_EXCL on macOS,
// MoveFileEx without MOVEFILE_REPLACE_EXISTING on Windows), else a hard
// link (NFS), else an empty placeholder created exclusively and renamed
// over (FAT, exFAT, some SMB shares): no way ever replaces another
// writer's file (ErrExists).
//
// keystore.WriteFileContext writes stores through it, with a read-back
// as the Check; `uccert verify -o` writes reports and Prometheus text
// files through it, which node_exporter's textfile collector may read at
// any moment.
package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrExists: the path exists and Options.Overwrite is false.
var ErrExists = errors.New("file exists")

// Options say how WriteContext writes.
type Options struct {
	// Perm is the mode of the new file, set with chmod (the umask does
	// not apply). A file system without Unix modes (FAT, exFAT, SMB
	// shares) refuses chmod; the file then has the mode that file system
	// gives every file. Ignored on Windows.
	Perm fs.FileMode
	// Overwrite allows replacing an existing regular file. Without it an
	// existing path is ErrExists, checked atomically when the file is put
	// in place.
	Overwrite bool
	// Check, when not nil, is called with the temporary file's name once
	// the data is written to it, while it is being synced to disk; an
	// error aborts the write (e.g. a read-back that must decode). It runs
	// on its own goroutine, and may still run after a cancelled
	// WriteContext has returned.
	Check func(tmpName string) error
	// Resolved, when not empty, is path's target as Target returned it to
	// the caller, which checked it before other work (or locked it):
	// WriteContext writes that file without resolving path again, so that
	// a link changed meanwhile does not redirect the write, and leaves
	// the early checks (ErrExists, *NotRegularError) to the caller; the
	// atomic ones when the file is put in place remain. Errors still
	// name path.
	Resolved string

	// publish stands in for the operating system's create-only moves in
	// tests (nil: the operating system's).
	publish publisher
}

// Write is WriteContext without a context.
func Write(path string, data []byte, opts Options) error {
	return WriteContext(context.Background(), path, data, opts)
}

// WriteContext writes data to path (or to the file a symbolic link at
// path points to: Target) atomically. On any failure the file is
// unchanged and the temporary file removed.
//
// When ctx is done before the file is put in place, WriteContext removes
// the temporary file and returns ctx's cause (wrapped: "PATH: not
// written: CAUSE") at once, leaving the file unchanged; a Check under way
// finishes in the background and is discarded.
//
// Errors name path and wrap ErrExists, a *NotRegularError, Check's error,
// ctx's cause, or the file system's.
func WriteContext(ctx context.Context, path string, data []byte, opts Options) error {
	target := opts.Resolved
	if target == "" {
		t, fi, err := Target(path)
		if err != nil {
			return err
		}
		if fi != nil && !opts.Overwrite {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		target = t
	}
	if ctx.Err() != nil {
		return notWritten(ctx, path)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".uccert-*")
	if err != nil {
		return fmt.Errorf("%s: cannot create a temporary file beside it: %w", path, err)
	}
	tmpName := tmp.Name()
	// CreateTemp makes the file 0600; chmod only to change that (a file
	// system without Unix modes refuses it, and then there is nothing to
	// change).
	if fi, err := tmp.Stat(); err == nil && fi.Mode().Perm() != opts.Perm.Perm() && runtime.GOOS != "windows" {
		tmp.Chmod(opts.Perm.Perm())
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("%s: %w", path, err)
	}
	// fsync (waiting for the disk) and the check overlap; both must
	// succeed before the file is put in place.
	synced := make(chan error, 1)
	go func() {
		err := tmp.Sync()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		synced <- err
	}()
	checked := make(chan error, 1)
	if opts.Check != nil {
		go func() { checked <- opts.Check(tmpName) }()
	} else {
		checked <- nil
	}
	var syncErr, checkErr error
	syncDone, checkDone := false, false
	for !syncDone || !checkDone {
		select {
		case syncErr = <-synced:
			syncDone = true
		case checkErr = <-checked:
			checkDone = true
		case <-ctx.Done():
			discard(tmpName, synced, syncDone, checked, checkDone)
			return notWritten(ctx, path)
		}
	}
	switch {
	case checkErr != nil:
		os.Remove(tmpName)
		return fmt.Errorf("%s: %w", path, checkErr)
	case syncErr != nil:
		os.Remove(tmpName)
		return fmt.Errorf("%s: %w", path, syncErr)
	case ctx.Err() != nil:
		os.Remove(tmpName)
		return notWritten(ctx, path)
	}
	if opts.Overwrite {
		if li, err := os.Lstat(target); err == nil && !replaceable(li.Mode()) {
			os.Remove(tmpName)
			return &NotRegularError{Path: path, Mode: li.Mode().Type()}
		}
		if err := os.Rename(tmpName, target); err != nil {
			os.Remove(tmpName)
			return fmt.Errorf("%s: %w", path, err)
		}
	} else {
		pub := opts.publish
		if pub == nil {
			pub = osPublisher{}
		}
		if err := publishNew(pub, tmpName, target); err != nil {
			os.Remove(tmpName)
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s: %w", path, ErrExists)
			}
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	syncDir(dir)
	return nil
}

// notWritten is the error of a write that ctx ended.
func notWritten(ctx context.Context, path string) error {
	return fmt.Errorf("%s: not written: %w", path, context.Cause(ctx))
}

// discard removes an abandoned temporary file. Windows refuses to remove
// a file that is still open: then it waits for the fsync under way to
// close it, and if Check has it open too, for Check.
func discard(tmpName string, synced <-chan error, syncDone bool, checked <-chan error, checkDone bool) {
	removed := func() bool {
		err := os.Remove(tmpName)
		return err == nil || errors.Is(err, fs.ErrNotExist)
	}
	if removed() {
		return
	}
	if !syncDone {
		<-synced
		if removed() {
			return
		}
	}
	if !checkDone {
		<-checked
		removed()
	}
}

// syncDir makes a rename durable (best effort; not possible on Windows).
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
