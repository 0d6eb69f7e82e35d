package finding

import (
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

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

// UnsafeRune reports whether the rune r, decoded from n bytes, is one a
// terminal acts on or shows misleadingly, so that text from a file or a
// peer must not carry it raw: a byte that is not UTF-8 (r is
// utf8.RuneError and n is 1), a C0 or C1 control character or DEL, and the
// bidirectional formatting characters (U+061C, U+200E, U+200F,
// U+202A-U+202E, U+2066-U+2069). The CLI escapes such runes; package merge
// keeps them out of the aliases it derives.
func UnsafeRune(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return true
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
