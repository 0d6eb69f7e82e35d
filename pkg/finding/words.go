package finding

import (
	"runtime"
	"strconv"
	"strings"
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
// the backslashes before it doubled, as Go's syscall.EscapeArg does.
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
		var b strings.Builder
		b.WriteByte('"')
		slashes := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '\\':
				slashes++
			case '"':
				b.WriteString(strings.Repeat(`\`, slashes+1))
				slashes = 0
			default:
				slashes = 0
			}
			b.WriteByte(s[i])
		}
		b.WriteString(strings.Repeat(`\`, slashes)) // before the closing quote
		b.WriteByte('"')
		return b.String()
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
