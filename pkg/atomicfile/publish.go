package atomicfile

import (
	"errors"
	"os"
)

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
	if err == nil || errors.Is(err, os.ErrExist) || !renameUnsupported(err) {
		return err
	}
	err = p.link(tmp, path)
	if err == nil {
		os.Remove(tmp)
		return nil
	}
	if errors.Is(err, os.ErrExist) || !noHardLinks(err) {
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
