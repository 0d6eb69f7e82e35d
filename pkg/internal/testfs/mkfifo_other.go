//go:build !unix

package testfs

import "errors"

// Mkfifo makes a named pipe (FIFO) at path; not on this system.
func Mkfifo(string) error { return errors.ErrUnsupported }
