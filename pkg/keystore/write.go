package keystore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/uccert/uccert/pkg/atomicfile"
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
}

// ErrNotRegular: the path to write is not a regular file (a folder, a
// device, a named pipe, a socket, or a symbolic link that points to
// nothing); uccert replaces only regular files (see *NotRegularError).
// It is atomicfile.ErrNotRegular.
var ErrNotRegular = atomicfile.ErrNotRegular

// NotRegularError says what is at Path instead of a regular file, or
// where a symbolic link that points to nothing points; it wraps
// ErrNotRegular. It is atomicfile.NotRegularError.
type NotRegularError = atomicfile.NotRegularError

// WriteTarget is the file that WriteFile and Update write for path:
// path itself, or the file a symbolic link at path points to (through
// every link, resolved once), as editors write through a link and leave
// it a link. fi describes the target, nil when nothing is there yet. A
// link that points to nothing, and a target that is not a regular file,
// are a *NotRegularError. It is atomicfile.Target.
func WriteTarget(path string) (target string, fi fs.FileInfo, err error) {
	return atomicfile.Target(path)
}

// WriteFile is WriteFileContext without a context.
func WriteFile(path string, s *Store, opts WriteOptions) error {
	return WriteFileContext(context.Background(), path, s, opts)
}

// WriteFileContext encodes s and writes it to path atomically
// (atomicfile.WriteContext): a temporary file in the folder of the file
// it replaces (mode 0600), fsync, a read-back that must open with the
// password and hold the same entries (compared as Compare does, byte for
// byte, without parsing the certificates again), then a rename. A
// symbolic link at path is written through (WriteTarget). Without
// opts.Overwrite the file is created only if nothing is there,
// atomically: by a rename that refuses to replace, or a hard link, or, on
// file systems that have neither (FAT, exFAT, some SMB shares), by
// creating the file exclusively before the rename. On any failure path is
// unchanged and the temporary file removed.
//
// When ctx is done before the rename, WriteFileContext removes the
// temporary file and returns ctx's cause (wrapped) at once, leaving path
// unchanged; an encoding or read-back under way finishes in the
// background and is discarded.
//
// Errors name path and wrap Encode's errors, ErrExists (path exists and
// opts.Overwrite is false), a *NotRegularError, ErrReadBack (what was
// written does not open to the same entries), ctx's cause, or the file
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
	return atomicfile.WriteContext(ctx, path, data, atomicfile.Options{
		Perm:      0o600,
		Overwrite: opts.Overwrite,
		Resolved:  target,
		Check: func(tmpName string) error {
			back, err := ReadFile(tmpName)
			if err != nil {
				return fmt.Errorf("read-back: %w", err)
			}
			if err := checkWritten(s, back, opts.EncodeOptions); err != nil {
				return fmt.Errorf("%w: %w", ErrReadBack, err)
			}
			return nil
		},
	})
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

// notWritten is the error of a write that ctx ended before the file was
// written (atomicfile.WriteContext says the same once it writes).
func notWritten(ctx context.Context, path string) error {
	return fmt.Errorf("%s: not written: %w", path, context.Cause(ctx))
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
	// KeepProfile writes a PKCS#12 store with the profile it was read with
	// (Store.Profile of the current store) instead of
	// EncodeOptions.Profile, so that whoever read the old file reads the
	// new one: a legacy store stays legacy for an old JRE.
	KeepProfile bool
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
	if opts.KeepProfile {
		opts.Profile = current.Profile
	}
	opts.Overwrite = true
	return writeTarget(ctx, path, target, next, opts.WriteOptions)
}
