package hostname

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Sentinel errors. Errors from Normalize and LocalFQDN wrap one of them
// (test with errors.Is) and quote the offending name.
var (
	// ErrEmpty: the name is empty (or only ".").
	ErrEmpty = errors.New("empty host name")
	// ErrNotFQDN: a syntactically valid name that is not fully qualified:
	// a single label such as "ucc01", or an IP address.
	ErrNotFQDN = errors.New("not a fully qualified domain name")
	// ErrInvalid: the name breaks DNS host name syntax (characters, label
	// or total length, empty labels, an all-numeric top-level label).
	ErrInvalid = errors.New("invalid host name")
)

// Limits from RFC 1035 2.3.4.
const (
	maxNameLen  = 253
	maxLabelLen = 63
)

// Normalize returns name as an FQDN in canonical form: lower-case ASCII
// (internationalised names in punycode), without a trailing dot. It
// requires at least two labels of 1-63 characters from [a-z0-9-], none
// starting or ending with '-', at most 253 characters in all.
//
// A single-label name such as "ucc01" fails with ErrNotFQDN: certificates
// are issued for FQDNs (Request-CsCertificate -ComputerFQDN), so the
// connector host must be named by its FQDN too. An IP address also fails
// with ErrNotFQDN. Any other malformed name fails with ErrInvalid, an
// empty one with ErrEmpty.
func Normalize(name string) (string, error) {
	if name == "" || name == "." {
		return "", fmt.Errorf("%w: give a fully qualified domain name such as ucc01.uc.example.com", ErrEmpty)
	}
	if ip := parseIP(name); ip != nil {
		return "", fmt.Errorf("%q: %w: it is an IP address; certificates are issued for the host's FQDN (Request-CsCertificate -ComputerFQDN)", name, ErrNotFQDN)
	}
	s, err := toASCII(name)
	if err != nil {
		return "", fmt.Errorf("%q: %w: not a valid internationalised domain name: %w", name, ErrInvalid, err)
	}
	s = strings.TrimSuffix(s, ".")
	if len(s) > maxNameLen {
		return "", fmt.Errorf("%q: %w: %d characters, at most %d are allowed", name, ErrInvalid, len(s), maxNameLen)
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return "", fmt.Errorf("%q: %w: %s", name, ErrInvalid, err)
		}
	}
	if len(labels) < 2 {
		return "", fmt.Errorf("%q: %w: name the host by its FQDN (%s.<DNS domain>), the name its certificate is issued for (Request-CsCertificate -ComputerFQDN)", name, ErrNotFQDN, s)
	}
	if allDigits(labels[len(labels)-1]) {
		return "", fmt.Errorf("%q: %w: the top-level label %q is all digits", name, ErrInvalid, labels[len(labels)-1])
	}
	return s, nil
}

// IsFQDN reports whether Normalize accepts name.
func IsFQDN(name string) bool {
	_, err := Normalize(name)
	return err == nil
}

// Domain returns the DNS domain of an FQDN, lower-cased and without a
// trailing dot: everything after the first label. Domain of
// "fe1.uc.example.com" is "uc.example.com"; a name of one label has no
// domain and gives "".
func Domain(fqdn string) string {
	s := strings.TrimSuffix(lowerASCII(fqdn), ".")
	_, rest, ok := strings.Cut(s, ".")
	if !ok {
		return ""
	}
	return rest
}

// checkLabel checks one label of a host name (already lower-cased); the
// returned text says what is wrong.
func checkLabel(l string) error {
	switch {
	case l == "":
		return errors.New("empty label (two dots in a row, or a leading dot)")
	case len(l) > maxLabelLen:
		return fmt.Errorf("label %q is %d characters long, at most %d are allowed", l, len(l), maxLabelLen)
	case l[0] == '-' || l[len(l)-1] == '-':
		return fmt.Errorf("label %q starts or ends with '-'", l)
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' {
			continue
		}
		return fmt.Errorf("label %q contains %q; only letters, digits and '-' are allowed", l, rune(c))
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseIP parses an IP address, optionally in brackets as in URLs.
func parseIP(s string) net.IP {
	if len(s) >= 3 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	if !strings.Contains(s, ":") && strings.Trim(s, "0123456789.") != "" {
		return nil // neither IPv6 nor dotted digits: a name (no allocation)
	}
	return net.ParseIP(s)
}

// lowerASCII lower-cases ASCII letters only (RFC 6125 6.4.1), leaving any
// other byte alone.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

var errInvalidUTF8 = errors.New("not valid UTF-8")

// toASCII returns the lower-case ASCII form of a name: ASCII names are
// only lower-cased; others are mapped and converted to punycode as for a
// DNS lookup (UTS #46), which also folds case.
func toASCII(s string) (string, error) {
	if isASCII(s) {
		return lowerASCII(s), nil
	}
	if !utf8.ValidString(s) {
		// x/net/idna is inconsistent on invalid UTF-8 (it may accept a
		// byte as U+FFFD in one label position and reject it in another).
		return "", errInvalidUTF8
	}
	a, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return "", err
	}
	return lowerASCII(a), nil
}
