package textdist

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"abc", "abc", 0},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"pas", "pass", 1},
		{"stdn", "stdin", 1},
		{"promt", "prompt", 1},
		{"ab", "ba", 2}, // no transpositions in Levenshtein
		{"-ket_store_type", "-key_store_type", 1},
		{"-cert_store_<path>", "-cert_store_file", 6},
		{"--cert_store_file", "-cert_store_file", 1},
		{"Zoë", "Zoe", 1},       // runes, not bytes
		{"ключ", "ключи", 1},    // Cyrillic
		{"日本語", "日本", 1},        // CJK
		{"\xff\xfe", "\xff", 1}, // invalid bytes are one rune each
		{"a\xffb", "a\xfeb", 0}, // ... and all equal to RuneError
		{"déjà", "deja", 2},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// naive is the textbook full-matrix Levenshtein distance.
func naive(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	return d[len(ra)][len(rb)]
}

func randWord(r *rand.Rand) string {
	alphabet := []rune("ab-_é日")
	w := make([]rune, r.Intn(9))
	for i := range w {
		w[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(w)
}

// TestDistanceProperties checks Distance against the full-matrix
// definition and the metric axioms on random words.
func TestDistanceProperties(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for range 3000 {
		a, b, c := randWord(r), randWord(r), randWord(r)
		dab := Distance(a, b)
		if want := naive(a, b); dab != want {
			t.Fatalf("Distance(%q, %q) = %d, want %d", a, b, dab, want)
		}
		if Distance(b, a) != dab {
			t.Fatalf("Distance not symmetric for %q, %q", a, b)
		}
		if (dab == 0) != (a == b) {
			t.Fatalf("Distance(%q, %q) = %d", a, b, dab)
		}
		if Distance(a, c) > dab+Distance(b, c) {
			t.Fatalf("triangle inequality fails for %q, %q, %q", a, b, c)
		}
		la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
		if dab < max(la, lb)-min(la, lb) || dab > max(la, lb) {
			t.Fatalf("Distance(%q, %q) = %d outside its bounds", a, b, dab)
		}
	}
}

func TestClosest(t *testing.T) {
	flags := []string{"-cert_store_file", "-cert_store_pass", "-cert_store_type", "-key_store_file", "-key_store_pass", "-key_store_type", "-krb_conf_file"}
	for _, tc := range []struct {
		word       string
		candidates []string
		max        int
		want       string
		ok         bool
	}{
		{"-ket_store_type", flags, 3, "-key_store_type", true},
		{"-cert_store_fil", flags, 3, "-cert_store_file", true},
		{"-krb5_conf_file", flags, 3, "-krb_conf_file", true},
		{"-host", flags, 3, "", false},
		{"-cert_store_<path>", flags, 3, "", false},
		{"-cert_store_<path>", flags, 6, "-cert_store_pass", true}, // 4 < 6: nearest by letters is not always meant
		{"x", nil, 3, "", false},
		{"x", []string{"x"}, -1, "", false},
		{"x", []string{"x"}, 0, "x", true},
		{"ab", []string{"xb", "ax"}, 1, "xb", true}, // ties: first wins
		{"ab", []string{"ab", "ab"}, 0, "ab", true},
		{strings.Repeat("a", 100000), []string{"a"}, 3, "", false}, // skipped by length
	} {
		got, ok := Closest(tc.word, tc.candidates, tc.max)
		if got != tc.want || ok != tc.ok {
			w := tc.word
			if len(w) > 40 {
				w = w[:40] + "..."
			}
			t.Errorf("Closest(%q, %d) = %q, %v; want %q, %v", w, tc.max, got, ok, tc.want, tc.ok)
		}
	}
}

func TestClosestAgreesWithDistance(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for range 2000 {
		word := randWord(r)
		cands := make([]string, r.Intn(5))
		for i := range cands {
			cands[i] = randWord(r)
		}
		maxDist := r.Intn(5)
		got, ok := Closest(word, cands, maxDist)
		want, wantOK, best := "", false, maxDist+1
		for _, c := range cands {
			if d := naive(word, c); d < best {
				want, wantOK, best = c, true, d
			}
		}
		if got != want || ok != wantOK {
			t.Fatalf("Closest(%q, %q, %d) = %q, %v; want %q, %v", word, cands, maxDist, got, ok, want, wantOK)
		}
	}
}

func BenchmarkDistance(b *testing.B) {
	for b.Loop() {
		Distance("-cert_store_<path>", "-key_store_type")
	}
}
