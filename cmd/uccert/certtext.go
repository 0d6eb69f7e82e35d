package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf16"

	"github.com/uccert/uccert/pkg/certfile"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// certLines renders c for `uccert inspect --text` in the layout of
// `openssl x509 -noout -text` (OpenSSL 3.0), trimmed to what a PKI
// administrator reads. The output is for people, not a contract like the
// JSON, but it is kept stable; it is, line by line (indentation as shown):
//
//	Certificate:
//	    Data:
//	        Version: 3 (0x2)
//	        Serial Number: 8192 (0x2000)
//	        Signature Algorithm: sha256WithRSAEncryption
//	        Issuer: O=UC Example, CN=UC Test Issuing CA
//	        Validity
//	            Not Before: Jun  1 00:00:00 2025 GMT
//	            Not After : Jun  1 00:00:00 2040 GMT
//	        Subject: CN=fe1.uc.example.com
//	        Subject Public Key Info:
//	            Public Key Algorithm: rsaEncryption
//	                Public-Key: (2048 bit)
//	                Exponent: 65537 (0x10001)
//	        X509v3 extensions:
//	            X509v3 Basic Constraints: critical
//	                CA:FALSE
//	            X509v3 Extended Key Usage:
//	                TLS Web Server Authentication, TLS Web Client Authentication
//	            ...
//	    Signature Algorithm: sha256WithRSAEncryption
//	    SHA256 Fingerprint=64:E0:...:17
//
// As OpenSSL shows them:
//   - Serial Number: decimal and hex on one line when the magnitude fits in
//     63 bits ("-5 (-0x5)" for a negative one); otherwise the magnitude in
//     colon hex on the next line, after " (Negative)" for a negative one
//     (OpenSSL prints -1 that way too).
//   - Signature Algorithm and Public Key Algorithm: OpenSSL's long names
//     (sha256WithRSAEncryption, ecdsa-with-SHA256, rsassaPss, id-ecPublicKey,
//     ED25519, dsaEncryption); RSASSA-PSS parameters on the lines after the
//     first Signature Algorithm (Hash Algorithm, Mask Algorithm, Salt
//     Length, Trailer Field), an RSASSA-PSS key's restrictions after its
//     exponent ("No PSS parameter restrictions").
//   - Dates in UTC as "Jan  2 15:04:05 2006 GMT".
//   - Public key: RSA modulus size and exponent; EC size, "ASN1 OID:" curve
//     and "NIST CURVE:"; Ed25519, Ed448, X25519 and X448 with their "pub:"
//     bytes; DSA size of P. Another algorithm shows only its OID.
//   - Extensions in certificate order, "critical" after the name when set,
//     with OpenSSL's names and value forms: Basic Constraints, Key Usage,
//     Extended Key Usage (TLS Web Server Authentication, ...; an unnamed
//     purpose by OID), Subject and Issuer Alternative Name (DNS:, IP
//     Address:, email:, URI:, DirName:/C=../CN=.., Registered ID:,
//     "othername: UPN::user@example.com"), Subject and Authority Key
//     Identifier (uppercase colon hex), CRL Distribution Points and Freshest
//     CRL (Full Name:, Relative Name:, Reasons:, CRL Issuer:), Authority and
//     Subject Information Access ("OCSP - URI:..."), Certificate Policies
//     (Policy: OID, CPS:, User Notice:), Name Constraints (Permitted:,
//     Excluded:), Inhibit Any Policy, TLS Feature, Netscape Cert Type and
//     Comment. An extension we do not decode (or cannot: malformed) shows
//     its DER value in colon hex, 18 bytes a line.
//
// Where it differs from OpenSSL 3.0 (see TestInspectTextAgainstOpenSSL in
// pkg/internal/e2e/inspect_text_test.go):
//   - Names are one line in the "C=DE, O=Example, CN=host" form (RDNs in
//     certificate order, ", " between them, " + " inside a multi-valued
//     RDN, no spaces around "="): OpenSSL 3.0's default adds spaces around
//     "=" ("-nameopt oneline,-space_eq" gives ours). Attributes by OpenSSL's
//     short names (C, ST, L, O, OU, CN, DC, UID, emailAddress, serialNumber,
//     ...), others by dotted OID.
//   - Values taken from the certificate are printed as they are: no
//     quoting of values holding ", ", no \XX escapes of non-ASCII bytes.
//     BMPString and UniversalString are converted to UTF-8; a value of
//     another ASN.1 type is "#" and its DER in hex. The caller escapes
//     control characters for the terminal.
//   - No modulus, EC point or signature value dumps (the sizes, the
//     fingerprint and the key identifiers say what an administrator
//     compares); the SHA-256 fingerprint (of the DER certificate, as
//     `openssl x509 -fingerprint -sha256` prints it) ends the text.
//   - No trailing space after an extension name that is not critical.
//   - Microsoft's certificate template extensions (1.3.6.1.4.1.311.20.2,
//     .21.7) and application policies (.21.10) are decoded; OpenSSL shows
//     their bytes.
//   - DirName is always in the slash form, also in CRL Issuer (where
//     OpenSSL switches to "C = US, O = ..."); CRL Distribution Points puts
//     "Reasons:" on its own line (OpenSSL 3.0 glues it to the last URI).
//   - RSASSA-PSS parameters are shown once, in Data (OpenSSL repeats them
//     after the last Signature Algorithm); an RSASSA-PSS key's
//     restrictions use the same forms ("sha256", "Salt Length: 0x20")
//     where OpenSSL 3.0 writes "SHA2-256" and "Minimum Salt Length: 32".
//   - Issuer and Subject Unique IDs (X.509 v2, unused in practice) are not
//     shown.
//
// certLines reads only what crypto/x509 already parsed (c.Raw,
// c.RawTBSCertificate, c.RawIssuer, c.RawSubject,
// c.RawSubjectPublicKeyInfo, c.Extensions); anything it cannot decode is
// shown as hex or from the parsed fields, never a panic.
func certLines(c *x509.Certificate) []string {
	var w textWriter
	w.line(0, "Certificate:")
	w.line(4, "Data:")
	if c.Version >= 1 && c.Version <= 3 {
		w.line(8, fmt.Sprintf("Version: %d (0x%x)", c.Version, c.Version-1))
	} else {
		w.line(8, fmt.Sprintf("Version: Unknown (%d)", c.Version))
	}
	writeSerial(&w, c.SerialNumber)

	tbsAlg, tbsAlgOK := tbsSignatureAlgorithm(c.RawTBSCertificate)
	writeSignatureAlgorithm(&w, 8, tbsAlg, tbsAlgOK, c.SignatureAlgorithm)
	w.field(8, "Issuer", nameText(c.RawIssuer, c.Issuer.String()))
	w.line(8, "Validity")
	w.line(12, "Not Before: "+c.NotBefore.UTC().Format(opensslTimeLayout))
	w.line(12, "Not After : "+c.NotAfter.UTC().Format(opensslTimeLayout))
	w.field(8, "Subject", nameText(c.RawSubject, c.Subject.String()))
	writePublicKey(&w, c)

	if len(c.Extensions) > 0 {
		w.line(8, "X509v3 extensions:")
		for _, ext := range c.Extensions {
			writeExtension(&w, ext.Id.String(), ext.Critical, ext.Value)
		}
	}

	outerAlg, outerAlgOK := certSignatureAlgorithm(c.Raw)
	if outerAlgOK {
		w.line(4, "Signature Algorithm: "+algorithmName(outerAlg.oid))
	} else {
		w.line(4, "Signature Algorithm: "+c.SignatureAlgorithm.String())
	}
	sum := sha256.Sum256(c.Raw)
	w.line(4, "SHA256 Fingerprint="+colonHex(sum[:], true))
	return w.lines
}

// opensslTimeLayout is OpenSSL's ASN1_TIME_print form.
const opensslTimeLayout = "Jan _2 15:04:05 2006 GMT"

// textWriter collects indented lines. A line holds what a certificate
// says as it is, line breaks included: the caller escapes each line for
// the terminal, so a name cannot start a line of its own.
type textWriter struct{ lines []string }

// line adds s indented by n spaces (an empty s gives an empty line).
func (w *textWriter) line(n int, s string) {
	if s == "" {
		w.lines = append(w.lines, "")
		return
	}
	w.lines = append(w.lines, strings.Repeat(" ", n)+s)
}

// field writes "key: value", or "key:" alone when value is empty.
func (w *textWriter) field(n int, key, value string) {
	if value == "" {
		w.line(n, key+":")
		return
	}
	w.line(n, key+": "+value)
}

// writeSerial writes the serial number as OpenSSL's X509_print_ex does:
// decimal and hex when the magnitude fits in a (64-bit) long and the value
// is not -1, else the magnitude in colon hex on the next line.
func writeSerial(w *textWriter, serial *big.Int) {
	if serial == nil {
		w.line(8, "Serial Number: (none)")
		return
	}
	mag := new(big.Int).Abs(serial)
	neg := serial.Sign() < 0
	fits := mag.BitLen() <= 63 || (neg && mag.BitLen() == 64 && mag.TrailingZeroBits() == 63) // -2^63 fits
	if fits && !(neg && mag.Cmp(big.NewInt(1)) == 0) {
		sign := ""
		if neg {
			sign = "-"
		}
		w.line(8, fmt.Sprintf("Serial Number: %s%s (%s0x%s)", sign, mag.String(), sign, mag.Text(16)))
		return
	}
	w.line(8, "Serial Number:")
	prefix := ""
	if neg {
		prefix = " (Negative)"
	}
	w.line(12, prefix+colonHex(mag.Bytes(), false))
}

// colonHex is b as hex bytes separated by colons.
func colonHex(b []byte, upper bool) string {
	digits := "0123456789abcdef"
	if upper {
		digits = "0123456789ABCDEF"
	}
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteByte(digits[x>>4])
		sb.WriteByte(digits[x&0x0f])
	}
	return sb.String()
}

// hexLines is b in lowercase colon hex, perLine bytes a line, each line
// but the last ending in ':' (OpenSSL's dump form).
func hexLines(b []byte, perLine int) []string {
	var lines []string
	for len(b) > 0 {
		n := min(perLine, len(b))
		l := colonHex(b[:n], false)
		b = b[n:]
		if len(b) > 0 {
			l += ":"
		}
		lines = append(lines, l)
	}
	if lines == nil {
		lines = []string{""}
	}
	return lines
}

// algorithm is a parsed AlgorithmIdentifier: its OID in dotted form and
// its parameters (a whole DER element, or nil when absent).
type algorithm struct {
	oid    string
	params []byte
}

func readAlgorithm(s *cryptobyte.String) (algorithm, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return algorithm{}, false
	}
	oid, ok := readOID(&seq)
	if !ok {
		return algorithm{}, false
	}
	a := algorithm{oid: oid}
	if !seq.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&params, &tag) || !seq.Empty() {
			return algorithm{}, false
		}
		a.params = params
	}
	return a, true
}

// tbsSignatureAlgorithm reads the signature field of a TBSCertificate.
func tbsSignatureAlgorithm(tbs []byte) (algorithm, bool) {
	s := cryptobyte.String(tbs)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) ||
		!body.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!body.SkipASN1(cbasn1.INTEGER) {
		return algorithm{}, false
	}
	return readAlgorithm(&body)
}

// certSignatureAlgorithm reads the signatureAlgorithm of a Certificate.
func certSignatureAlgorithm(der []byte) (algorithm, bool) {
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.SkipASN1(cbasn1.SEQUENCE) {
		return algorithm{}, false
	}
	return readAlgorithm(&body)
}

// readOID reads an OBJECT IDENTIFIER and returns it in dotted form; arcs
// of any size are allowed.
func readOID(s *cryptobyte.String) (string, bool) {
	var b cryptobyte.String
	if !s.ReadASN1(&b, cbasn1.OBJECT_IDENTIFIER) {
		return "", false
	}
	return oidText(b)
}

// maxArcBytes bounds an OID arc: 448 bits, far above the 128-bit UUID
// arcs of 2.25 (RFC 4122); converting longer ones to decimal takes time
// that grows with the square of their length.
const maxArcBytes = 64

// oidText decodes the contents of an OBJECT IDENTIFIER.
func oidText(b []byte) (string, bool) {
	if len(b) == 0 || b[len(b)-1]&0x80 != 0 {
		return "", false
	}
	var sb strings.Builder
	first := true
	for len(b) > 0 {
		n := 0
		for b[n]&0x80 != 0 {
			n++
		}
		arc := b[:n+1]
		b = b[n+1:]
		if arc[0] == 0x80 || len(arc) > maxArcBytes { // not minimal, or too long to convert quickly
			return "", false
		}
		x := new(big.Int)
		for _, c := range arc {
			x.Lsh(x, 7)
			x.Or(x, big.NewInt(int64(c&0x7f)))
		}
		if first {
			first = false
			switch {
			case x.Cmp(big.NewInt(40)) < 0:
				sb.WriteString("0." + x.String())
			case x.Cmp(big.NewInt(80)) < 0:
				sb.WriteString("1." + x.Sub(x, big.NewInt(40)).String())
			default:
				sb.WriteString("2." + x.Sub(x, big.NewInt(80)).String())
			}
			continue
		}
		sb.WriteString("." + x.String())
	}
	return sb.String(), true
}

// OIDs this file decodes.
const (
	oidRSA        = "1.2.840.113549.1.1.1"
	oidRSAPSS     = "1.2.840.113549.1.1.10"
	oidMGF1       = "1.2.840.113549.1.1.8"
	oidECPublic   = "1.2.840.10045.2.1"
	oidDSA        = "1.2.840.10040.4.1"
	oidEd25519    = "1.3.101.112"
	oidEd448      = "1.3.101.113"
	oidX25519     = "1.3.101.110"
	oidX448       = "1.3.101.111"
	oidHashSHA1   = "1.3.14.3.2.26"
	oidAnyPolicy  = "2.5.29.32.0"
	oidCPS        = "1.3.6.1.5.5.7.2.1"
	oidUserNotice = "1.3.6.1.5.5.7.2.2"
)

// writeSignatureAlgorithm writes "Signature Algorithm: NAME" and, for
// RSASSA-PSS, its parameters; fallback names the algorithm when the DER
// could not be read.
func writeSignatureAlgorithm(w *textWriter, n int, a algorithm, ok bool, fallback x509.SignatureAlgorithm) {
	if !ok {
		w.line(n, "Signature Algorithm: "+fallback.String())
		return
	}
	w.line(n, "Signature Algorithm: "+algorithmName(a.oid))
	if a.oid != oidRSAPSS {
		return
	}
	lines, ok := pssParams(a.params)
	if !ok {
		w.line(n, "(invalid PSS parameters)")
		return
	}
	for _, l := range lines {
		w.line(n, l)
	}
}

// pssParams renders RSASSA-PSS-params (RFC 4055) as OpenSSL does.
func pssParams(params []byte) ([]string, bool) {
	hash, mgfHash := "sha1 (default)", "sha1 (default)"
	salt, trailer := "0x14 (default)", "0x01 (default)"
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if len(params) > 0 && !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var field cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, false
	}
	if present {
		a, ok := readAlgorithm(&field)
		if !ok {
			return nil, false
		}
		hash = algorithmName(a.oid)
	}
	if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, false
	}
	if present {
		a, ok := readAlgorithm(&field)
		if !ok {
			return nil, false
		}
		mgfHash = algorithmName(a.oid)
		if a.oid == oidMGF1 {
			p := cryptobyte.String(a.params)
			h, ok := readAlgorithm(&p)
			if !ok {
				return nil, false
			}
			mgfHash = algorithmName(h.oid)
		}
	}
	for i, out := range []*string{&salt, &trailer} {
		if !seq.ReadOptionalASN1(&field, &present, cbasn1.Tag(2+i).Constructed().ContextSpecific()) {
			return nil, false
		}
		if present {
			v := new(big.Int)
			if !field.ReadASN1Integer(v) {
				return nil, false
			}
			*out = opensslInteger(v)
		}
	}
	if !seq.Empty() {
		return nil, false
	}
	return []string{
		"Hash Algorithm: " + hash,
		"Mask Algorithm: mgf1 with " + mgfHash,
		"Salt Length: " + salt,
		"Trailer Field: " + trailer,
	}, true
}

// writePublicKey writes the Subject Public Key Info section.
func writePublicKey(w *textWriter, c *x509.Certificate) {
	w.line(8, "Subject Public Key Info:")
	s := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var spki cryptobyte.String
	var alg algorithm
	var key []byte
	ok := s.ReadASN1(&spki, cbasn1.SEQUENCE)
	if ok {
		alg, ok = readAlgorithm(&spki)
	}
	if ok {
		var bits cryptobyte.String
		ok = spki.ReadASN1(&bits, cbasn1.BIT_STRING) && len(bits) > 0 && bits[0] == 0
		if ok {
			key = bits[1:]
		}
	}
	if !ok {
		w.line(12, "Public Key Algorithm: "+c.PublicKeyAlgorithm.String())
		if size := goKeySize(c.PublicKey); size > 0 {
			w.line(16, fmt.Sprintf("Public-Key: (%d bit)", size))
		}
		return
	}
	w.line(12, "Public Key Algorithm: "+algorithmName(alg.oid))
	const n = 16
	switch alg.oid {
	case oidRSA, oidRSAPSS:
		k := cryptobyte.String(key)
		var seq cryptobyte.String
		mod, exp := new(big.Int), new(big.Int)
		if !k.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(mod) || !seq.ReadASN1Integer(exp) {
			w.line(n, "(unreadable RSA key)")
			return
		}
		w.line(n, fmt.Sprintf("Public-Key: (%d bit)", mod.BitLen()))
		if exp.BitLen() <= 64 {
			w.line(n, fmt.Sprintf("Exponent: %s (0x%s)", exp.String(), exp.Text(16)))
		} else {
			w.line(n, fmt.Sprintf("Exponent: (%d bit)", exp.BitLen()))
		}
		if alg.oid == oidRSAPSS {
			writePSSRestrictions(w, n, alg.params)
		}
	case oidECPublic:
		curve, ok := "", false
		p := cryptobyte.String(alg.params)
		if p.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
			curve, ok = readOID(&p)
		}
		size := goKeySize(c.PublicKey)
		if size == 0 && ok {
			size = curveSize(curve)
		}
		if size > 0 {
			w.line(n, fmt.Sprintf("Public-Key: (%d bit)", size))
		}
		switch {
		case !ok:
			w.line(n, "(explicit curve parameters)")
		default:
			w.line(n, "ASN1 OID: "+curveName(curve))
			if nist := nistCurve(curve); nist != "" {
				w.line(n, "NIST CURVE: "+nist)
			}
		}
	case oidEd25519, oidEd448, oidX25519, oidX448:
		w.line(n, algorithmName(alg.oid)+" Public-Key:")
		w.line(n, "pub:")
		for _, l := range hexLines(key, 15) {
			w.line(n+4, l)
		}
	case oidDSA:
		p := cryptobyte.String(alg.params)
		var seq cryptobyte.String
		prime := new(big.Int)
		if p.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.ReadASN1Integer(prime) {
			w.line(n, fmt.Sprintf("Public-Key: (%d bit)", prime.BitLen()))
		}
	}
}

// writePSSRestrictions writes the parameters an RSASSA-PSS key is
// restricted to (RFC 4055 section 3.1).
func writePSSRestrictions(w *textWriter, n int, params []byte) {
	if len(params) == 0 {
		w.line(n, "No PSS parameter restrictions")
		return
	}
	lines, ok := pssParams(params)
	if !ok {
		w.line(n, "(invalid PSS parameter restrictions)")
		return
	}
	w.line(n, "PSS parameter restrictions:")
	for _, l := range lines {
		w.line(n+2, l)
	}
}

// goKeySize is the size in bits of a public key crypto/x509 parsed, or 0.
func goKeySize(pub any) int {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N != nil {
			return k.N.BitLen()
		}
	case *ecdsa.PublicKey:
		if k.Curve != nil {
			return k.Curve.Params().BitSize
		}
	case ed25519.PublicKey:
		return 256
	}
	return 0
}

// nameAttr is one attribute of a distinguished name.
type nameAttr struct{ typ, value string }

// parseName reads an X.501 Name (RDNSequence) into its RDNs.
func parseName(der []byte) ([][]nameAttr, bool) {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, false
	}
	var rdns [][]nameAttr
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return nil, false
		}
		var rdn []nameAttr
		for !set.Empty() {
			var atv cryptobyte.String
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) {
				return nil, false
			}
			oid, ok := readOID(&atv)
			if !ok {
				return nil, false
			}
			v, ok := readString(&atv)
			if !ok || !atv.Empty() {
				return nil, false
			}
			name, _ := certfile.AttributeName(oid)
			rdn = append(rdn, nameAttr{name, v})
		}
		rdns = append(rdns, rdn)
	}
	return rdns, true
}

// nameText is the one-line form of a DER Name ("C=DE, O=Example,
// CN=host"), or fallback when der cannot be read.
func nameText(der []byte, fallback string) string {
	rdns, ok := parseName(der)
	if !ok {
		return fallback
	}
	parts := make([]string, 0, len(rdns))
	for _, rdn := range rdns {
		attrs := make([]string, 0, len(rdn))
		for _, a := range rdn {
			attrs = append(attrs, a.typ+"="+a.value)
		}
		parts = append(parts, strings.Join(attrs, " + "))
	}
	return strings.Join(parts, ", ")
}

// slashName is OpenSSL's X509_NAME_oneline form of a DER Name
// ("/C=DE/O=Example/CN=host"), used in DirName general names.
func slashName(der []byte) (string, bool) {
	rdns, ok := parseName(der)
	if !ok {
		return "", false
	}
	var sb strings.Builder
	for _, rdn := range rdns {
		for i, a := range rdn {
			if i == 0 {
				sb.WriteByte('/')
			} else {
				sb.WriteByte('+')
			}
			sb.WriteString(a.typ + "=" + a.value)
		}
	}
	return sb.String(), true
}

// readString reads any ASN.1 element and returns it as text: the
// character string types as they are (BMPString and UniversalString
// converted to UTF-8), anything else as "#" and its DER in uppercase hex
// (OpenSSL's dump form).
func readString(s *cryptobyte.String) (string, bool) {
	var elem cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&elem, &tag) {
		return "", false
	}
	full := []byte(elem)
	var content cryptobyte.String
	if !elem.ReadAnyASN1(&content, &tag) {
		return "", false
	}
	if v, ok := stringValue(tag, content); ok {
		return v, true
	}
	return "#" + upperHex(full), true
}

// stringValue converts the contents of an ASN.1 character string.
func stringValue(tag cbasn1.Tag, content []byte) (string, bool) {
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String, cbasn1.T61String,
		cbasn1.Tag(18), // NumericString
		cbasn1.Tag(21), // VideotexString
		cbasn1.Tag(25), // GraphicString
		cbasn1.Tag(26), // VisibleString
		cbasn1.Tag(27): // GeneralString
		return string(content), true
	case cbasn1.Tag(30): // BMPString: UTF-16BE
		if len(content)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(content)/2)
		for i := range u {
			u[i] = uint16(content[2*i])<<8 | uint16(content[2*i+1])
		}
		return string(utf16.Decode(u)), true
	case cbasn1.Tag(28): // UniversalString: UTF-32BE
		if len(content)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(content)/4)
		for i := range r {
			r[i] = rune(uint32(content[4*i])<<24 | uint32(content[4*i+1])<<16 | uint32(content[4*i+2])<<8 | uint32(content[4*i+3]))
		}
		return string(r), true
	}
	return "", false
}

// opensslInteger is v as OpenSSL's i2a_ASN1_INTEGER prints it: "0x" and
// whole bytes of uppercase hex ("0x20", "0x01", "-0x05").
func opensslInteger(v *big.Int) string {
	b := v.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	if v.Sign() < 0 {
		return "-0x" + upperHex(b)
	}
	return "0x" + upperHex(b)
}

// intText is n in decimal, or in hex ("0x...") when it is too long for a
// quick decimal conversion (a value no certificate needs: a path length,
// a version, a notice number).
func intText(n *big.Int) string {
	if n.BitLen() <= 256 {
		return n.String()
	}
	return opensslInteger(n)
}

// upperHex is b in uppercase hex without separators.
func upperHex(b []byte) string {
	return strings.ReplaceAll(colonHex(b, true), ":", "")
}
