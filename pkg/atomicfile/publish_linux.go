package atomicfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// renameNoReplace is renameat2(2) with RENAME_NOREPLACE (Linux 3.15; ext4,
// XFS, Btrfs, tmpfs, FAT, exFAT and SMB take it; NFS does not: EINVAL).
func renameNoReplace(oldname, newname string) error {
	if err := unix.Renameat2(unix.AT_FDCWD, oldname, unix.AT_FDCWD, newname, unix.RENAME_NOREPLACE); err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	return nil
}
