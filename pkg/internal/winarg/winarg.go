// Package winarg writes one argument of a Windows command line so that the
// C runtime's splitting (which the connector's java.exe launcher and Go's
// os.Args on Windows follow) gives it back: the one Windows quoting rule
// behind finding.CommandArg on Windows and connector.FormatGenesys and
// FormatBat. cmd.exe's own syntax (%, ^, & ...) is the caller's concern.
package winarg

import "strings"

// Quote returns s enclosed in double quotes: a double quote inside is
// written \", the backslashes just before it are doubled, and so are
// trailing backslashes (before the closing quote); other backslashes stay
// single. C:\my certs\ becomes "C:\my certs\\", pa"ss becomes "pa\"ss",
// and the empty string "".
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	n := 0 // backslashes pending
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			n++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*n+1))
		default:
			b.WriteString(strings.Repeat(`\`, n))
		}
		b.WriteByte(s[i])
		n = 0
	}
	b.WriteString(strings.Repeat(`\`, 2*n))
	b.WriteByte('"')
	return b.String()
}
