//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lock

import (
	"errors"
	"io/fs"
	"os"
)

// tryLock creates PATH.lock exclusively; busy when it exists.
func tryLock(path string) (release func(), busy bool, err error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	f.Close()
	return func() { os.Remove(path + ".lock") }, false, nil
}

func lockHint(path string) string {
	return "if no uccert is running, remove " + path + ".lock"
}
