package atomicfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// renameNoReplace is renamex_np(2) with RENAME_EXCL (macOS 10.12).
func renameNoReplace(oldname, newname string) error {
	if err := unix.RenamexNp(oldname, newname, unix.RENAME_EXCL); err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	return nil
}
