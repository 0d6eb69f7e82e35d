package main

import "testing"

func TestEsc(t *testing.T) {
	for in, want := range map[string]string{
		"plain ucc.uc.example.com":         "plain ucc.uc.example.com",
		`C:\Program Files\GCTI\ucc.p12`:    `C:\Program Files\GCTI\ucc.p12`,
		"evil\x1b[31mred\x1b]0;title\x07":  `evil\x1b[31mred\x1b]0;title\x07`,
		"\nOK   tls-handshake all good":    `\nOK   tls-handshake all good`,
		"fe9\x1b[2K\rfe1":                  `fe9\x1b[2K\rfe1`,
		"abc\u202edcba":                    `abc\u202edcba`,
		"bad \xff byte":                    `bad \xff byte`,
		"tab\tand DEL\x7f and C1 \u0085":   `tab\tand DEL\x7f and C1 \u0085`,
		"päss€ und 日本 are fine":            "päss€ und 日本 are fine",
		"\u2066isolate\u2069 \u200e\u200f": `\u2066isolate\u2069 \u200e\u200f`,
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q, want %q", in, got, want)
		}
	}
}
