package certfile

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"github.com/uccert/uccert/pkg/internal/ber"
)

// ASN.1 universal tags used below.
const (
	tagInteger  = 2
	tagOID      = 6
	tagSequence = 16
	tagSet      = 17
)

// parsePKCS7Certificates returns the certificates of a PKCS#7 (CMS)
// ContentInfo, in the order the file lists them:
//
//   - SignedData (RFC 5652), usually the "certs-only" (degenerate) form
//     that openssl crl2pkcs7, Windows certutil and AD CS write: the
//     certificates are those of SignedData.certificates. Other certificate
//     choices (attribute certificates) are skipped; the signed content,
//     CRLs and signatures are ignored and nothing is verified.
//   - a Netscape certificate sequence (2.16.840.1.113730.2.5), whose
//     content is a SEQUENCE OF Certificate.
//
// der may be BER; it is converted with ber.ToDER first. A ContentInfo with
// no certificates gives ErrNoCertificates, another content type
// ErrUnknownFormat, and anything that does not parse ErrMalformed (a
// certificate that crypto/x509 refuses is named by its 1-based index).
func parsePKCS7Certificates(der []byte) ([]*x509.Certificate, error) {
	d, err := ber.ToDER(der)
	if err != nil {
		return nil, &certError{where: "PKCS#7", kind: ErrMalformed, words: ber.Words("the PKCS#7 structure", err), cause: err}
	}
	// ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }
	ci, err := elements(d, asn1.ClassUniversal, tagSequence, "ContentInfo")
	if err != nil {
		return nil, err
	}
	if len(ci) == 0 || !is(ci[0], asn1.ClassUniversal, tagOID) {
		return nil, malformed7("ContentInfo has no content type")
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(ci[0].FullBytes, &oid); err != nil {
		return nil, notDER("the content type", err)
	}
	var content *asn1.RawValue
	switch {
	case len(ci) == 1:
	case len(ci) == 2 && is(ci[1], asn1.ClassContextSpecific, 0) && ci[1].IsCompound:
		inner, err := elementsOf(ci[1].Bytes, "ContentInfo content")
		if err != nil {
			return nil, err
		}
		if len(inner) != 1 {
			return nil, malformed7("ContentInfo content holds %d values, want 1", len(inner))
		}
		content = &inner[0]
	default:
		return nil, malformed7("ContentInfo is not SEQUENCE { OID, [0] content }")
	}

	var certs []asn1.RawValue
	switch {
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}):
		if content == nil {
			return nil, malformed7("SignedData without content")
		}
		if certs, err = signedDataCertificates(*content); err != nil {
			return nil, err
		}
	case oid.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 2, 5}):
		if content == nil {
			return nil, fmt.Errorf("%w: empty Netscape certificate sequence", ErrNoCertificates)
		}
		if certs, err = elements(content.FullBytes, asn1.ClassUniversal, tagSequence, "certificate sequence"); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: PKCS#7 content type %s holds no certificates", ErrUnknownFormat, oid)
	}

	var out []*x509.Certificate
	for i, c := range certs {
		if c.Class != asn1.ClassUniversal {
			continue // CertificateChoices other than Certificate
		}
		if !is(c, asn1.ClassUniversal, tagSequence) {
			return nil, malformed7("certificate %d is not a SEQUENCE", i+1)
		}
		cert, err := parseCertAt(c.FullBytes, fmt.Sprintf("PKCS#7: certificate %d", i+1))
		if err != nil {
			return nil, err
		}
		out = append(out, cert)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the PKCS#7 file holds no certificates", ErrNoCertificates)
	}
	return out, nil
}

// signedDataCertificates returns the elements of SignedData.certificates:
//
//	SignedData ::= SEQUENCE {
//	  version INTEGER, digestAlgorithms SET, encapContentInfo SEQUENCE,
//	  certificates [0] IMPLICIT CertificateSet OPTIONAL,
//	  crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//	  signerInfos SET }
func signedDataCertificates(sd asn1.RawValue) ([]asn1.RawValue, error) {
	if !is(sd, asn1.ClassUniversal, tagSequence) {
		return nil, malformed7("SignedData is not a SEQUENCE")
	}
	f, err := elementsOf(sd.Bytes, "SignedData")
	if err != nil {
		return nil, err
	}
	if len(f) < 4 || !is(f[0], asn1.ClassUniversal, tagInteger) ||
		!is(f[1], asn1.ClassUniversal, tagSet) || !is(f[2], asn1.ClassUniversal, tagSequence) ||
		!is(f[len(f)-1], asn1.ClassUniversal, tagSet) {
		return nil, malformed7("SignedData is not SEQUENCE { INTEGER, SET, SEQUENCE, …, SET }")
	}
	for _, v := range f[3 : len(f)-1] {
		if v.Class != asn1.ClassContextSpecific || (v.Tag != 0 && v.Tag != 1) {
			return nil, malformed7("unexpected [%d] class %d in SignedData", v.Tag, v.Class)
		}
		if v.Tag == 0 {
			if !v.IsCompound {
				return nil, malformed7("SignedData certificates are not constructed")
			}
			return elementsOf(v.Bytes, "SignedData certificates")
		}
	}
	return nil, nil
}

// elements parses der as one value of the given class and tag and returns
// the values inside it.
func elements(der []byte, class, tag int, what string) ([]asn1.RawValue, error) {
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(der, &v)
	if err != nil {
		return nil, notDER(what, err)
	}
	if len(rest) != 0 {
		return nil, malformed7("%s: %d trailing bytes", what, len(rest))
	}
	if !is(v, class, tag) || !v.IsCompound {
		return nil, malformed7("%s: unexpected tag [%d] class %d", what, v.Tag, v.Class)
	}
	return elementsOf(v.Bytes, what)
}

// elementsOf splits the contents of a constructed value.
func elementsOf(b []byte, what string) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, notDER(what, err)
		}
		out = append(out, v)
		b = rest
	}
	return out, nil
}

func is(v asn1.RawValue, class, tag int) bool { return v.Class == class && v.Tag == tag }

// notDER is a part of a PKCS#7 file that encoding/asn1 refused: the
// message says which part, the cause is kept for errors.Is only.
func notDER(what string, err error) error {
	return &certError{where: "PKCS#7", kind: ErrMalformed, words: what + " is not valid DER", cause: err}
}

func malformed7(format string, args ...any) error {
	return fmt.Errorf("%w: PKCS#7: %w", ErrMalformed, fmt.Errorf(format, args...))
}
