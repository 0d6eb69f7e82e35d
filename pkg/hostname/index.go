package hostname

import (
	"crypto/x509"
	"strings"
)

// Index finds the certificates that serve a name by Match's rules with a
// few map lookups, whatever the number of certificates: for choosing a
// certificate per TLS handshake. Build it once with NewIndex; it is safe
// for concurrent use and does not change.
type Index struct {
	certs []*x509.Certificate
	// san: every valid DNS subjectAltName as written (lower-case, a
	// wildcard literally, a name with a final dot with it) and every IP
	// subjectAltName ("ip:" and its canonical form); wild: the domain a
	// wildcard subjectAltName covers one label of.
	san, wild map[string][]int
	// cn, cnWild: the same for the subject CN of certificates without a
	// DNS subjectAltName.
	cn, cnWild map[string][]int
}

// Hit is a certificate that serves a name: its position in the slice
// given to NewIndex, and how.
type Hit struct {
	Pos  int
	Kind MatchKind
}

// NewIndex indexes certs (nil entries serve nothing).
func NewIndex(certs []*x509.Certificate) *Index {
	ix := &Index{certs: certs, san: map[string][]int{}, wild: map[string][]int{}, cn: map[string][]int{}, cnWild: map[string][]int{}}
	for i, c := range certs {
		if c == nil {
			continue
		}
		for _, ip := range c.IPAddresses {
			ix.san["ip:"+ip.String()] = append(ix.san["ip:"+ip.String()], i)
		}
		for _, san := range c.DNSNames {
			san = lowerASCII(san)
			if dotted(san) || validPattern(san) {
				ix.san[san] = appendOnce(ix.san[san], i)
			}
			if rest, ok := wildcardDomain(san); ok {
				ix.wild[rest] = appendOnce(ix.wild[rest], i)
			}
		}
		if len(c.DNSNames) > 0 {
			continue
		}
		cn, err := toASCII(c.Subject.CommonName)
		if err != nil || !validPattern(cn) {
			continue
		}
		ix.cn[cn] = append(ix.cn[cn], i)
		if rest, ok := wildcardDomain(cn); ok {
			ix.cnWild[rest] = append(ix.cnWild[rest], i)
		}
	}
	return ix
}

// wildcardDomain returns the domain a valid wildcard pattern covers
// ("uc.example.com" for "*.uc.example.com"), when it has at least two
// labels (as matchPattern requires).
func wildcardDomain(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "*.")
	if !ok || !validPattern(p) || strings.Count(rest, ".") < 1 {
		return "", false
	}
	return rest, true
}

func appendOnce(s []int, i int) []int {
	if n := len(s); n > 0 && s[n-1] == i {
		return s
	}
	return append(s, i)
}

// Lookup returns the certificates that serve name, each once with the
// kind Match gives it, in the order of the slice given to NewIndex.
func (ix *Index) Lookup(name string) []Hit {
	return ix.AppendLookup(nil, name)
}

// AppendLookup is Lookup appending to hits (a per-handshake caller passes
// a small array's slice and allocates nothing).
func (ix *Index) AppendLookup(hits []Hit, name string) []Hit {
	if ix == nil {
		return hits
	}
	start := len(hits)
	add := func(positions []int, kind MatchKind) {
	next:
		for _, p := range positions {
			for j := start; j < len(hits); j++ {
				if hits[j].Pos == p {
					hits[j].Kind = min(hits[j].Kind, kind)
					continue next
				}
			}
			hits = append(hits, Hit{p, kind})
		}
	}
	if ip := parseIP(name); ip != nil {
		add(ix.san["ip:"+ip.String()], MatchSAN)
		sortHits(hits[start:])
		return hits
	}
	asked, err := toASCII(name)
	host := strings.TrimSuffix(asked, ".")
	if err != nil || host == "" {
		return hits
	}
	if validPattern(host) {
		add(ix.san[host], MatchSAN)
	}
	if asked != host {
		add(ix.san[asked], MatchSAN)
	}
	first, rest, ok := strings.Cut(host, ".")
	if ok && first != "" {
		add(ix.wild[rest], MatchWildcard)
		add(ix.cnWild[rest], MatchCN)
	}
	if validPattern(host) {
		add(ix.cn[host], MatchCN)
	}
	sortHits(hits[start:])
	return hits
}

// sortHits puts hits in certificate order (few hits: insertion sort).
func sortHits(h []Hit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].Pos < h[j-1].Pos; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
