//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package lock

import (
	"errors"
	"os"
	"syscall"
)

// tryOnce opens (or creates) the lock file and flocks it without
// blocking. busy reports a lock held by someone else; f is then open for
// reading the holder (the caller closes it).
func tryOnce(name string) (f *os.File, busy bool, transient, err error) {
	f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return f, true, nil, nil
		}
		f.Close()
		return nil, false, nil, err
	}
	return f, false, nil, nil
}

// unlock: closing the file drops the flock.
func unlock(*os.File) {}

// sameFile reports whether name still is the file f has open.
func sameFile(f *os.File, name string) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(name)
	if err != nil {
		return false, err
	}
	return os.SameFile(held, now), nil
}
