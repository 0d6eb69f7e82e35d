package finding

import "strconv"

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
