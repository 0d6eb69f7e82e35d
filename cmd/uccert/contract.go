package main

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/urfave/cli/v2"
)

// exitCodes is the one exit-status table of every command's --help and of
// docs/cli.md; run is the one place that maps errors to these codes.
const exitCodes = `EXIT CODES (the same for every command):
   0  success (verify: no error, and with --strict no warning either)
   1  failure: an input cannot be used (missing, unreadable, corrupt, wrong password),
      a check failed, an output exists without --append/--force; nothing was written
   2  usage error: an unknown or misused option, a missing argument, or a password
      that is needed while no source is given and no terminal can ask for it`

// jsonContract is the help on --json for scripts (the main --help and
// docs/cli.md); the codes are errorCode's.
const jsonContract = `JSON (--json, every command that writes a result):
   Every outcome is one JSON document on stdout. A failure is
   {"ok":false,"error":{"code":CODE,"message":TEXT,"file":PATH}}, CODE one of
   wrong-password, key-password, not-found, exists, malformed, unsupported,
   too-large, locked, not-regular, password-source, check-failed, no-match,
   last-entry, interrupted, usage,
   failed.
   inspect reports every file, a failed one as {"file":PATH,"error":{...}}.

`

// passwordSources is the help on password sources of every command that
// takes one.
const passwordSources = `PASSWORD SOURCES (SRC):
   env:VAR     the environment variable VAR
   file:PATH   the first line of the file PATH
   stdin       one line of standard input (once per run)
   prompt      asked on the terminal, without echo (the default on a terminal)
   pass:TEXT   TEXT itself: visible to other users of the machine in process listings
               (ps, Task Manager) and kept in shell history; for tests only

`

// reorderArgs lets flags stand before or after the positional arguments
// of a command (urfave/cli stops reading flags at the first positional
// one): it moves the command's flags, with their values, in front of the
// positional arguments, which follow a "--". A "--" already given ends
// the flags: what follows stays positional, as typed.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		i++ // global flags (--version, --help)
	}
	if i >= len(args) || args[i] == "--" {
		return args
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		tv := false
		if v, ok := f.(interface{ TakesValue() bool }); ok {
			tv = v.TakesValue()
		}
		for _, n := range f.Names() {
			takesValue[n] = tv
		}
	}
	var flags, positional []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		tok := rest[j]
		switch {
		case tok == "--":
			positional = append(positional, rest[j+1:]...)
			j = len(rest)
		case strings.HasPrefix(tok, "-") && tok != "-":
			flags = append(flags, tok)
			name := strings.TrimLeft(tok, "-")
			if _, _, inline := strings.Cut(name, "="); !inline && takesValue[name] && j+1 < len(rest) {
				j++
				flags = append(flags, rest[j])
			}
		default:
			positional = append(positional, tok)
		}
	}
	out := append(append([]string{}, args[:i+1]...), flags...)
	for _, f := range flags {
		if f == "-h" || f == "--help" || f == "-help" {
			return out // help ignores the positional arguments
		}
	}
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out
}

// wantsJSON reports whether the command line asks for JSON output:
// --json, or --format json (its equivalent in verify and args).
func wantsJSON(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "--json" || a == "-json" || a == "--json=true":
			return true
		case a == "--format=json" || a == "-format=json":
			return true
		case (a == "--format" || a == "-format") && i+1 < len(args) && args[i+1] == "json":
			return true
		}
	}
	return false
}

// fileError names the file an error is about (for JSON's "file").
type fileError struct {
	file string
	err  error
}

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// withFile wraps err with the file it concerns (nil stays nil).
func withFile(file string, err error) error {
	if err == nil {
		return nil
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return err
	}
	return &fileError{file: file, err: err}
}

// errorInfo is the "error" object of the JSON failure document.
type errorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
}

// errorCode classifies an error for scripts: wrong-password, not-found,
// malformed, unsupported, exists, not-regular, usage, key-password,
// too-large, locked, password-source, check-failed, no-match (remove:
// nothing matches), last-entry (remove: the last entry would go),
// interrupted or failed.
func errorCode(err error) string {
	var ue *usageError
	var failed *finding.Failed
	switch {
	case errors.As(err, &ue):
		return "usage"
	case errors.As(err, new(*interruptedError)):
		return "interrupted"
	case errors.Is(err, keystore.ErrIncorrectPassword):
		return "wrong-password"
	case errors.Is(err, keystore.ErrKeyPassword):
		return "key-password"
	case errors.Is(err, fs.ErrNotExist):
		return "not-found"
	case errors.Is(err, keystore.ErrExists):
		return "exists"
	case errors.Is(err, keystore.ErrNotRegular):
		return "not-regular"
	case errors.Is(err, keystore.ErrTooLarge), errors.Is(err, certfile.ErrTooLarge), errors.Is(err, connector.ErrArgsFileTooLarge):
		return "too-large"
	case errors.Is(err, keystore.ErrLocked):
		return "locked"
	case errors.Is(err, keystore.ErrUnsupported), errors.Is(err, keystore.ErrPasswordEncoding), errors.Is(err, merge.ErrSecretKeys):
		return "unsupported"
	case errors.Is(err, keystore.ErrMalformed), errors.Is(err, keystore.ErrUnknownFormat), errors.Is(err, keystore.ErrLimit),
		errors.Is(err, certfile.ErrMalformed), errors.Is(err, connector.ErrBadCharacter), errors.Is(err, connector.ErrUnbalancedQuote):
		return "malformed"
	case errors.Is(err, secret.ErrBadSource), errors.Is(err, secret.ErrEnvUnset), errors.Is(err, secret.ErrFile),
		errors.Is(err, secret.ErrFileEmpty), errors.Is(err, secret.ErrStdin), errors.Is(err, secret.ErrTooShort):
		return "password-source"
	case errors.As(err, &failed):
		return "check-failed"
	case errors.Is(err, merge.ErrNoMatch):
		return "no-match"
	case errors.Is(err, merge.ErrLastEntry):
		return "last-entry"
	}
	return "failed"
}

// errorFile is the file an error is about, when it is known.
func errorFile(err error) string {
	var fe *fileError
	var pe *fs.PathError
	var ue *keystore.UnusableKeyError
	var se *merge.SecretKeysError
	var failed *finding.Failed
	switch {
	case errors.As(err, &fe):
		return fe.file
	case errors.As(err, &ue) && ue.File != "":
		return ue.File
	case errors.As(err, &se) && len(se.Keys) > 0:
		return se.Keys[0].File
	case errors.As(err, &failed) && len(failed.Findings) > 0:
		return strings.SplitN(failed.Findings[0].Subject, "#", 2)[0]
	case errors.As(err, &pe):
		return pe.Path
	}
	return ""
}

// describeError is the JSON form of an error.
func describeError(err error) errorInfo {
	return errorInfo{Code: errorCode(err), Message: err.Error(), File: errorFile(err)}
}

// writeJSONFailure writes {"ok":false,"error":{...}} on w.
func writeJSONFailure(w io.Writer, err error) {
	doc := struct {
		OK    bool      `json:"ok"`
		Error errorInfo `json:"error"`
	}{false, describeError(err)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}
