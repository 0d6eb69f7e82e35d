// Package limitio is uccert's one capped file reader: every file a user
// names (stores, certificate files, krb5.conf, password files, connector
// argument files) is read through it, so that no file costs more memory
// than its limit, whatever its size or kind (a FIFO, /dev/zero).
package limitio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadFile reads at most limit bytes of path. A larger file fails with an
// error wrapping tooLarge (the caller's sentinel) that says the limit,
// without reading the rest: a regular file is refused from its size
// alone. Other errors are those of os.Open and Read (errors.Is
// fs.ErrNotExist works). The error does not name path: callers do.
func ReadFile(path string, limit int64, tooLarge error) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, limit, tooLarge)
}

// Read reads r to its end, at most limit bytes; see ReadFile.
func Read(r io.Reader, limit int64, tooLarge error) ([]byte, error) {
	size := int64(512)
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				return nil, ErrIsDir
			}
			if fi.Mode().IsRegular() {
				if fi.Size() > limit {
					return nil, fmt.Errorf("%w (%d bytes; the limit is %s)", tooLarge, fi.Size(), Size(limit))
				}
				size = fi.Size() + 1
			}
		}
	}
	buf := make([]byte, 0, min(size, limit+1))
	data, err := readAll(io.LimitReader(r, limit+1), buf)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w (more than %s)", tooLarge, Size(limit))
	}
	return data, nil
}

// ErrIsDir: the path names a folder.
var ErrIsDir = errors.New("is a folder, not a file")

// readAll is io.ReadAll into buf's capacity first.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// Lines calls fn for each line of path (without its CR LF or LF), reading
// at most limit bytes in all and refusing (tooLarge) a line longer than
// maxLine, with memory bounded by maxLine whatever the file's size. fn
// returns false to stop. The line number (1-based) is passed along.
func Lines(path string, limit int64, maxLine int, tooLarge error, fn func(n int, line string) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return ErrIsDir
		}
		if fi.Mode().IsRegular() && fi.Size() > limit {
			return fmt.Errorf("%w (%d bytes; the limit is %s)", tooLarge, fi.Size(), Size(limit))
		}
	}
	lr := &io.LimitedReader{R: f, N: limit + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, min(4096, maxLine+2)), maxLine+2)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if !fn(n, line) {
			return nil
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("%w (line %d is longer than %s)", tooLarge, n+1, Size(int64(maxLine)))
	}
	if sc.Err() != nil {
		return sc.Err()
	}
	if lr.N <= 0 {
		return fmt.Errorf("%w (more than %s)", tooLarge, Size(limit))
	}
	return nil
}

// Size writes a byte count as people read limits: "16 MiB", "64 KiB",
// "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// NamePath is err prefixed with path: "PATH: cause". An *fs.PathError of
// path (os.Open's "open PATH: cause") gives "PATH: cause" too and stays in
// the chain (errors.As finds it), so that no message names a file twice.
// nil stays nil.
func NamePath(path string, err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := err.(*fs.PathError); ok && pe.Path == path {
		return &namedError{path: path, pe: pe}
	}
	return fmt.Errorf("%s: %w", path, err)
}

// namedError is an *fs.PathError shown as "PATH: cause".
type namedError struct {
	path string
	pe   *fs.PathError
}

func (e *namedError) Error() string { return e.path + ": " + e.pe.Err.Error() }
func (e *namedError) Unwrap() error { return e.pe }
