// Package secret turns password options into passwords.
//
// A password option names a source, as OpenSSL's -passin does:
//
//	pass:TEXT   the password itself (may be empty, may contain colons)
//	env:VAR     the value of environment variable VAR
//	file:PATH   the first line of file PATH, without its CR/LF
//	stdin       one line of standard input (one option per run at most)
//	prompt      typed at the terminal, without echo
//
// [ParseSource] checks the syntax of an option without touching the
// environment, files, stdin or the terminal; a [Resolver] then reads the
// password. The Resolver gets all its I/O injected, so a command can be
// tested without a terminal and the package keeps no global state.
//
// Secrets never leak through formatting: a [Source] prints pass:TEXT as
// "pass:***", a [Password] prints as "[redacted]" with every fmt verb, and
// no error of this package contains password text. Only
// [Password.Reveal] returns it.
package secret

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/uccert/uccert/pkg/internal/textdist"
)

// Sentinel errors. Errors returned by this package wrap one of them (test
// with errors.Is) and name what the password is for and where it was to
// come from, never the password.
var (
	// ErrBadSource: a password option that is not one of the valid forms.
	ErrBadSource = errors.New("invalid password source")
	// ErrEnvUnset: env:VAR names a variable that is not set.
	ErrEnvUnset = errors.New("environment variable is not set")
	// ErrFile: file:PATH could not be read or is larger than 64 KiB.
	ErrFile = errors.New("cannot read password file")
	// ErrFileEmpty: file:PATH names an empty file.
	ErrFileEmpty = errors.New("password file is empty")
	// ErrStdinUsedTwice: a second option tried to read stdin.
	ErrStdinUsedTwice = errors.New("only one password option may read stdin")
	// ErrNoStdin: "stdin" was used but the Resolver has no Stdin.
	ErrNoStdin = errors.New("no standard input to read a password from")
	// ErrStdin: reading the line from stdin failed, stdin was empty, or
	// the line was longer than 64 KiB.
	ErrStdin = errors.New("cannot read password from standard input")
	// ErrNoTerminal: "prompt" was used but there is no terminal.
	ErrNoTerminal = errors.New("no terminal to prompt for a password")
	// ErrInvalidUTF8: the password is not valid UTF-8 (for example a
	// file saved in a legacy code page), so it cannot be converted the
	// way PKCS#12 and JKS need.
	ErrInvalidUTF8 = errors.New("password is not valid UTF-8")
	// ErrTooShort: see CheckStorePassword.
	ErrTooShort = errors.New("store passwords must have at least 6 characters (keytool refuses shorter ones)")
)

// validForms is appended to every ErrBadSource message.
const validForms = "valid forms are pass:TEXT, env:VAR, file:PATH, stdin and prompt"

// Kind is the form of a password source.
type Kind int

// The kinds of source. The zero Kind is not valid.
const (
	KindPass   Kind = iota + 1 // pass:TEXT
	KindEnv                    // env:VAR
	KindFile                   // file:PATH
	KindStdin                  // stdin
	KindPrompt                 // prompt
)

// String returns the scheme of k: "pass", "env", "file", "stdin" or "prompt".
func (k Kind) String() string {
	switch k {
	case KindPass:
		return "pass"
	case KindEnv:
		return "env"
	case KindFile:
		return "file"
	case KindStdin:
		return "stdin"
	case KindPrompt:
		return "prompt"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Source is a parsed password option, not yet resolved. Value is the
// password text for KindPass, the variable name for KindEnv, the path for
// KindFile and empty otherwise.
//
// Source implements fmt.Formatter: every fmt verb prints String() (or
// GoString() for %#v), so the text of pass:TEXT is never printed.
type Source struct {
	Kind  Kind
	Value string
}

// String returns the source in option syntax with pass:TEXT masked:
// "pass:***", "env:VAR", "file:PATH", "stdin" or "prompt".
func (s Source) String() string {
	switch s.Kind {
	case KindPass:
		return "pass:***"
	case KindEnv, KindFile:
		return s.Kind.String() + ":" + s.Value
	case KindStdin, KindPrompt:
		return s.Kind.String()
	}
	return "invalid source (" + s.Kind.String() + ")"
}

// GoString is String's counterpart for %#v; it masks pass:TEXT too.
func (s Source) GoString() string {
	v := s.Value
	if s.Kind == KindPass {
		v = "***"
	}
	return fmt.Sprintf("secret.Source{Kind: %s, Value: %q}", s.Kind.goName(), v)
}

// Format makes every fmt verb (%v, %+v, %s, %q, %x, %d, ...) print the
// masked String, and %#v the masked GoString.
func (s Source) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(s.String()))
	default:
		fmt.Fprint(f, s.String())
	}
}

func (k Kind) goName() string {
	switch k {
	case KindPass, KindEnv, KindFile, KindStdin, KindPrompt:
		s := k.String()
		return "secret.Kind" + strings.ToUpper(s[:1]) + s[1:]
	}
	return "secret.Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseSource parses a password option. It reads nothing: use a Resolver
// for that. Errors wrap ErrBadSource and never contain the option's text
// (a mistyped "pas:secret" must not print the secret); they suggest the
// intended form when the mistake is a near miss.
func ParseSource(s string) (Source, error) {
	scheme, rest, hasColon := strings.Cut(s, ":")
	if hasColon {
		switch scheme {
		case "pass":
			return Source{Kind: KindPass, Value: rest}, nil
		case "env":
			if rest == "" {
				return Source{}, fmt.Errorf("%w: env: needs a variable name, as in env:VAR", ErrBadSource)
			}
			if strings.ContainsAny(rest, "=\x00") {
				return Source{}, fmt.Errorf("%w: env: variable names cannot contain '=' or NUL", ErrBadSource)
			}
			return Source{Kind: KindEnv, Value: rest}, nil
		case "file":
			if rest == "" {
				return Source{}, fmt.Errorf("%w: file: needs a path, as in file:PATH", ErrBadSource)
			}
			return Source{Kind: KindFile, Value: rest}, nil
		}
	} else {
		switch s {
		case "stdin":
			return Source{Kind: KindStdin}, nil
		case "prompt":
			return Source{Kind: KindPrompt}, nil
		case "":
			return Source{}, fmt.Errorf("%w: empty; %s", ErrBadSource, validForms)
		}
	}
	if hint := suggest(s, scheme, hasColon); hint != "" {
		return Source{}, fmt.Errorf("%w: unknown form (did you mean %s?); %s", ErrBadSource, hint, validForms)
	}
	return Source{}, fmt.Errorf("%w: unknown form; %s (a literal password needs the pass: prefix)", ErrBadSource, validForms)
}

// suggest returns the valid form closest to a bad option, or "". It looks
// only at the part before the first colon, and its result is one of the
// fixed forms, so no text of the option is ever echoed.
func suggest(s, scheme string, hasColon bool) string {
	if hasColon && len(scheme) == 1 && (strings.HasPrefix(s[2:], `\`) || strings.HasPrefix(s[2:], "/")) {
		return "file:PATH" // a bare Windows path such as C:\pw.txt
	}
	word := strings.ToLower(scheme)
	best, bestDist := "", 3 // suggest at edit distance <= 2 only
	near := len(word) <= 16 // long words are never near misses of our schemes
	for _, f := range []struct{ word, form string }{
		{"pass", "pass:TEXT"}, {"env", "env:VAR"}, {"file", "file:PATH"},
		{"stdin", "stdin"}, {"prompt", "prompt"},
	} {
		if hasColon && len(word) > len(f.word) && strings.HasPrefix(word, f.word) {
			return f.form // password:, envvar:, filename:
		}
		if !near {
			continue
		}
		if d := textdist.Distance(word, f.word); d < bestDist && d < len(f.word) {
			best, bestDist = f.form, d
		}
	}
	return best
}

// CheckStdinOnce returns an error wrapping ErrStdinUsedTwice when more
// than one of srcs reads stdin, so a command can refuse the combination
// before doing any work.
func CheckStdinOnce(srcs ...Source) error {
	n := 0
	for _, s := range srcs {
		if s.Kind == KindStdin {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("%w (%d options use stdin)", ErrStdinUsedTwice, n)
	}
	return nil
}
