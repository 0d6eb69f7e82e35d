//go:build !unix && !windows

package atomicfile

func renameUnsupportedErrno(error) bool { return false }

func noHardLinks(error) bool { return true }
