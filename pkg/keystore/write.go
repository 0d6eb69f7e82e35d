package keystore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/uccert/uccert/pkg/internal/lock"
)

// WriteOptions are EncodeOptions plus the overwrite policy.
type WriteOptions struct {
	EncodeOptions
	// Overwrite allows replacing an existing regular file. Without it an
	// existing path is ErrExists, checked atomically (no window in which
	// another writer's file could be replaced). Anything but a regular
	// file is never replaced (a *NotRegularError).
	Overwrite bool

	// publish stands in for the operating system's create-only moves in
	// tests (nil: the operating system's).
	publish publisher
}

// ErrNotRegular: the path to write is not a regular file (a folder, a
// device, a named pipe, a socket, or a symbolic link that points to
// nothing); uccert replaces only regular files (see *NotRegularError).
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError says what is at Path instead of a regular file, or
// where a symbolic link that points to nothing points. It wraps
// ErrNotRegular.
type NotRegularError struct {
	// Path is the path given to write.
	Path string
	// Mode holds the type bits of what is there: fs.ModeDir,
	// fs.ModeDevice (with fs.ModeCharDevice), fs.ModeNamedPipe,
	// fs.ModeSocket, fs.ModeIrregular, or fs.ModeSymlink for a link
	// that points to nothing.
	Mode fs.FileMode
	// Target is where a link that points to nothing points.
	Target string
}

func (e *NotRegularError) Error() string {
	if e.Mode&fs.ModeSymlink != 0 {
		return fmt.Sprintf("%s: a symbolic link to %s, which does not exist", e.Path, e.Target)
	}
	return fmt.Sprintf("%s: %s, %s: uccert replaces only regular files", e.Path, kindOf(e.Mode), ErrNotRegular)
}

// Unwrap makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// kindOf names a file type in words.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeDir != 0:
		return "a folder"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// WriteTarget is the file that WriteFile and Update write for path:
// path itself, or the file a symbolic link at path points to (through
// every link, resolved once), as editors write through a link and leave
// it a link. fi describes the target, nil when nothing is there yet. A
// link that points to nothing, and a target that is not a regular file,
// are a *NotRegularError.
func WriteTarget(path string) (target string, fi fs.FileInfo, err error) {
	li, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	target, fi = path, li
	if li.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				dest, _ := os.Readlink(path)
				return "", nil, &NotRegularError{Path: path, Mode: fs.ModeSymlink, Target: dest}
			}
			return "", nil, fmt.Errorf("%s: %w", path, err)
		}
		if fi, err = os.Lstat(target); err != nil {
			return "", nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if !replaceable(fi.Mode()) {
		return "", nil, &NotRegularError{Path: path, Mode: fi.Mode().Type()}
	}
	return target, fi, nil
}

// replaceable reports whether a file of mode m may be replaced: a regular
// file, or on Windows a file behind a reparse point other than a link
// (Go says ModeIrregular): OneDrive's Files On-Demand and other cloud
// folders keep every file behind one, and they are ordinary files there.
func replaceable(m fs.FileMode) bool {
	return m.IsRegular() || (runtime.GOOS == "windows" && m.Type() == fs.ModeIrregular)
}

// WriteFile is WriteFileContext without a context.
func WriteFile(path string, s *Store, opts WriteOptions) error {
	return WriteFileContext(context.Background(), path, s, opts)
}

// WriteFileContext encodes s and writes it to path atomically: a
// temporary file in the folder of the file it replaces (mode 0600),
// fsync, a read-back that must decode with the password to the same
// entries, then a rename. A symbolic link at path is written through
// (WriteTarget). Without opts.Overwrite the file is created only if
// nothing is there, atomically: by a rename that refuses to replace, or a
// hard link, or, on file systems that have neither (FAT, exFAT, some SMB
// shares), by creating the file exclusively before the rename. On any
// failure path is unchanged and the temporary file removed.
//
// When ctx is done before the rename, WriteFileContext removes the
// temporary file and returns ctx's cause (wrapped) at once, leaving path
// unchanged; an encoding or read-back under way finishes in the
// background and is discarded.
//
// Errors name path and wrap Encode's errors, ErrExists (path exists and
// opts.Overwrite is false), a *NotRegularError, ErrReadBack (what was
// written does not decode to the same entries), ctx's cause, or the file
// system's.
func WriteFileContext(ctx context.Context, path string, s *Store, opts WriteOptions) error {
	target, fi, err := WriteTarget(path)
	if err != nil {
		return err
	}
	if fi != nil && !opts.Overwrite {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	return writeTarget(ctx, path, target, s, opts)
}

// writeTarget writes s to target (path as resolved by WriteTarget; path
// names it in errors).
func writeTarget(ctx context.Context, path, target string, s *Store, opts WriteOptions) error {
	data, err := background(ctx, func() ([]byte, error) { return Encode(s, opts.EncodeOptions) })
	if err != nil {
		if cerr := context.Cause(ctx); cerr != nil && errors.Is(err, cerr) {
			return notWritten(ctx, path)
		}
		return fmt.Errorf("%s: %w", path, err)
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
	// CreateTemp makes the file 0600; a file system without Unix modes
	// (FAT) refuses chmod, and then there is nothing to fix.
	if fi, err := tmp.Stat(); err == nil && fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		tmp.Chmod(0o600)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("%s: %w", path, err)
	}
	back, err := ReadFile(tmpName)
	if err != nil {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("%s: read-back: %w", path, err)
	}
	// fsync (waiting for the disk) and the read-back (key derivations)
	// overlap; both must succeed before the rename.
	synced := make(chan error, 1)
	go func() {
		err := tmp.Sync()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		synced <- err
	}()
	checked := make(chan error, 1)
	go func() {
		got, err := Decode(back, DecodeOptions{Password: opts.Password})
		if err != nil {
			checked <- fmt.Errorf("%s: %w: %w", path, ErrReadBack, err)
			return
		}
		if cerr := Compare(s, got); cerr != nil {
			checked <- fmt.Errorf("%s: %w: %w", path, ErrReadBack, cerr)
			return
		}
		checked <- nil
	}()
	var syncErr, checkErr error
	syncDone, checkDone := false, false
	for !syncDone || !checkDone {
		select {
		case syncErr = <-synced:
			syncDone = true
		case checkErr = <-checked:
			checkDone = true
		case <-ctx.Done():
			discard(tmpName, synced, syncDone)
			return notWritten(ctx, path)
		}
	}
	switch {
	case checkErr != nil:
		os.Remove(tmpName)
		return checkErr
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

// background runs f and returns its result, or ctx's cause as soon as
// ctx is done (f then finishes unobserved).
func background[T any](ctx context.Context, f func() (T, error)) (T, error) {
	if ctx.Done() == nil {
		return f()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// notWritten is the error of a write that ctx ended.
func notWritten(ctx context.Context, path string) error {
	return fmt.Errorf("%s: not written: %w", path, context.Cause(ctx))
}

// discard removes an abandoned temporary file. Windows refuses to remove
// a file that is still open: then it waits for the fsync under way to
// close it.
func discard(tmpName string, synced <-chan error, syncDone bool) {
	if err := os.Remove(tmpName); err == nil || errors.Is(err, fs.ErrNotExist) || syncDone {
		return
	}
	<-synced
	os.Remove(tmpName)
}

// publisher moves a finished temporary file to a path that must not be
// replaced. The operating system's (osPublisher) is used unless a test
// stands in a file system that lacks one way or the other.
type publisher interface {
	// renameNoReplace renames oldname to newname, failing with an error
	// that wraps fs.ErrExist when newname exists (renameat2 with
	// RENAME_NOREPLACE on Linux, renamex_np with RENAME_EXCL on macOS,
	// MoveFileEx without MOVEFILE_REPLACE_EXISTING on Windows).
	renameNoReplace(oldname, newname string) error
	// link makes newname a hard link to oldname, failing with fs.ErrExist
	// when newname exists.
	link(oldname, newname string) error
}

type osPublisher struct{}

func (osPublisher) renameNoReplace(oldname, newname string) error {
	return renameNoReplace(oldname, newname)
}

func (osPublisher) link(oldname, newname string) error { return os.Link(oldname, newname) }

// publishNew moves tmp to path unless something is there (an error that
// wraps fs.ErrExist), without a window in which another writer's file
// could be replaced. It tries, in order: a rename that refuses to replace
// (most file systems, FAT and SMB included); a hard link, then removing
// tmp (NFS); and where neither exists, creating path exclusively as an
// empty placeholder, then renaming tmp over that placeholder. Each step
// is taken only when the file system does not support the one before.
func publishNew(p publisher, tmp, path string) error {
	err := p.renameNoReplace(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) || !renameUnsupported(err) {
		return err
	}
	err = p.link(tmp, path)
	if err == nil {
		os.Remove(tmp)
		return nil
	}
	if errors.Is(err, fs.ErrExist) || !noHardLinks(err) {
		return err
	}
	ph, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	placeholder, serr := ph.Stat()
	ph.Close()
	if err := os.Rename(tmp, path); err != nil {
		// Remove the placeholder, unless it is no longer ours.
		if now, lerr := os.Lstat(path); lerr == nil && serr == nil && os.SameFile(now, placeholder) {
			os.Remove(path)
		}
		return err
	}
	return nil
}

// renameUnsupported reports whether a create-only rename failed because
// the file system or the system does not offer it.
func renameUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || renameUnsupportedErrno(err)
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

// UpdateOptions say how Update rewrites a store: the options of the
// write (the password also opens the current store) and how long to wait
// for another updater.
type UpdateOptions struct {
	WriteOptions
	// LockTimeout bounds the wait for another process updating the same
	// file: 60 s when zero; a negative value does not wait. Then Update
	// fails with a *LockedError.
	LockTimeout time.Duration
	// OnLockWait, if set, is called once the wait for another updater
	// has lasted LockNotice, with the holder of the lock, and again
	// whenever the holder changes.
	OnLockWait func(LockHolder)
	// OnStaleLock, if set, is called when Update takes over a lock file
	// that a process left behind when it died (it held the lock, and the
	// operating system dropped it).
	OnStaleLock func(LockHolder)
}

// LockNotice is how long Update waits for another updater before it
// calls UpdateOptions.OnLockWait.
const LockNotice = 2 * time.Second

// defaultLockTimeout is UpdateOptions.LockTimeout's zero value.
const defaultLockTimeout = 60 * time.Second

// ErrLocked: another process holds the update lock of the store.
var ErrLocked = lock.ErrLocked

// LockHolder is a process that holds, or held, the update lock of a
// store, as the lock file (STORE.lock beside the store) names it.
type LockHolder struct {
	// File is the lock file.
	File string
	// PID is the holder's process ID; 0 when the lock file does not say.
	PID int
	// Host is the holder's host name, as it wrote it.
	Host string
}

// String is "PID 1234", "PID 1234 on host ws01" (another machine), or
// "another process" (PID unknown).
func (h LockHolder) String() string { return lock.Holder{PID: h.PID, Host: h.Host}.String() }

// LockedError: the update lock of the store was still held when the wait
// ended. It wraps ErrLocked.
type LockedError struct {
	LockHolder
	// Waited is how long Update waited.
	Waited time.Duration
	// cause is why the lock file could not even be opened, when the
	// holder is unknown (a file being removed on Windows, a permission).
	cause error
}

func (e *LockedError) Error() string {
	s := fmt.Sprintf("%s: %s holds %s (waited %v)", ErrLocked, e.LockHolder, e.File, lock.Waited(e.Waited))
	if e.cause != nil {
		s += " (" + e.cause.Error() + ")"
	}
	return s
}

// Unwrap makes errors.Is(err, ErrLocked) true, and keeps the cause.
func (e *LockedError) Unwrap() []error {
	if e.cause != nil {
		return []error{ErrLocked, e.cause}
	}
	return []error{ErrLocked}
}

// Update is a read-modify-write of the store at path that loses nothing
// to a concurrent updater: it takes the file's update lock (waiting up to
// opts.LockTimeout), reads the store with opts.Password, calls modify
// with it, and writes what modify returns with WriteFileContext
// (replacing the file atomically) before it releases the lock. A symbolic
// link at path is resolved once (WriteTarget): its target is locked, read
// and replaced, and the link stays. The current store must be of
// opts.Format (else ErrTypeMismatch) and its entries writable (else an
// *UnusableKeyError, see Entry.Writable), since they are written again.
//
// The lock is the file STORE.lock beside the store, holding the PID and
// host name of its owner and locked by the operating system (flock on
// Unix, LockFileEx on Windows); Update removes it when done. A lock file
// left by a process that died is taken over at once (OnStaleLock); a
// lock held by a live process is waited for (OnLockWait after
// LockNotice), then a *LockedError names it. When ctx is done, Update
// stops waiting or writing, removes its temporary and lock files and
// returns ctx's cause (wrapped), the store unchanged.
func Update(ctx context.Context, path string, opts UpdateOptions, modify func(current *Store) (*Store, error)) error {
	target, fi, err := WriteTarget(path)
	if err != nil {
		return err
	}
	if fi == nil {
		return &fs.PathError{Op: "update", Path: path, Err: fs.ErrNotExist}
	}
	wait := opts.LockTimeout
	if wait == 0 {
		wait = defaultLockTimeout
	}
	holder := func(file string, h lock.Holder) LockHolder { return LockHolder{File: file, PID: h.PID, Host: h.Host} }
	lopts := lock.Options{Timeout: wait, NoticeAfter: LockNotice}
	if opts.OnLockWait != nil {
		lopts.OnWait = func(file string, h lock.Holder) { opts.OnLockWait(holder(file, h)) }
	}
	if opts.OnStaleLock != nil {
		lopts.OnStale = func(file string, h lock.Holder) { opts.OnStaleLock(holder(file, h)) }
	}
	release, err := lock.ForUpdate(ctx, target, lopts)
	if err != nil {
		var le *lock.LockedError
		if errors.As(err, &le) {
			return fmt.Errorf("%s: %w", path, &LockedError{LockHolder: holder(le.File, le.Holder), Waited: le.Waited, cause: le.Cause})
		}
		if cerr := context.Cause(ctx); cerr != nil && errors.Is(err, cerr) {
			return notWritten(ctx, path)
		}
		return err
	}
	defer release()
	current, err := Load(target, DecodeOptions{Password: opts.Password})
	if err != nil {
		return err
	}
	if current.Format != opts.Format {
		return fmt.Errorf("%s: %w: the file is %s, not %s", path, ErrTypeMismatch, current.Format, opts.Format)
	}
	if bad := current.UnwritableKeys(path); len(bad) > 0 {
		return bad[0]
	}
	next, err := modify(current)
	if err != nil {
		return err
	}
	opts.Overwrite = true
	return writeTarget(ctx, path, target, next, opts.WriteOptions)
}
