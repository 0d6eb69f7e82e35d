package lock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockOffset is where the locked byte lies: far beyond the holder line,
// since Windows locks are mandatory and a waiter must still read who
// holds the lock (SQLite locks bytes at 1 GiB for the same reason).
const lockOffset = 1 << 30

// tryOnce opens (or creates) the lock file, sharing delete access so that
// its owner can remove it while others look at it, and locks one byte of
// it with LockFileEx without waiting. busy reports a lock held by someone
// else; f is then open for reading the holder (the caller closes it). A
// file that cannot be opened because it is being removed (or is open
// elsewhere without sharing) is busy too, with that error as transient.
func tryOnce(name string) (f *os.File, busy bool, transient, err error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, false, nil, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_ALWAYS, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION) {
			return nil, true, &os.PathError{Op: "open", Path: name, Err: err}, nil
		}
		return nil, false, nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	f = os.NewFile(uintptr(h), name)
	ol := windows.Overlapped{Offset: lockOffset}
	err = windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if err != nil {
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
			return f, true, nil, nil
		}
		f.Close()
		return nil, false, nil, &os.PathError{Op: "lock", Path: name, Err: err}
	}
	return f, false, nil, nil
}

// unlock drops the lock at once (closing the handle drops it too, but
// Windows may take its time).
func unlock(f *os.File) {
	ol := windows.Overlapped{Offset: lockOffset}
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}

// sameFile reports whether name still is the file f has open (volume
// serial number and file index).
func sameFile(f *os.File, name string) (bool, error) {
	var held, now windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &held); err != nil {
		return false, err
	}
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return false, err
	}
	h, err := windows.CreateFile(p, 0, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return false, err
	}
	defer windows.CloseHandle(h)
	if err := windows.GetFileInformationByHandle(h, &now); err != nil {
		return false, err
	}
	return held.VolumeSerialNumber == now.VolumeSerialNumber &&
		held.FileIndexHigh == now.FileIndexHigh && held.FileIndexLow == now.FileIndexLow, nil
}
