package finding

import (
	"runtime"
	"strconv"
	"strings"

	"github.com/uccert/uccert/pkg/internal/winarg"
)

// Plural returns one when n is 1, else many: the one rule for counted
// nouns in uccert's messages, findings and human output.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count returns n and the noun that goes with it: Count(1, "entry",
// "entries") is "1 entry", Count(0, ...) "0 entries".
func Count(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Plural(n, one, many)
}

// CommandArg returns s as one word of a command line typed on the machine
// uccert runs on, quoted when it needs to be: the one quoting rule for
// the commands in findings' hints and in the CLI's output. Letters,
// digits and -_.,/:@+=% stay as they are (and \ on Windows, where it
// separates folders). Otherwise POSIX shells get single quotes, inside
// which nothing is expanded ($, `, \ and ! included; a single quote
// inside closes the quotes, is escaped and reopens them). Windows gets
// double quotes, which cmd.exe, PowerShell and the command-line parsing
// of Go and the C runtime read; a double quote inside is written \" and
// the backslashes before it doubled (pkg/internal/winarg, the rule of
// the connector's lines too). Wine's cmd.exe and C runtime read them back
// (pkg/internal/e2e, TestWineQuoting), but no quoting stops cmd.exe's
// prompt from expanding %VARIABLE% or PowerShell from expanding $ and `
// inside double quotes, and both take \" for the end of the quotes: a
// value with %, $, ` or " is written for the C runtime only.
func CommandArg(s string) string { return commandArg(runtime.GOOS, s) }

func commandArg(goos, s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(`-_.,/:@+=%`, r) || r == '\\' && goos == "windows") {
			plain = false
			break
		}
	}
	switch {
	case plain:
		return s
	case goos == "windows":
		return winarg.Quote(s)
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
