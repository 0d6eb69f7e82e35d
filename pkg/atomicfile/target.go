package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrNotRegular: the path to write is not a regular file (a folder, a
// device, a named pipe, a socket, or a symbolic link that points to
// nothing); only regular files are replaced (see *NotRegularError).
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError says what is at Path instead of a regular file, or
// where a symbolic link that points to nothing points. It wraps
// ErrNotRegular.
type NotRegularError struct {
	// Path is the path given to write.
	Path string
	// Mode holds the type bits of what is there: fs.ModeDir,
	// fs.ModeDevice (with fs.ModeCharDevice), fs.ModeNamedPipe,
	// fs.ModeSocket, fs.ModeIrregular, or fs.ModeSymlink for a link
	// that points to nothing.
	Mode fs.FileMode
	// Target is where a link that points to nothing points.
	Target string
}

func (e *NotRegularError) Error() string {
	if e.Mode&fs.ModeSymlink != 0 {
		return fmt.Sprintf("%s: a symbolic link to %s, which does not exist", e.Path, e.Target)
	}
	return fmt.Sprintf("%s: %s, %s: uccert replaces only regular files", e.Path, kindOf(e.Mode), ErrNotRegular)
}

// Unwrap makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// kindOf names a file type in words.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeDir != 0:
		return "a folder"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// Target is the file that a write of path replaces or creates: path
// itself, or the file a symbolic link at path points to (through every
// link, resolved once), as editors write through a link and leave it a
// link. fi describes the target, nil when nothing is there yet. A link
// that points to nothing, and a target that is not a regular file, are a
// *NotRegularError; other errors name path.
func Target(path string) (target string, fi fs.FileInfo, err error) {
	li, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	target, fi = path, li
	if li.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				dest, _ := os.Readlink(path)
				return "", nil, &NotRegularError{Path: path, Mode: fs.ModeSymlink, Target: dest}
			}
			return "", nil, fmt.Errorf("%s: %w", path, err)
		}
		if fi, err = os.Lstat(target); err != nil {
			return "", nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if !replaceable(fi.Mode()) {
		return "", nil, &NotRegularError{Path: path, Mode: fi.Mode().Type()}
	}
	return target, fi, nil
}

// replaceable reports whether a file of mode m may be replaced: a regular
// file, or on Windows a file behind a reparse point other than a link
// (Go says ModeIrregular): OneDrive's Files On-Demand and other cloud
// folders keep every file behind one, and they are ordinary files there.
func replaceable(m fs.FileMode) bool {
	return m.IsRegular() || (runtime.GOOS == "windows" && m.Type() == fs.ModeIrregular)
}
