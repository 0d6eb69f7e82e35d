package certfile

import (
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Bounds of parseTolerant, so that a file of certificates crafted to fail
// costs a few parses per certificate: it tries at most
// maxTolerantExtensions extensions one by one (each try is one parse),
// only those of crypto/x509's own arc (2.5.29.x, the ones it parses), and
// only for certificates up to maxTolerantSize bytes.
const (
	maxTolerantExtensions = 6
	maxTolerantSize       = 64 << 10
)

// tbsLayout are the offsets in a certificate's DER of what parseTolerant
// may mark in its copy.
type tbsLayout struct {
	tbsStart, tbsEnd int
	// names are the offsets of the tag bytes of the attribute values of
	// the issuer and the subject.
	names []int
	// spkiOIDEnd is the offset of the last byte of the public key's
	// algorithm OID.
	spkiOIDEnd int
	// extOIDEnds are the offsets of the last byte of each extension's OID.
	extOIDEnds []int
}

// layout walks der's TBSCertificate (as tbsAfterVersion does).
func layout(der []byte) (tbsLayout, bool) {
	var l tbsLayout
	s := cryptobyte.String(der)
	var cert, tbsElem cryptobyte.String
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbsElem, cbasn1.SEQUENCE) {
		return l, false
	}
	l.tbsStart = indexOf(der, tbsElem)
	l.tbsEnd = l.tbsStart + len(tbsElem)
	var tbs cryptobyte.String
	if !tbsElem.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.SkipASN1(cbasn1.INTEGER) || !tbs.SkipASN1(cbasn1.SEQUENCE) {
		return l, false
	}
	readName := func() bool {
		var name cryptobyte.String
		if !tbs.ReadASN1(&name, cbasn1.SEQUENCE) {
			return false
		}
		for !name.Empty() {
			var rdn cryptobyte.String
			if !name.ReadASN1(&rdn, cbasn1.SET) {
				return false
			}
			for !rdn.Empty() {
				var atv cryptobyte.String
				if !rdn.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.SkipASN1(cbasn1.OBJECT_IDENTIFIER) {
					return false
				}
				if len(atv) > 0 {
					l.names = append(l.names, indexOf(der, atv))
				}
			}
		}
		return true
	}
	if !readName() || !tbs.SkipASN1(cbasn1.SEQUENCE) || !readName() {
		return l, false
	}
	var spki, alg, oid cryptobyte.String
	if !tbs.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) || len(oid) == 0 {
		return l, false
	}
	l.spkiOIDEnd = indexOf(der, oid) + len(oid) - 1
	var wrap, exts cryptobyte.String
	if !tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) || !tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) {
		return l, false
	}
	if tbs.Empty() {
		return l, true
	}
	if !tbs.ReadASN1(&wrap, cbasn1.Tag(3).Constructed().ContextSpecific()) || !wrap.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return l, false
	}
	for !exts.Empty() {
		var ext, eoid cryptobyte.String
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&eoid, cbasn1.OBJECT_IDENTIFIER) || len(eoid) == 0 {
			return l, false
		}
		l.extOIDEnds = append(l.extOIDEnds, indexOf(der, eoid)+len(eoid)-1)
	}
	return l, true
}

// readableString reports whether crypto/x509 reads an attribute value of
// this tag and content as a string.
func readableString(tag byte, value []byte) bool {
	switch cbasn1.Tag(tag) {
	case cbasn1.T61String, cbasn1.IA5String:
		return true
	case cbasn1.UTF8String:
		return utf8.Valid(value)
	case cbasn1.PrintableString:
		for _, b := range value {
			if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || string(b) == " " ||
				b == '\'' || b == '(' || b == ')' || b == '+' || b == ',' || b == '-' || b == '.' || b == '/' || b == ':' ||
				b == '=' || b == '?' || b == '*' || b == '&') {
				return false
			}
		}
		return true
	}
	return false
}

// parseTolerant reads a certificate crypto/x509 refuses for a part uccert
// does not rely on, as OpenSSL and keytool read it: it parses a copy in
// which (1) name attribute values of a type crypto/x509 does not read (a
// BIT STRING x500UniqueIdentifier, a UTF8String that is not UTF-8, ...)
// are marked T61String, which it reads as Latin-1 bytes; then, if need
// be, (2) the algorithm of a public key it cannot parse (DSA whose
// parameters the issuer's key supplies) is renamed, so that the key is
// left unparsed; then (3) one extension it cannot parse (a malformed CRL
// distribution point or name constraint, a duplicate) is renamed, so that
// it is ignored. Nothing moves: each mark keeps the length. The result
// gets the certificate's own bytes (Raw, RawTBSCertificate, RawSubject,
// RawIssuer, RawSubjectPublicKeyInfo), so fingerprints, names (DN) and
// signature checks are the certificate's.
func parseTolerant(der []byte) (*x509.Certificate, bool) {
	if len(der) > maxTolerantSize {
		return nil, false
	}
	l, ok := layout(der)
	if !ok {
		return nil, false
	}
	buf := append([]byte(nil), der...)
	for _, at := range l.names {
		v := cryptobyte.String(buf[at:])
		var content cryptobyte.String
		var tag cbasn1.Tag
		if !v.ReadAnyASN1(&content, &tag) || buf[at]&0x1F == 0x1F {
			continue // a high tag number: not marked
		}
		if !readableString(buf[at], content) {
			buf[at] = byte(cbasn1.T61String)
		}
	}
	try := func(b []byte) (*x509.Certificate, bool) {
		c, err := x509.ParseCertificate(b)
		return c, err == nil
	}
	c, ok := try(buf)
	spkiRenamed := false
	if !ok && buf[l.spkiOIDEnd] < 0x7F {
		buf[l.spkiOIDEnd] = 0x7F // an algorithm nobody defines: the key is left unparsed
		if c, ok = try(buf); ok {
			spkiRenamed = true
		} else {
			buf[l.spkiOIDEnd] = der[l.spkiOIDEnd]
		}
	}
	renamed, tries := -1, 0
	if !ok {
		for i, at := range l.extOIDEnds {
			if der[at] >= 0x60 || at < 2 || der[at-2] != 0x55 || der[at-1] != 0x1D {
				continue // not 2.5.29.x: crypto/x509 does not parse it
			}
			if tries++; tries > maxTolerantExtensions {
				break
			}
			buf[at] = byte(0x60 + tries) // 2.5.29.97…: numbers no extension has
			if c, ok = try(buf); ok {
				renamed = i
				break
			}
			buf[at] = der[at]
		}
	}
	if !ok {
		return nil, false
	}
	// The certificate's own bytes, at the same offsets.
	own := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		at := indexOf(buf, b)
		return der[at : at+len(b)]
	}
	c.Raw = der
	c.RawTBSCertificate = der[l.tbsStart:l.tbsEnd]
	c.RawSubject, c.RawIssuer = own(c.RawSubject), own(c.RawIssuer)
	c.RawSubjectPublicKeyInfo = own(c.RawSubjectPublicKeyInfo)
	if spkiRenamed && isDSA(c.RawSubjectPublicKeyInfo) {
		c.PublicKeyAlgorithm = x509.DSA
	}
	if renamed >= 0 {
		var hidden asn1.ObjectIdentifier
		for i := range c.Extensions {
			if at := indexOf(buf, c.Extensions[i].Value); at > l.extOIDEnds[renamed] && (renamed+1 == len(l.extOIDEnds) || at < l.extOIDEnds[renamed+1]) {
				hidden = c.Extensions[i].Id
				var oid asn1.ObjectIdentifier
				if _, err := asn1.Unmarshal(extOIDElement(der, l.extOIDEnds[renamed]), &oid); err == nil {
					c.Extensions[i].Id = oid
				}
			}
		}
		c.UnhandledCriticalExtensions = slices.DeleteFunc(c.UnhandledCriticalExtensions, func(o asn1.ObjectIdentifier) bool { return o.Equal(hidden) })
	}
	return c, true
}

// extOIDElement returns the OID element (tag, length, content) whose last
// byte is at offset end.
func extOIDElement(der []byte, end int) []byte {
	for start := end - 1; start >= 1 && end-start < 128; start-- {
		if der[start-1] == 0x06 && int(der[start]) == end-start {
			return der[start-1 : end+1]
		}
	}
	return nil
}

// isDSA reports whether spki's algorithm is DSA (1.2.840.10040.4.1).
func isDSA(spki []byte) bool {
	s := cryptobyte.String(spki)
	var seq, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	return s.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.ReadASN1ObjectIdentifier(&oid) &&
		oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1})
}
