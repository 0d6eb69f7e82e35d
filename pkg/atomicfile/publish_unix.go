//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// renameUnsupportedErrno: the file system does not take the flag
// (EINVAL: NFS, older kernels' file systems), the kernel lacks the call
// (ENOSYS), or a sandbox forbids it (EPERM: older container seccomp
// profiles).
func renameUnsupportedErrno(err error) bool {
	return errnoIn(err, syscall.EINVAL, syscall.ENOSYS, syscall.ENOTSUP, syscall.EOPNOTSUPP, syscall.EPERM)
}

// noHardLinks: link(2) failed because the file system has no hard links
// (FAT and exFAT: EPERM; SMB shares: EOPNOTSUPP), links across devices
// (EXDEV), or the system lacks the call (ENOSYS).
func noHardLinks(err error) bool {
	return errnoIn(err, syscall.EPERM, syscall.ENOTSUP, syscall.EOPNOTSUPP, syscall.EXDEV, syscall.ENOSYS)
}

func errnoIn(err error, list ...syscall.Errno) bool {
	for _, e := range list {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
