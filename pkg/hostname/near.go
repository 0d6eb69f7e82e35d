package hostname

import (
	"strings"

	"github.com/uccert/uccert/pkg/internal/textdist"
)

// Nearest returns the name among names that name was most likely meant
// to be, for a "did you mean" hint when no certificate serves name: the
// nearest within edit distance 2 ("ucc01.uc.example.com" for
// "ucc.uc.example.com", "ucc.uc.example.com." with its final dot), else
// the first with the same first label and as many labels, of which
// exactly one other differs — the same host in another DNS domain
// ("fe1.lab.example.com" for "fe1.uc.example.com"). Names compare in
// lower-case ASCII (punycode); wildcard names and names equal to name
// are skipped. It returns "", false when none is near.
func Nearest(name string, names []string) (string, bool) {
	asked, err := toASCII(name)
	asked = lowerASCII(asked)
	if err != nil || asked == "" {
		return "", false
	}
	var plain []string
	for _, n := range names {
		l := lowerASCII(n)
		if l != asked && !strings.HasPrefix(l, "*") {
			plain = append(plain, n)
		}
	}
	lowered := make([]string, len(plain))
	for i, n := range plain {
		lowered[i] = lowerASCII(n)
	}
	if best, ok := textdist.Closest(asked, lowered, 2); ok {
		for i, l := range lowered {
			if l == best {
				return plain[i], true
			}
		}
	}
	labels := strings.Split(strings.TrimSuffix(asked, "."), ".")
	for i, l := range lowered {
		other := strings.Split(strings.TrimSuffix(l, "."), ".")
		if len(other) != len(labels) || len(labels) < 3 || other[0] != labels[0] {
			continue
		}
		diff := 0
		for j := range labels {
			if labels[j] != other[j] {
				diff++
			}
		}
		if diff == 1 {
			return plain[i], true
		}
	}
	return "", false
}
