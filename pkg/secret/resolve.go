package secret

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/internal/limitio"
)

// MaxFileSize is the largest password file (and stdin line) accepted.
const MaxFileSize = 64 << 10

// Prompter asks the user for a password without echoing it.
type Prompter interface {
	// Prompt shows label (what the password is for) and returns the
	// line typed, without its line terminator.
	Prompt(label string) (string, error)
}

// Resolver reads passwords from their sources. All its I/O is injected;
// nil fields get the defaults documented on them. A Resolver remembers
// whether stdin was consumed, so use one Resolver per run. It is not safe
// for concurrent use.
type Resolver struct {
	// Getenv looks up an environment variable; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
	// ReadFile reads a password file; nil means reading at most
	// MaxFileSize+1 bytes of it from the file system.
	ReadFile func(string) ([]byte, error)
	// Stdin is read for the "stdin" source, one byte at a time so that
	// nothing after the first line is consumed; nil means ErrNoStdin.
	Stdin io.Reader
	// Prompter serves the "prompt" source; nil means ErrNoTerminal.
	Prompter Prompter

	stdinUsed bool
}

// Resolve reads the password src names. label says what the password is
// for, such as "password for fe1.pfx"; it is shown by the prompt and
// starts every error message, followed by the masked source.
//
// Passwords are kept exactly as found: only the line terminator of file
// and stdin lines (and a UTF-8 byte order mark at the start of a file) is
// removed; spaces are kept and Unicode is not normalized. Passwords must
// be valid UTF-8 (ErrInvalidUTF8).
func (r *Resolver) Resolve(src Source, label string) (Password, error) {
	s, err := r.resolve(src, label)
	if err != nil {
		return Password{}, fail(label, src, err)
	}
	if !utf8.ValidString(s) {
		return Password{}, fail(label, src, ErrInvalidUTF8)
	}
	return NewPassword(s), nil
}

func (r *Resolver) resolve(src Source, label string) (string, error) {
	switch src.Kind {
	case KindPass:
		return src.Value, nil
	case KindEnv:
		getenv := r.Getenv
		if getenv == nil {
			getenv = os.LookupEnv
		}
		v, ok := getenv(src.Value)
		if !ok {
			return "", ErrEnvUnset
		}
		return v, nil
	case KindFile:
		return r.readFile(src.Value)
	case KindStdin:
		return r.readStdin()
	case KindPrompt:
		if r.Prompter == nil {
			return "", ErrNoTerminal
		}
		return r.Prompter.Prompt(label)
	}
	return "", fmt.Errorf("%w: %s", ErrBadSource, validForms)
}

func (r *Resolver) readFile(path string) (string, error) {
	read := r.ReadFile
	if read == nil {
		read = readFileLimited
	}
	data, err := read(path)
	if err != nil {
		// The path is already in the message: keep only the cause.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("%w: %w", ErrFile, err)
	}
	if len(data) > MaxFileSize {
		return "", fmt.Errorf("%w: larger than %d KiB", ErrFile, MaxFileSize>>10)
	}
	if len(data) == 0 {
		return "", ErrFileEmpty
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return "", fmt.Errorf("%w: the file is UTF-16; save it as UTF-8", ErrFile)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return firstLine(string(data)), nil
}

func readFileLimited(path string) ([]byte, error) {
	return limitio.ReadFile(path, MaxFileSize, errFileTooLarge)
}

// errFileTooLarge is what limitio wraps for a password file over
// MaxFileSize; readFile reports it as ErrFile.
var errFileTooLarge = errors.New("larger than 64 KiB") // MaxFileSize (TestFileTooLargeText)

// firstLine returns s up to its first CR or LF.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

func (r *Resolver) readStdin() (string, error) {
	if r.stdinUsed {
		return "", ErrStdinUsedTwice
	}
	if r.Stdin == nil {
		return "", ErrNoStdin
	}
	r.stdinUsed = true
	var line []byte
	var b [1]byte
	for empty := 0; ; {
		n, err := r.Stdin.Read(b[:])
		if n == 0 && err == nil {
			if empty++; empty == 100 {
				return "", fmt.Errorf("%w: %w", ErrStdin, io.ErrNoProgress)
			}
			continue
		}
		empty = 0
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(line) == MaxFileSize {
				return "", fmt.Errorf("%w: line longer than %d KiB", ErrStdin, MaxFileSize>>10)
			}
			line = append(line, b[0])
		}
		if err == io.EOF {
			if len(line) == 0 {
				return "", fmt.Errorf("%w: no input", ErrStdin)
			}
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrStdin, err)
		}
	}
	return string(bytes.TrimSuffix(line, []byte("\r"))), nil
}

// fail wraps err as "label: source: err". Source is masked (pass:***),
// and no caller puts password text into err.
func fail(label string, src Source, err error) error {
	if label == "" {
		return fmt.Errorf("%s: %w", src, err)
	}
	return fmt.Errorf("%s: %s: %w", label, src, err)
}
