// Package textdist measures how far apart two words are, so that a
// mistyped flag or option can be answered with "did you mean ...?".
package textdist

import "unicode/utf8"

// Distance returns the Levenshtein distance between a and b counted in
// runes: the least number of single-rune insertions, deletions and
// substitutions that turn a into b. Invalid UTF-8 bytes count as one rune
// each (utf8.RuneError). It takes O(len(a)·len(b)) time and
// O(min(len(a), len(b))) memory.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra // keep the row short
	}
	if len(rb) == 0 {
		return len(ra)
	}
	row := make([]int, len(rb)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		diag := row[0] // row[i-1][j-1]
		row[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			up := row[j] // row[i-1][j]
			row[j] = min(up+1, row[j-1]+1, diag+cost)
			diag = up
		}
	}
	return row[len(rb)]
}

// Closest returns the candidate nearest to word and true, when its
// Distance is at most maxDist. Of equally near candidates the first one
// wins. It returns "", false when candidates is empty, maxDist is
// negative or no candidate is near enough. Candidates whose length
// differs from word's by more than maxDist runes are skipped without
// computing their distance, so a long word costs little.
func Closest(word string, candidates []string, maxDist int) (string, bool) {
	best, bestDist, found := "", maxDist+1, false
	if maxDist < 0 {
		return "", false
	}
	n := utf8.RuneCountInString(word)
	for _, c := range candidates {
		if d := n - utf8.RuneCountInString(c); d >= bestDist || -d >= bestDist {
			continue // the distance is at least the length difference
		}
		if d := Distance(word, c); d < bestDist {
			best, bestDist, found = c, d, true
		}
	}
	return best, found
}
