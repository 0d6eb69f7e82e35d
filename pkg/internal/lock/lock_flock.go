//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package lock

import (
	"errors"
	"os"
	"syscall"
)

// tryLock flocks path without blocking. busy reports a lock held by
// someone else; a file replaced (renamed over) after it was opened is
// retried, since its lock no longer guards the path.
func tryLock(path string) (release func(), busy bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, true, nil
		}
		return nil, false, err
	}
	held, err1 := f.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, now) {
		f.Close() // replaced while we waited: lock the new file
		return nil, true, nil
	}
	return func() { f.Close() }, false, nil
}

func lockHint(string) string { return "it holds an flock on the file" }
