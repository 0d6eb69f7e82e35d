package certfile

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/uccert/uccert/pkg/internal/pkcs8"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// negativeSerialWords is ErrNegativeSerial's text without its prefix.
const negativeSerialWords = "the certificate has a negative serial number, " +
	"which Go refuses unless GODEBUG=x509negativeserial=1 (uccert's command line sets it)"

// ErrNegativeSerial: a certificate's serial number is negative. Older
// Windows CAs issued such serials; OpenSSL and Java read them, Go's
// crypto/x509 refuses them unless the program runs with
// GODEBUG=x509negativeserial=1 (a //go:debug line in its main package, as
// uccert's command line has, or the environment variable).
var ErrNegativeSerial = errors.New("certfile: " + negativeSerialWords)

// certError is why a certificate was refused: its text is written for
// people, while errors.Is finds the kind (ErrMalformed, ErrNegativeSerial)
// and crypto/x509's error, whose own text ("x509: ...") is left out.
type certError struct {
	where string // "PEM block 2 (CERTIFICATE)", "PKCS#7 certificate 1", or ""
	kind  error
	words string
	cause error
}

func (e *certError) Error() string {
	if e.where == "" {
		return e.words // ParseCertificate's: the caller says where
	}
	prefix := "certfile: malformed file"
	if e.kind == ErrNegativeSerial {
		prefix = "certfile"
	}
	if e.where != "" {
		prefix += ": " + e.where
	}
	return prefix + ": " + e.words
}

func (e *certError) Unwrap() []error { return []error{e.kind, e.cause} }

// ParseCertificate parses one DER certificate the way OpenSSL and Java
// read it. It is crypto/x509's parser with two differences:
//
//   - A subjectAltName whose dNSName, rfc822Name or URI holds bytes that
//     are not ASCII (OpenSSL copies UTF-8 into them; crypto/x509 refuses
//     the whole certificate with "SAN dNSName is malformed") is read: the
//     names come back as the certificate holds them, and MalformedNames
//     lists them. Raw, RawTBSCertificate and the signature are the
//     certificate's own, so fingerprints and signature checks are
//     unchanged.
//   - A negative serial number, which crypto/x509 refuses unless
//     GODEBUG=x509negativeserial=1, is ErrNegativeSerial, whose text names
//     that setting.
//
// Other failures wrap ErrMalformed. The error's text is the reason in
// words ("not a valid X.509 certificate (malformed validity)"), without a
// prefix, for the caller to say where the certificate was. Every
// certificate uccert reads (certificate files, PKCS#12 and JKS stores)
// goes through this function.
func ParseCertificate(der []byte) (*x509.Certificate, error) {
	return parseCertAt(der, "")
}

// parseCertAt is ParseCertificate with errors saying where the
// certificate is.
func parseCertAt(der []byte, where string) (*x509.Certificate, error) {
	c, err := x509.ParseCertificate(der)
	if err == nil {
		return c, nil
	}
	if negativeSerial(der) && strings.Contains(err.Error(), "negative serial") {
		return nil, &certError{where: where, kind: ErrNegativeSerial, words: negativeSerialWords, cause: err}
	}
	if c, ok := parseWithRawNames(der); ok {
		return c, nil
	}
	if c, ok := parseTolerant(der); ok {
		return c, nil
	}
	words := "not a valid X.509 certificate"
	if w := pkcs8.LibraryWords(err); w != "" {
		words += " (" + w + ")"
	}
	return nil, &certError{where: where, kind: ErrMalformed, words: words, cause: err}
}

// negativeSerial reports whether der is a certificate whose serial number
// is a negative INTEGER.
func negativeSerial(der []byte) bool {
	tbs, ok := tbsAfterVersion(der)
	serial := new(big.Int)
	return ok && tbs.ReadASN1Integer(serial) && serial.Sign() < 0
}

// tbsElement returns the TBSCertificate of der, tag and length included.
func tbsElement(der []byte) ([]byte, bool) {
	s := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, false
	}
	return tbs, true
}

// tbsAfterVersion returns the TBSCertificate's content after its version.
func tbsAfterVersion(der []byte) (cryptobyte.String, bool) {
	s := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, false
	}
	return tbs, true
}

var (
	oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
	// oidHidden is what parseWithRawNames renames the subjectAltName
	// to in its copy: 2.5.29.127, an extension nobody defines, encoded
	// with as many bytes as 2.5.29.17 (55 1D 11 → 55 1D 7F).
	oidHidden = asn1.ObjectIdentifier{2, 5, 29, 127}
)

// parseWithRawNames reads a certificate whose subjectAltName crypto/x509
// refuses for its non-ASCII names: it parses a copy in which that
// extension's OID is renamed (same length: nothing else moves), then gives
// the result the certificate's own bytes and the names decoded here.
func parseWithRawNames(der []byte) (*x509.Certificate, bool) {
	buf := append([]byte(nil), der...)
	at, ok := sanOIDOffset(buf)
	if !ok {
		return nil, false
	}
	value, ok := extensionValue(buf, at)
	if !ok || len(malformedNames(value)) == 0 {
		return nil, false
	}
	buf[at] = 0x7F
	c, err := x509.ParseCertificate(buf)
	if err != nil {
		return nil, false
	}
	names, ok := parseGeneralNames(value)
	if !ok {
		return nil, false
	}
	// The certificate's own bytes: DER and TBS (the signature bytes are
	// the same in both).
	tbs, ok := tbsElement(der)
	if !ok {
		return nil, false
	}
	c.Raw, c.RawTBSCertificate = der, tbs
	for i := range c.Extensions {
		if c.Extensions[i].Id.Equal(oidHidden) {
			c.Extensions[i].Id = oidSubjectAltName
		}
	}
	c.UnhandledCriticalExtensions = slices.DeleteFunc(c.UnhandledCriticalExtensions, func(o asn1.ObjectIdentifier) bool { return o.Equal(oidHidden) })
	c.DNSNames, c.EmailAddresses, c.IPAddresses, c.URIs = names.dns, names.email, names.ip, names.uri
	return c, true
}

// indexOf is the offset of sub, a subslice of b, in b.
func indexOf(b, sub []byte) int { return cap(b) - cap(sub) }

// sanOIDOffset walks a certificate to its extensions and returns the
// offset of the last byte of the subjectAltName's OID (0x11 of 55 1D 11).
func sanOIDOffset(der []byte) (int, bool) {
	tbs, ok := tbsAfterVersion(der)
	if !ok {
		return 0, false
	}
	for _, tag := range []cbasn1.Tag{cbasn1.INTEGER, cbasn1.SEQUENCE, cbasn1.SEQUENCE, cbasn1.SEQUENCE, cbasn1.SEQUENCE, cbasn1.SEQUENCE} {
		if !tbs.SkipASN1(tag) {
			return 0, false
		}
	}
	var wrap, exts cryptobyte.String
	if !tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) || !tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) ||
		!tbs.ReadASN1(&wrap, cbasn1.Tag(3).Constructed().ContextSpecific()) || !wrap.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return 0, false
	}
	for !exts.Empty() {
		var ext, oid cryptobyte.String
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
			return 0, false
		}
		if string(oid) == "\x55\x1d\x11" {
			return indexOf(der, oid) + 2, true
		}
	}
	return 0, false
}

// extensionValue reads the extnValue of the extension whose OID ends at
// offset at.
func extensionValue(der []byte, at int) ([]byte, bool) {
	rest := cryptobyte.String(der[at+1:])
	var value []byte
	rest.SkipOptionalASN1(cbasn1.BOOLEAN)
	if !rest.ReadASN1Bytes(&value, cbasn1.OCTET_STRING) {
		return nil, false
	}
	return value, true
}

// sanNames are the names of a subjectAltName that crypto/x509 keeps.
type sanNames struct {
	dns, email []string
	ip         []net.IP
	uri        []*url.URL
}

// General name tags (RFC 5280 section 4.2.1.6).
const (
	tagRFC822Name = 1
	tagDNSName    = 2
	tagURI        = 6
	tagIPAddress  = 7
)

// forEachName calls f with the tag and content of each GeneralName.
func forEachName(value []byte, f func(tag int, data []byte)) bool {
	s := cryptobyte.String(value)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return false
	}
	for !seq.Empty() {
		var data cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1(&data, &tag) {
			return false
		}
		if tag&0xC0 == 0x80 && tag&0x20 == 0 { // context-specific, primitive
			f(int(tag&0x1F), data)
		}
	}
	return true
}

// parseGeneralNames decodes the names crypto/x509 keeps, as the bytes are.
func parseGeneralNames(value []byte) (sanNames, bool) {
	var n sanNames
	ok := forEachName(value, func(tag int, data []byte) {
		switch tag {
		case tagDNSName:
			n.dns = append(n.dns, string(data))
		case tagRFC822Name:
			n.email = append(n.email, string(data))
		case tagURI:
			if u, err := url.Parse(string(data)); err == nil {
				n.uri = append(n.uri, u)
			}
		case tagIPAddress:
			if len(data) == net.IPv4len || len(data) == net.IPv6len {
				n.ip = append(n.ip, net.IP(append([]byte(nil), data...)))
			}
		}
	})
	return n, ok
}

// MalformedName is a subjectAltName entry that is not ASCII text, as RFC
// 5280 requires (IA5String): Type is "dNSName", "rfc822Name" or "URI",
// Value the bytes as the certificate holds them.
type MalformedName struct {
	Type, Value string
}

// MalformedNames lists the subjectAltName entries of c that are not ASCII
// (see MalformedName): names that crypto/x509 refuses and ParseCertificate
// reads. A TLS client compares host names in their ASCII form (for an
// internationalised name, the "xn--" A-label), so such a name matches no
// host.
func MalformedNames(c *x509.Certificate) []MalformedName {
	if c == nil {
		return nil
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			return malformedNames(e.Value)
		}
	}
	return nil
}

func malformedNames(value []byte) []MalformedName {
	var out []MalformedName
	forEachName(value, func(tag int, data []byte) {
		typ := map[int]string{tagRFC822Name: "rfc822Name", tagDNSName: "dNSName", tagURI: "URI"}[tag]
		if typ == "" {
			return
		}
		for _, b := range data {
			if b > 0x7F {
				out = append(out, MalformedName{Type: typ, Value: string(data)})
				return
			}
		}
	})
	return out
}
