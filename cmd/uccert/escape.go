package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/finding"
)

// esc makes text from a file, a peer or the command line safe to print
// on a terminal: control characters (C0, DEL, C1: ESC, BEL, CR, LF, tab...)
// are written as \xNN (or \r, \n, \t), bidirectional formatting
// characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which
// reorder what a terminal shows, as \uNNNN, and bytes that are not UTF-8
// as \xNN. Everything else, backslashes included (Windows paths), is left
// as it is. Human output passes every such string through esc; JSON keeps
// the exact values.
func esc(s string) string { return escapeRunes(s, nil) }

// escapeRunes is esc, escaping also the runes for which also reports
// true (as \uNNNN).
func escapeRunes(s string, also func(rune) bool) string {
	needs := func(r rune, n int) bool { return unsafe(r, n) || also != nil && also(r) }
	clean := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if needs(r, n) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needs(r, n):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafe reports whether the rune r (n bytes long) needs escaping:
// finding.UnsafeRune, the one rule of what a terminal must not get raw.
func unsafe(r rune, n int) bool { return finding.UnsafeRune(r, n) }

// escAll escapes each string of a list.
func escAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = esc(s)
	}
	return out
}
