package hostname

import (
	"crypto/x509"
	"strconv"
	"strings"
)

// MatchKind says how a certificate serves a name.
type MatchKind int

const (
	// NoMatch: the certificate does not serve the name.
	NoMatch MatchKind = iota
	// MatchSAN: a DNS subjectAltName equals the name (or, for an IP
	// address, an IP address subjectAltName equals it).
	MatchSAN
	// MatchWildcard: a DNS subjectAltName "*.<domain>" covers the name.
	MatchWildcard
	// MatchCN: the certificate has no DNS subjectAltName and its subject CN
	// serves the name. Java accepts this, Go's crypto/x509 and current
	// browsers do not; callers warn ("fqdn-cn-only").
	MatchCN
)

// String returns "none", "san", "wildcard" or "cn".
func (k MatchKind) String() string {
	switch k {
	case NoMatch:
		return "none"
	case MatchSAN:
		return "san"
	case MatchWildcard:
		return "wildcard"
	case MatchCN:
		return "cn"
	}
	return "MatchKind(" + strconv.Itoa(int(k)) + ")"
}

// Match reports whether and how cert serves name (see the package
// documentation for the rules). An exact subjectAltName is preferred to a
// wildcard one. A nil certificate or an empty name serves nothing.
func Match(cert *x509.Certificate, name string) MatchKind {
	if cert == nil {
		return NoMatch
	}
	if ip := parseIP(name); ip != nil {
		// RFC 6125 B.2, Java's matchIP, Go's VerifyHostname: IP SANs only.
		for _, a := range cert.IPAddresses {
			if ip.Equal(a) {
				return MatchSAN
			}
		}
		return NoMatch
	}
	// As Normalize: convert first, then drop the trailing dot (IDNA mapping
	// can remove characters, such as a soft hyphen, after the last dot).
	asked, err := toASCII(name)
	host := strings.TrimSuffix(asked, ".")
	if err != nil || host == "" {
		return NoMatch
	}
	if len(cert.DNSNames) > 0 {
		best := NoMatch
		for _, san := range cert.DNSNames {
			san = lowerASCII(san)
			if dotted(san) {
				// As crypto/x509: a DNS name written with a final dot is
				// no valid pattern and serves only the same name asked
				// for with the dot.
				if san == asked {
					return MatchSAN
				}
				continue
			}
			switch matchPattern(san, host) {
			case MatchSAN:
				return MatchSAN
			case MatchWildcard:
				best = MatchWildcard
			}
		}
		return best
	}
	// RFC 6125 6.4.4: the CN only when there is no DNS subjectAltName.
	// Java applies the same rules to it (wildcards included).
	cn, err := toASCII(cert.Subject.CommonName)
	if err != nil {
		return NoMatch
	}
	if matchPattern(cn, host) != NoMatch {
		return MatchCN
	}
	return NoMatch
}

// matchPattern matches a lower-case ASCII host name against a lower-case
// DNS name from a certificate; it returns NoMatch, MatchSAN or
// MatchWildcard.
func matchPattern(pattern, host string) MatchKind {
	if !validPattern(pattern) {
		// Malformed entries (a trailing dot, '*' other than as the whole
		// left-most label, forbidden characters) are rejected by Java's
		// SNIHostName check and serve nothing.
		return NoMatch
	}
	if pattern == host {
		return MatchSAN
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok || strings.Count(rest, ".") < 1 {
		// Not a wildcard, or "*.com"/"*.example": never in a position of
		// two labels or fewer (RFC 6125 7.2, the CA/B Forum rules).
		return NoMatch
	}
	first, hostRest, ok := strings.Cut(host, ".")
	if !ok || first == "" || hostRest != rest {
		return NoMatch
	}
	return MatchWildcard
}

// dotted reports whether san (lower-case) is a valid DNS name written
// with a final dot, such as "ucc.uc.example.com.", and no wildcard.
func dotted(san string) bool {
	t, ok := strings.CutSuffix(san, ".")
	return ok && !strings.HasPrefix(t, "*.") && validPattern(t)
}

// validPattern reports whether p (lower-case) is a DNS name a certificate
// may carry: non-empty labels of letters, digits, '-' (not leading) and
// '_' (tolerated as Go does), the left-most label possibly "*".
func validPattern(p string) bool {
	if p == "" || p == "*" {
		return false
	}
	for i, rest := 0, p; ; i++ {
		l, more, _ := strings.Cut(rest, ".")
		if l == "" {
			return false
		}
		if i > 0 || l != "*" {
			for j := 0; j < len(l); j++ {
				c := l[j]
				if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '_' || (c == '-' && j > 0) {
					continue
				}
				return false
			}
		}
		if !strings.Contains(rest, ".") {
			return true
		}
		rest = more
	}
}

// Names returns the DNS names cert is for, lower-cased, in certificate
// order without duplicates: its DNS subjectAltNames or, when it has none,
// its subject CN if that looks like a host name (a valid DNS name, maybe a
// wildcard, with at least one dot). IP address subjectAltNames are not
// included. The result is nil when there is no such name.
func Names(cert *x509.Certificate) []string {
	if cert == nil {
		return nil
	}
	var names []string
	seen := make(map[string]bool)
	for _, san := range cert.DNSNames {
		s := lowerASCII(san)
		if !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	if len(cert.DNSNames) > 0 {
		return names
	}
	cn, err := toASCII(cert.Subject.CommonName)
	if err == nil && strings.Contains(cn, ".") && validPattern(cn) {
		return []string{cn}
	}
	return nil
}
