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
func WriteFile(path string, s *Store, opts WriteOptions) (err error) {
	data, err := Encode(s, opts.EncodeOptions)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".uccert-*")
	if err != nil {
		return fmt.Errorf("%s: cannot create a temporary file beside it: %w", path, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err = tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// fsync (waiting for the disk) and the read-back (key derivations)
	// overlap; both must succeed before the rename.
	synced := make(chan error, 1)
	go func() { synced <- tmp.Sync() }()
	readBack := func() error {
		back, err := ReadFile(tmpName)
		if err != nil {
			return fmt.Errorf("%s: read-back: %w", path, err)
		}
		got, err := Decode(back, DecodeOptions{Password: opts.Password})
		if err != nil {
			return fmt.Errorf("%s: %w: %w", path, ErrReadBack, err)
		}
		if cerr := Compare(s, got); cerr != nil {
			return fmt.Errorf("%s: %w: %w", path, ErrReadBack, cerr)
		}
		return nil
	}
	err = readBack()
	if serr := <-synced; serr != nil && err == nil {
		err = fmt.Errorf("%s: %w", path, serr)
	}
	if err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if opts.Overwrite {
		if err = os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	} else {
		// link fails if path exists: create-only, without a race.
		if err = os.Link(tmpName, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s: %w", path, ErrExists)
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		os.Remove(tmpName)
	}
	syncDir(dir)
	return nil
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
