package keystore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/atomicfile"
	"github.com/uccert/uccert/pkg/internal/lock"
)

// WriteOptions are EncodeOptions plus the overwrite policy.
type WriteOptions struct {
	EncodeOptions
	// Overwrite allows replacing an existing file. Without it an existing
	// path is ErrExists, checked atomically (no window in which another
	// writer's file could be replaced).
	Overwrite bool
}

// WriteFile encodes s and writes it to path atomically: a temporary file
// in path's folder (mode 0600), fsync, a read-back that must decode with
// the password to the same entries, then a rename. On any failure path is
// unchanged and the temporary file is removed.
//
// Errors name path and wrap Encode's errors, ErrExists (path exists and
// opts.Overwrite is false) or ErrReadBack (what was written does not
// decode to the same entries), or the file system's.
func WriteFile(path string, s *Store, opts WriteOptions) error {
	data, err := Encode(s, opts.EncodeOptions)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	readBack := func(tmpName string) error {
		back, err := ReadFile(tmpName)
		if err != nil {
			return fmt.Errorf("read-back: %w", err)
		}
		got, err := Decode(back, DecodeOptions{Password: opts.Password})
		if err != nil {
			return fmt.Errorf("%w: %w", ErrReadBack, err)
		}
		if cerr := Compare(s, got); cerr != nil {
			return fmt.Errorf("%w: %w", ErrReadBack, cerr)
		}
		return nil
	}
	// The read-back (key derivations) runs while the temporary file is
	// synced to disk; both must succeed before the rename.
	err = atomicfile.Write(path, data, atomicfile.Options{Perm: 0o600, Overwrite: opts.Overwrite, Check: readBack})
	switch {
	case errors.Is(err, atomicfile.ErrExists):
		return fmt.Errorf("%s: %w", path, ErrExists)
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// UpdateOptions say how Update rewrites a store: the options of the
// write (the password also opens the current store) and how long to wait
// for another updater.
type UpdateOptions struct {
	WriteOptions
	// LockTimeout bounds the wait for another process updating the same
	// file (60 s when zero); then Update fails with ErrLocked.
	LockTimeout time.Duration
}

// ErrLocked: another process holds the update lock of the store.
var ErrLocked = lock.ErrLocked

// Update is a read-modify-write of the store at path that loses nothing
// to a concurrent updater: it takes the file's update lock (waiting up to
// opts.LockTimeout), reads the store with opts.Password, calls modify
// with it, and writes what modify returns with WriteFile (replacing the
// file atomically) before it releases the lock. The current store must be
// of opts.Format (else ErrTypeMismatch) and its entries writable (else an
// *UnusableKeyError, see Entry.Writable), since they are written again.
func Update(ctx context.Context, path string, opts UpdateOptions, modify func(current *Store) (*Store, error)) error {
	wait := opts.LockTimeout
	if wait <= 0 {
		wait = 60 * time.Second
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	release, err := lock.ForUpdate(lctx, path)
	cancel()
	if err != nil {
		return err
	}
	defer release()
	current, err := Load(path, DecodeOptions{Password: opts.Password})
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
	return WriteFile(path, next, opts.WriteOptions)
}
