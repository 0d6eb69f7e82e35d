// Package atomicfile writes a file so that a reader sees either its old
// content or the whole new content, never a part, and a failed write
// leaves the old file as it was: a temporary file in the same folder,
// fsync, then a rename over the path (or a hard link, which refuses an
// existing path without a race), then an fsync of the folder.
//
// keystore.WriteFile writes stores through it (with a read-back as the
// Check); `uccert verify -o` writes reports and Prometheus text files
// through it, which node_exporter's textfile collector may read at any
// moment.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrExists: the path exists and Options.Overwrite is false.
var ErrExists = errors.New("the file exists")

// Options say how Write writes.
type Options struct {
	// Perm is the mode of the new file, set with chmod (the umask does
	// not apply). Ignored on Windows, which has no such modes.
	Perm fs.FileMode
	// Overwrite allows replacing an existing file. Without it an
	// existing path is ErrExists, checked atomically.
	Overwrite bool
	// Check, when not nil, is called with the temporary file's name once
	// the data is written to it, while it is being synced to disk; an
	// error aborts the write (e.g. a read-back that must decode).
	Check func(tmpName string) error
}

// Write writes data to path atomically. On any failure path is unchanged
// and the temporary file is removed. Errors do not name path (callers
// do): they are the file system's, Check's, or wrap ErrExists.
func Write(path string, data []byte, opts Options) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".uccert-*")
	if err != nil {
		return fmt.Errorf("cannot create a temporary file beside it: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err = tmp.Chmod(opts.Perm); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	// fsync (waiting for the disk) and the check overlap; both must
	// succeed before the rename.
	synced := make(chan error, 1)
	go func() { synced <- tmp.Sync() }()
	if opts.Check != nil {
		err = opts.Check(tmpName)
	}
	if serr := <-synced; serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if opts.Overwrite {
		if err = os.Rename(tmpName, path); err != nil {
			return err
		}
	} else {
		// link fails if path exists: create-only, without a race.
		if err = os.Link(tmpName, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%w: %w", ErrExists, err)
			}
			return err
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
