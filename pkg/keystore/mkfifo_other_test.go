//go:build !unix

package keystore

import "errors"

func mkfifo(string) error { return errors.ErrUnsupported }
