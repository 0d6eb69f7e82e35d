package krb5conf

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/finding"
)

// TestHostileInputBounded: 1 MiB files built to multiply findings, model
// entries or gokrb5's per-line cost stay within a small multiple of their
// size, with at most maxPerCheck (+1 summary) findings per check.
func TestHostileInputBounded(t *testing.T) {
	cases := map[string]string{
		"relations": "[libdefaults]\n" + strings.Repeat("a = b\n", MaxSize/6-10),
		"realms":    "[realms]\n" + strings.Repeat("R = {\n}\n", MaxSize/8-10),
		"braces":    strings.Repeat("}\n", MaxSize/2-10),
		"mappings":  "[domain_realm]\n" + strings.Repeat(".a = X\n", MaxSize/7-10),
		"des":       "[libdefaults]\n" + strings.Repeat("permitted_enctypes = des\n", MaxSize/25-10),
		"long line": "[libdefaults]\n forwardable = " + strings.Repeat("x", MaxSize/3) + "\n" + strings.Repeat("a = b\n", MaxSize/12),
		"one line":  strings.Repeat("x", MaxSize),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			f, fs := lint(t, []byte(in), "fe1.uc.example.com")
			runtime.ReadMemStats(&m1)
			per := map[finding.Check]int{}
			for _, x := range fs {
				per[x.Check]++
			}
			for check, n := range per {
				if n > maxPerCheck+2 {
					t.Errorf("%d %s findings", n, check)
				}
			}
			if n := len(f.all) + len(f.Realms); n > maxRelations {
				t.Errorf("model holds %d entries", n)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 64*MaxSize {
				t.Errorf("allocated %d MiB for a 1 MiB input", alloc>>20)
			}
		})
	}
}

// A file that is not a krb5.conf (another text file, binary data) is
// quoted no further than its first maxJunkLines lines, also when its
// lines hold an '=' by chance with no word before it; what is quoted shows
// bytes that are not UTF-8 as \xNN, cut at maxExcerpt characters.
func TestNotAKrb5ConfIsNotQuoted(t *testing.T) {
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, "\x93\xff secret-%02d \x01= \xfe%s\n", i, strings.Repeat("x", 60))
	}
	_, findings, err := Parse([]byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	quoted := 0
	for _, f := range findings {
		if strings.Contains(f.Message, "secret-") {
			quoted++
		}
		if strings.ContainsRune(f.Message, utf8.RuneError) {
			t.Errorf("a replacement character instead of \\xNN: %q", f.Message)
		}
	}
	if quoted != maxJunkLines || !strings.Contains(findings[maxJunkLines].Message, "47 more lines are not krb5.conf syntax") {
		t.Fatalf("%d lines quoted: %+v", quoted, findings)
	}
	if !strings.Contains(findings[0].Message, `"\x93\xff secret-00 \x01= \xfe`) || !strings.HasSuffix(findings[0].Message, "…") {
		t.Errorf("%q", findings[0].Message)
	}
}
