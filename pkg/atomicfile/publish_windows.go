package atomicfile

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// renameNoReplace is MoveFileEx without MOVEFILE_REPLACE_EXISTING, which
// fails with ERROR_ALREADY_EXISTS when newname exists (os.Rename replaces
// on Windows). It works on every Windows file system, FAT included.
func renameNoReplace(oldname, newname string) error {
	from, err := windows.UTF16PtrFromString(oldname)
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(newname)
	if err != nil {
		return err
	}
	if err := windows.MoveFileEx(from, to, windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	return nil
}

func renameUnsupportedErrno(err error) bool {
	return errnoIn(err, windows.ERROR_INVALID_FUNCTION, windows.ERROR_NOT_SUPPORTED, windows.ERROR_CALL_NOT_IMPLEMENTED, windows.ERROR_INVALID_PARAMETER)
}

// noHardLinks: CreateHardLink failed because the file system has none
// (FAT, exFAT) or the share does not offer them.
func noHardLinks(err error) bool {
	return errnoIn(err, windows.ERROR_INVALID_FUNCTION, windows.ERROR_NOT_SUPPORTED, windows.ERROR_CALL_NOT_IMPLEMENTED, windows.ERROR_NOT_SAME_DEVICE)
}

func errnoIn(err error, list ...windows.Errno) bool {
	for _, e := range list {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
