//go:build !unix && !windows

package keystore

func renameUnsupportedErrno(error) bool { return false }

func noHardLinks(error) bool { return true }
