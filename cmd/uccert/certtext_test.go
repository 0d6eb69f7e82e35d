package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// loadPEMCert parses the certificate in fixtures/pki/NAME.
func loadPEMCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(fixture("pki", name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s: no PEM certificate", name)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// textExtension is one extension as certText prints it: the header line
// (name and criticality) and its value lines, without the indentation.
type textExtension struct {
	header string
	value  []string
}

// textExtensions returns the extensions section of a certText output.
func textExtensions(t testing.TB, text string) []textExtension {
	t.Helper()
	var exts []textExtension
	in := false
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == "        X509v3 extensions:":
			in = true
		case !in:
		case strings.HasPrefix(l, "                "):
			if len(exts) == 0 {
				t.Fatalf("value line %q before any extension", l)
			}
			exts[len(exts)-1].value = append(exts[len(exts)-1].value, l[16:])
		case strings.HasPrefix(l, "            ") && l[12] != ' ':
			exts = append(exts, textExtension{header: l[12:]})
		default:
			in = false
		}
	}
	return exts
}

// hasLine fails the test unless text has line as one whole line
// (indentation included).
func hasLine(t *testing.T, text, line string) {
	t.Helper()
	if !slices.Contains(strings.Split(text, "\n"), line) {
		t.Errorf("no line %q in\n%s", line, text)
	}
}

// Every fixture certificate: the key lines in their exact form. The
// expected values are those `openssl x509 -noout -text -nameopt
// oneline,-space_eq` prints for the files (OpenSSL 3.0.19); key
// identifiers and fingerprints change when the fixtures are regenerated
// (fixtures/README.md), so they are compared with crypto/x509's parse.
func TestCertTextFixtures(t *testing.T) {
	const (
		issuingCA = "O=UC Example, CN=UC Test Issuing CA"
		rootCA    = "O=UC Example, CN=UC Test Root CA"
		leafBC    = "X509v3 Basic Constraints: critical|CA:FALSE"
		leafKU    = "X509v3 Key Usage: critical|Digital Signature, Key Encipherment"
		bothEKU   = "X509v3 Extended Key Usage:|TLS Web Server Authentication, TLS Web Client Authentication"
		june2025  = "Jun  1 00:00:00 2025 GMT"
		june2040  = "Jun  1 00:00:00 2040 GMT"
		rsa2048   = "Public-Key: (2048 bit)"
	)
	leafExts := func(eku string, san ...string) []string {
		exts := []string{leafBC, leafKU}
		if eku != "" {
			exts = append(exts, eku)
		}
		exts = append(exts, "X509v3 Subject Key Identifier:|SKI", "X509v3 Authority Key Identifier:|AKI")
		if len(san) > 0 {
			exts = append(exts, "X509v3 Subject Alternative Name:|"+strings.Join(san, ", "))
		}
		return exts
	}
	cases := []struct {
		file, serial, issuer, subject, notBefore, notAfter, sigAlg string
		key                                                        []string // lines of the Subject Public Key Info
		exts                                                       []string // "header|value line|value line"
	}{
		{"root.pem", "4096 (0x1000)", rootCA, rootCA, "Jan  1 00:00:00 2025 GMT", "Jan  1 00:00:00 2045 GMT", "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			[]string{"X509v3 Basic Constraints: critical|CA:TRUE", "X509v3 Key Usage: critical|Certificate Sign, CRL Sign", "X509v3 Subject Key Identifier:|SKI"}},
		{"issuing.pem", "4097 (0x1001)", rootCA, issuingCA, "Jan  1 00:00:00 2025 GMT", "Jan  1 00:00:00 2045 GMT", "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			[]string{"X509v3 Basic Constraints: critical|CA:TRUE, pathlen:0", "X509v3 Key Usage: critical|Certificate Sign, CRL Sign",
				"X509v3 Subject Key Identifier:|SKI", "X509v3 Authority Key Identifier:|AKI"}},
		{"fe1.pem", "8192 (0x2000)", issuingCA, "CN=fe1.uc.example.com", june2025, june2040, "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts(bothEKU, "DNS:fe1.uc.example.com", "DNS:pool.uc.example.com")},
		{"fe4.pem", "8195 (0x2003)", issuingCA, "CN=fe4.uc.example.com", june2025, june2040, "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: id-ecPublicKey", "Public-Key: (256 bit)", "ASN1 OID: prime256v1", "NIST CURVE: P-256"},
			append([]string{leafBC, "X509v3 Key Usage: critical|Digital Signature"}, leafExts(bothEKU, "DNS:fe4.uc.example.com", "DNS:pool.uc.example.com")[2:]...)},
		{"cnonly.pem", "8199 (0x2007)", issuingCA, "CN=cnonly.uc.example.com", june2025, june2040, "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts(bothEKU)},
		{"wildcard.pem", "8200 (0x2008)", issuingCA, "CN=*.uc.example.com", june2025, june2040, "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts(bothEKU, "DNS:*.uc.example.com")},
		{"sha1.pem", "8202 (0x200a)", issuingCA, "CN=sha1.uc.example.com", june2025, june2040, "sha1WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts(bothEKU, "DNS:sha1.uc.example.com")},
		{"rsa1024.pem", "8203 (0x200b)", issuingCA, "CN=weak.uc.example.com", june2025, june2040, "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", "Public-Key: (1024 bit)", "Exponent: 65537 (0x10001)"},
			leafExts(bothEKU, "DNS:weak.uc.example.com")},
		{"noeku.pem", "8204 (0x200c)", issuingCA, "CN=noeku.uc.example.com", june2025, june2040, "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts("", "DNS:noeku.uc.example.com")},
		{"serveronly.pem", "8448 (0x2100)", issuingCA, "CN=serveronly.uc.example.com", june2025, june2040, "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts("X509v3 Extended Key Usage:|TLS Web Server Authentication", "DNS:serveronly.uc.example.com")},
		{"expired.pem", "8197 (0x2005)", issuingCA, "CN=expired.uc.example.com", "Jan  1 00:00:00 2020 GMT", "Jan  1 00:00:00 2021 GMT", "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts(bothEKU, "DNS:expired.uc.example.com")},
		{"notyet.pem", "8198 (0x2006)", issuingCA, "CN=notyet.uc.example.com", "Jan  1 00:00:00 2040 GMT", "Jan  1 00:00:00 2050 GMT", "sha256WithRSAEncryption",
			[]string{"Public Key Algorithm: rsaEncryption", rsa2048, "Exponent: 65537 (0x10001)"},
			leafExts(bothEKU, "DNS:notyet.uc.example.com")},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			cert := loadPEMCert(t, c.file)
			text := certText(cert)
			if !strings.HasPrefix(text, "Certificate:\n    Data:\n        Version: 3 (0x2)\n") {
				t.Errorf("starts %q", text[:min(len(text), 60)])
			}
			hasLine(t, text, "        Serial Number: "+c.serial)
			hasLine(t, text, "        Signature Algorithm: "+c.sigAlg)
			hasLine(t, text, "        Issuer: "+c.issuer)
			hasLine(t, text, "            Not Before: "+c.notBefore)
			hasLine(t, text, "            Not After : "+c.notAfter)
			hasLine(t, text, "        Subject: "+c.subject)
			hasLine(t, text, "    Signature Algorithm: "+c.sigAlg)
			want := "        Subject Public Key Info:\n            " + c.key[0] + "\n"
			for _, l := range c.key[1:] {
				want += "                " + l + "\n"
			}
			want += "        X509v3 extensions:\n"
			if !strings.Contains(text, want) {
				t.Errorf("no public key section\n%s\nin\n%s", want, text)
			}
			sum := sha256.Sum256(cert.Raw)
			if !strings.HasSuffix(text, "\n    SHA256 Fingerprint="+colonHex(sum[:], true)+"\n") {
				t.Errorf("fingerprint line missing or not last:\n%s", text)
			}

			var got []string
			for _, e := range textExtensions(t, text) {
				got = append(got, strings.Join(append([]string{e.header}, e.value...), "|"))
			}
			var wantExts []string
			for _, e := range c.exts {
				e = strings.Replace(e, "|SKI", "|"+colonHex(cert.SubjectKeyId, true), 1)
				e = strings.Replace(e, "|AKI", "|"+colonHex(cert.AuthorityKeyId, true), 1)
				wantExts = append(wantExts, e)
			}
			if !slices.Equal(got, wantExts) {
				t.Errorf("extensions\n got  %q\n want %q", got, wantExts)
			}
			if len(cert.SubjectKeyId) != 20 {
				t.Errorf("SKI %x: the fixtures use 20-byte key identifiers", cert.SubjectKeyId)
			}
		})
	}
}

// Serial numbers as OpenSSL's X509_print_ex shows them (checked with
// `openssl req -x509 -set_serial N` and `openssl x509 -text`, 3.0.19):
// decimal and hex while the magnitude fits in a long, else colon hex on
// the next line; -1 takes the second form too.
func TestCertTextSerial(t *testing.T) {
	big16, _ := new(big.Int).SetString("0123456789abcdef0123456789abcdef", 16)
	negBig, _ := new(big.Int).SetString("-0123456789abcdef0123", 16)
	pow63 := new(big.Int).Lsh(big.NewInt(1), 63)
	cases := []struct {
		serial *big.Int
		want   string
	}{
		{big.NewInt(8192), "        Serial Number: 8192 (0x2000)\n"},
		{big.NewInt(0), "        Serial Number: 0 (0x0)\n"},
		{big.NewInt(-5), "        Serial Number: -5 (-0x5)\n"},
		{big.NewInt(-1), "        Serial Number:\n             (Negative)01\n"},
		{new(big.Int).Sub(pow63, big.NewInt(1)), "        Serial Number: 9223372036854775807 (0x7fffffffffffffff)\n"},
		{pow63, "        Serial Number:\n            80:00:00:00:00:00:00:00\n"},
		{new(big.Int).Neg(pow63), "        Serial Number: -9223372036854775808 (-0x8000000000000000)\n"},
		{big16, "        Serial Number:\n            01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef\n"},
		{negBig, "        Serial Number:\n             (Negative)01:23:45:67:89:ab:cd:ef:01:23\n"},
		{nil, "        Serial Number: (none)\n"},
	}
	base := loadPEMCert(t, "fe1.pem")
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			cert := *base
			cert.SerialNumber = c.serial
			if text := certText(&cert); !strings.Contains(text, "        Version: 3 (0x2)\n"+c.want+"        Signature Algorithm: ") {
				t.Errorf("want\n%s\nin\n%s", c.want, text)
			}
		})
	}
}

// rdn is one RDN for a hand-made Name: pairs of OID and value.
type rdnValue struct {
	oid   asn1.ObjectIdentifier
	value asn1.RawValue
}

func utf8Value(s string) asn1.RawValue {
	return asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(s)}
}

// rawName DER-encodes an RDNSequence, each inner slice one RDN.
func rawName(t *testing.T, rdns ...[]rdnValue) []byte {
	t.Helper()
	type atv struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	var seq [][]atv
	for _, rdn := range rdns {
		var set []atv
		for _, v := range rdn {
			set = append(set, atv{v.oid, v.value})
		}
		seq = append(seq, set)
	}
	type rdnSet []atv
	var outer []asn1.RawValue
	for _, set := range seq {
		b, err := asn1.MarshalWithParams(rdnSet(set), "set")
		if err != nil {
			t.Fatal(err)
		}
		outer = append(outer, asn1.RawValue{FullBytes: b})
	}
	der, err := asn1.Marshal(outer)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// selfSigned makes a certificate from tmpl with key (Go as the producer)
// and parses it back.
func selfSigned(t *testing.T, tmpl *x509.Certificate, key any) *x509.Certificate {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(4242)
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		tmpl.NotAfter = time.Date(2036, 11, 12, 13, 14, 15, 0, time.UTC)
	}
	pub := key.(crypto.Signer).Public()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ecKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixtureRSAKey is fe1's RSA key (fixtures/pki/fe1.key.pem, PKCS#8).
func fixtureRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(fixture("pki", "fe1.key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// Names: OpenSSL's short names (DC, UID, emailAddress, ...), unknown
// attributes by OID, multi-valued RDNs with " + ", string types converted
// to UTF-8, other value types dumped, and every value returned as it is:
// control characters and bytes that are not UTF-8 included.
func TestCertTextNames(t *testing.T) {
	bmp := func(s string) asn1.RawValue {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return asn1.RawValue{Tag: 30, Bytes: b}
	}
	oid := func(arcs ...int) asn1.ObjectIdentifier { return arcs }
	subject := rawName(t,
		[]rdnValue{{oid(0, 9, 2342, 19200300, 100, 1, 25), asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte("com")}}},
		[]rdnValue{{oid(0, 9, 2342, 19200300, 100, 1, 25), asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte("example")}}},
		[]rdnValue{{oid(2, 5, 4, 6), asn1.RawValue{Tag: asn1.TagPrintableString, Bytes: []byte("DE")}}},
		[]rdnValue{{oid(2, 5, 4, 7), utf8Value("München")}},
		[]rdnValue{{oid(2, 5, 4, 10), utf8Value("Foo, Inc.")}},
		[]rdnValue{{oid(2, 5, 4, 3), utf8Value("host.example.com")}, {oid(0, 9, 2342, 19200300, 100, 1, 1), utf8Value("jdoe")}},
		[]rdnValue{{oid(1, 2, 840, 113549, 1, 9, 1), asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte("pki@example.com")}}},
		[]rdnValue{{oid(1, 3, 6, 1, 4, 1, 99, 7), utf8Value("custom")}},
		[]rdnValue{{oid(2, 5, 4, 12), bmp("Tïtle ☃")}},
		[]rdnValue{{oid(2, 5, 4, 11), utf8Value("evil\x1b[2J\x07\u202e")}},
		[]rdnValue{{oid(2, 5, 4, 11), asn1.RawValue{Tag: asn1.TagT61String, Bytes: []byte("raw\xff\xfe")}}},
	)
	key := ecKey(t, elliptic.P256())
	c := selfSigned(t, &x509.Certificate{RawSubject: subject}, key)
	// DER sorts the values of a SET: UID (0.9...) before CN (2.5.4.3).
	want := "DC=com, DC=example, C=DE, L=München, O=Foo, Inc., UID=jdoe + CN=host.example.com, emailAddress=pki@example.com, " +
		"1.3.6.1.4.1.99.7=custom, title=Tïtle ☃, OU=evil\x1b[2J\x07\u202e, OU=raw\xff\xfe"
	text := certText(c)
	hasLine(t, text, "        Subject: "+want)
	hasLine(t, text, "        Issuer: "+want) // self-signed

	// A value crypto/x509 refuses (an INTEGER) cannot come from a parsed
	// certificate, but certText reads the raw bytes: OpenSSL's "#" dump.
	odd := *c
	odd.RawSubject = rawName(t, []rdnValue{{oid(2, 5, 4, 3), asn1.RawValue{Tag: asn1.TagInteger, Bytes: []byte{5}}}})
	hasLine(t, certText(&odd), "        Subject: CN=#020105")
	// An unreadable Name falls back to crypto/x509's form.
	odd.RawSubject = []byte{0x30, 0x05, 0x31}
	hasLine(t, certText(&odd), "        Subject: "+c.Subject.String())
	// An empty Name.
	odd.RawSubject = []byte{0x30, 0x00}
	hasLine(t, certText(&odd), "        Subject:")
}

// Extensions made by Go's x509.CreateCertificate, in OpenSSL's forms
// (checked against `openssl x509 -text` on a certificate with the same
// extensions made by `openssl req`, see pkg/internal/e2e/inspect_text_test.go).
func TestCertTextExtensions(t *testing.T) {
	ca := loadPEMCert(t, "issuing.pem")
	u, _ := url.Parse("https://rich.example.com/x")
	_, permittedNet, _ := net.ParseCIDR("192.168.0.0/16")
	_, excludedNet, _ := net.ParseCIDR("2001:db8::/32")
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "rich.example.com"},
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: 2,
		KeyUsage:               x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDecipherOnly,
		ExtKeyUsage:            []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageOCSPSigning, x509.ExtKeyUsageMicrosoftServerGatedCrypto},
		UnknownExtKeyUsage:     []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 311, 20, 2, 2}, {1, 2, 3, 4, 99}},
		DNSNames:               []string{"rich.example.com", "*.rich.example.com"},
		EmailAddresses:         []string{"pki@example.com"},
		IPAddresses:            []net.IP{net.ParseIP("192.0.2.1"), net.ParseIP("2001:db8::1")},
		URIs:                   []*url.URL{u},
		SubjectKeyId:           []byte{1, 2, 3, 0xab},
		AuthorityKeyId:         ca.SubjectKeyId,
		CRLDistributionPoints:  []string{"http://crl.example.com/ca.crl", "ldap://ldap.example.com/cn=ca"},
		OCSPServer:             []string{"http://ocsp.example.com/"},
		IssuingCertificateURL:  []string{"http://ca.example.com/ca.crt"},
		Policies:               []x509.OID{mustOID(t, 1, 3, 6, 1, 4, 1, 311, 21, 8, 1), mustOID(t, 2, 5, 29, 32, 0)},
		PermittedDNSDomains:    []string{".example.com"},
		PermittedIPRanges:      []*net.IPNet{permittedNet},
		ExcludedIPRanges:       []*net.IPNet{excludedNet},
		ExcludedEmailAddresses: []string{"bad@example.com"},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5}, Critical: true, Value: []byte{0x04, 0x02, 0xca, 0xfe}},
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2}, Value: []byte{0x1e, 0x12, 0, 'W', 0, 'e', 0, 'b', 0, 'S', 0, 'e', 0, 'r', 0, 'v', 0, 'e', 0, 'r'}},
			// szOID_CERTIFICATE_TEMPLATE: SEQUENCE { OID 1.3.6.1.4.1.311.21.8.1.2, INTEGER 100, INTEGER 4 }
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 21, 7}, Value: mustMarshal(t, struct {
				ID           asn1.ObjectIdentifier
				Major, Minor int
			}{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 21, 8, 1, 2}, 100, 4})},
		},
	}
	c := selfSigned(t, tmpl, ecKey(t, elliptic.P384()))
	text := certText(c)
	var got []string
	for _, e := range textExtensions(t, text) {
		got = append(got, strings.Join(append([]string{e.header}, e.value...), "|"))
	}
	want := []string{
		"X509v3 Key Usage: critical|Digital Signature, Certificate Sign, CRL Sign, Decipher Only",
		"X509v3 Extended Key Usage:|TLS Web Server Authentication, TLS Web Client Authentication, OCSP Signing, Microsoft Server Gated Crypto, Microsoft Smartcard Login, 1.2.3.4.99",
		"X509v3 Basic Constraints: critical|CA:TRUE, pathlen:2",
		"X509v3 Subject Key Identifier:|01:02:03:AB",
		"X509v3 Authority Key Identifier:|" + colonHex(ca.SubjectKeyId, true),
		"Authority Information Access:|OCSP - URI:http://ocsp.example.com/|CA Issuers - URI:http://ca.example.com/ca.crt",
		"X509v3 Subject Alternative Name:|DNS:rich.example.com, DNS:*.rich.example.com, email:pki@example.com, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1, URI:https://rich.example.com/x",
		"X509v3 Certificate Policies:|Policy: 1.3.6.1.4.1.311.21.8.1|Policy: X509v3 Any Policy",
		"X509v3 Name Constraints:|Permitted:|  DNS:.example.com|  IP:192.168.0.0/255.255.0.0|Excluded:|  IP:2001:DB8:0:0:0:0:0:0/FFFF:FFFF:0:0:0:0:0:0|  email:bad@example.com",
		"X509v3 CRL Distribution Points:|Full Name:|  URI:http://crl.example.com/ca.crl|Full Name:|  URI:ldap://ldap.example.com/cn=ca",
		"1.2.3.4.5: critical|04:02:ca:fe",
		"Microsoft Certificate Template Name:|WebServer",
		"Microsoft Certificate Template:|Template: 1.3.6.1.4.1.311.21.8.1.2|Major Version: 100|Minor Version: 4",
	}
	if !slices.Equal(got, want) {
		t.Errorf("extensions\n got  %q\n want %q", got, want)
	}
	for _, l := range []string{
		"        Signature Algorithm: ecdsa-with-SHA384",
		"            Public Key Algorithm: id-ecPublicKey",
		"                Public-Key: (384 bit)",
		"                ASN1 OID: secp384r1",
		"                NIST CURVE: P-384",
		"            Not Before: Jan  2 03:04:05 2026 GMT",
		"            Not After : Nov 12 13:14:15 2036 GMT",
	} {
		hasLine(t, text, l)
	}
}

func mustOID(t *testing.T, arcs ...uint64) x509.OID {
	t.Helper()
	oid, err := x509.OIDFromInts(arcs)
	if err != nil {
		t.Fatal(err)
	}
	return oid
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Hand-encoded extension values: forms Go's x509 does not write
// (authorityCertIssuer, CRL reasons and issuer, relative names, policy
// qualifiers, otherName) in OpenSSL's forms.
func TestCertTextExtensionValues(t *testing.T) {
	ctx := func(n int, constructed bool, content ...[]byte) []byte {
		tag := byte(0x80 | n)
		if constructed {
			tag |= 0x20
		}
		return tlvBytes(tag, content...)
	}
	seq := func(content ...[]byte) []byte { return tlvBytes(0x30, content...) }
	oidDER := func(arcs ...int) []byte { return mustMarshal(t, asn1.ObjectIdentifier(arcs)) }
	ia5 := func(s string) []byte { return tlvBytes(0x16, []byte(s)) }
	utf8 := func(s string) []byte { return tlvBytes(0x0c, []byte(s)) }
	dirName := rawName(t, []rdnValue{{asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.RawValue{Tag: asn1.TagPrintableString, Bytes: []byte("US")}}},
		[]rdnValue{{asn1.ObjectIdentifier{2, 5, 4, 3}, utf8Value("Dir Name")}})
	hugeArc := append(append([]byte{0x2a}, bytes.Repeat([]byte{0x81}, 64)...), 0x01)
	cases := []struct {
		name, oid string
		value     []byte
		want      []string
	}{
		{"AKI with issuer and serial", "2.5.29.35",
			seq(ctx(0, false, []byte{0x6f, 0x1a}), ctx(1, true, ctx(4, true, dirName)), ctx(2, false, []byte{0x00, 0x80, 0x01})),
			[]string{"keyid:6F:1A", "DirName:/C=US/CN=Dir Name", "serial:80:01"}},
		{"SAN otherName, DirName, RID", "2.5.29.17",
			seq(ctx(0, true, oidDER(1, 3, 6, 1, 4, 1, 311, 20, 2, 3), ctx(0, true, utf8("jdoe@example.com"))),
				ctx(0, true, oidDER(1, 2, 3, 4, 5, 7), ctx(0, true, tlvBytes(0x02, []byte{1}))),
				ctx(4, true, dirName), ctx(8, false, oidDER(1, 2, 3, 4)[2:]), ctx(7, false, []byte{1, 2, 3})),
			[]string{"othername: UPN::jdoe@example.com, othername: 1.2.3.4.5.7::#020101, DirName:/C=US/CN=Dir Name, Registered ID:1.2.3.4, IP Address:<invalid length=3>"}},
		{"CRL DP reasons, issuer, relative name", "2.5.29.31",
			seq(seq(ctx(0, true, ctx(0, true, ctx(6, false, []byte("http://crl.example.com/a.crl")))),
				ctx(1, false, []byte{0x01, 0x60}), ctx(2, true, ctx(4, true, dirName))),
				seq(ctx(0, true, ctx(1, true, dirName[4:15])))), // the contents of dirName's first RDN (C=US)
			[]string{"Full Name:", "  URI:http://crl.example.com/a.crl", "Reasons:", "  Key Compromise, CA Compromise",
				"CRL Issuer:", "  DirName:/C=US/CN=Dir Name", "Relative Name:", "  C=US"}},
		{"policies with qualifiers", "2.5.29.32",
			seq(seq(oidDER(1, 3, 6, 1, 4, 1, 99, 2), seq(
				seq(oidDER(1, 3, 6, 1, 5, 5, 7, 2, 1), ia5("http://example.com/cps")),
				seq(oidDER(1, 3, 6, 1, 5, 5, 7, 2, 2), seq(seq(utf8("Org Name"), seq(tlvBytes(0x02, []byte{1}), tlvBytes(0x02, []byte{2}))), utf8("Explicit notice text"))),
				seq(oidDER(1, 2, 3), tlvBytes(0x05)))),
			),
			[]string{"Policy: 1.3.6.1.4.1.99.2", "  CPS: http://example.com/cps", "  User Notice:", "    Organization: Org Name",
				"    Numbers: 1, 2", "    Explicit Text: Explicit notice text", "  Unknown Qualifier: 1.2.3"}},
		{"SIA", "1.3.6.1.5.5.7.1.11", seq(seq(oidDER(1, 3, 6, 1, 5, 5, 7, 48, 5), ctx(6, false, []byte("http://repo.example.com/")))),
			[]string{"CA Repository - URI:http://repo.example.com/"}},
		{"Inhibit Any Policy", "2.5.29.54", tlvBytes(0x02, []byte{0}), []string{"0"}},
		{"TLS Feature", "1.3.6.1.5.5.7.1.24", seq(tlvBytes(0x02, []byte{5})), []string{"status_request"}},
		{"OCSP No Check", "1.3.6.1.5.5.7.48.1.5", tlvBytes(0x05), nil},
		{"Netscape Cert Type", "2.16.840.1.113730.1.1", tlvBytes(0x03, []byte{0x05, 0xa0}), []string{"SSL Client, S/MIME"}},
		{"Key Usage with no bit", "2.5.29.15", tlvBytes(0x03, []byte{0x00}), []string{""}},
		{"Application Policies", "1.3.6.1.4.1.311.21.10", seq(seq(oidDER(1, 3, 6, 1, 5, 5, 7, 3, 1)), seq(oidDER(1, 3, 6, 1, 5, 5, 7, 3, 2))),
			[]string{"TLS Web Server Authentication, TLS Web Client Authentication"}},
		// Malformed values: the DER in hex.
		{"truncated Basic Constraints", "2.5.29.19", []byte{0x30, 0x03, 0x01, 0x01}, []string{"30:03:01:01"}},
		{"trailing bytes", "2.5.29.14", []byte{0x04, 0x01, 0xab, 0x00}, []string{"04:01:ab:00"}},
		{"long unknown value", "1.2.3", make([]byte, 20), []string{"00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:", "00:00"}},
		// Crypto/x509 accepts policy OIDs with arcs of any size; one longer
		// than 64 bytes is not converted to decimal (quadratic time).
		{"policy OID with a 65-byte arc", "2.5.29.32", seq(seq(tlvBytes(0x06, hugeArc))), hexLines(seq(seq(tlvBytes(0x06, hugeArc))), 18)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w textWriter
			writeExtension(&w, c.oid, false, c.value)
			lines := w.lines
			var got []string
			for _, l := range lines[1:] {
				got = append(got, strings.TrimPrefix(l, "                "))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s\n got  %q\n want %q", lines[0], got, c.want)
			}
		})
	}
}

// tlvBytes is a DER element with a short-form or two-byte length.
func tlvBytes(tag byte, content ...[]byte) []byte {
	var body []byte
	for _, c := range content {
		body = append(body, c...)
	}
	out := []byte{tag}
	switch {
	case len(body) < 0x80:
		out = append(out, byte(len(body)))
	case len(body) < 0x100:
		out = append(out, 0x81, byte(len(body)))
	default:
		out = append(out, 0x82, byte(len(body)>>8), byte(len(body)))
	}
	return append(out, body...)
}

// Public keys and signature algorithms Go can make: Ed25519 (with its
// "pub:" bytes, as OpenSSL), RSASSA-PSS signatures with their parameters.
func TestCertTextKeysAndSignatures(t *testing.T) {
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ed := selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "ed"}}, edKey)
	pub := edKey.Public().(ed25519.PublicKey)
	wantEd := "            Public Key Algorithm: ED25519\n" +
		"                ED25519 Public-Key:\n" +
		"                pub:\n" +
		"                    " + colonHex(pub[:15], false) + ":\n" +
		"                    " + colonHex(pub[15:30], false) + ":\n" +
		"                    " + colonHex(pub[30:], false) + "\n"
	text := certText(ed)
	if !strings.Contains(text, wantEd) {
		t.Errorf("want\n%s\nin\n%s", wantEd, text)
	}
	hasLine(t, text, "    Signature Algorithm: ED25519")

	pss := selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "pss"}, SignatureAlgorithm: x509.SHA384WithRSAPSS}, fixtureRSAKey(t))
	text = certText(pss)
	want := "        Signature Algorithm: rsassaPss\n" +
		"        Hash Algorithm: sha384\n" +
		"        Mask Algorithm: mgf1 with sha384\n" +
		"        Salt Length: 0x30\n" +
		"        Trailer Field: 0x01 (default)\n" +
		"        Issuer: CN=pss\n"
	if !strings.Contains(text, want) {
		t.Errorf("want\n%s\nin\n%s", want, text)
	}
	if want := "    Signature Algorithm: rsassaPss\n    SHA256 Fingerprint="; !strings.Contains(text, want) {
		t.Errorf("want\n%s\nin\n%s", want, text)
	}
	hasLine(t, text, "                Public-Key: (2048 bit)")

	// An RSASSA-PSS key (Go cannot make one; crypto/x509 leaves its
	// PublicKey nil): its restrictions after the exponent.
	for _, c := range []struct {
		params []byte
		want   string
	}{
		{nil, "                No PSS parameter restrictions\n"},
		{pssSHA256Params(t), "                PSS parameter restrictions:\n" +
			"                  Hash Algorithm: sha256\n" +
			"                  Mask Algorithm: mgf1 with sha256\n" +
			"                  Salt Length: 0x20\n" +
			"                  Trailer Field: 0x01 (default)\n"},
	} {
		key := *pss
		key.RawSubjectPublicKeyInfo = pssSPKI(t, pss, c.params)
		key.PublicKey = nil
		text := certText(&key)
		want := "            Public Key Algorithm: rsassaPss\n                Public-Key: (2048 bit)\n                Exponent: 65537 (0x10001)\n" + c.want
		if !strings.Contains(text, want) {
			t.Errorf("want\n%s\nin\n%s", want, text)
		}
	}

	// Parameters left at their defaults (SHA-1): OpenSSL marks each.
	lines, ok := pssParams(nil)
	if want := []string{"Hash Algorithm: sha1 (default)", "Mask Algorithm: mgf1 with sha1 (default)", "Salt Length: 0x14 (default)", "Trailer Field: 0x01 (default)"}; !ok || !slices.Equal(lines, want) {
		t.Errorf("default PSS parameters: %q %v", lines, ok)
	}
}

// pssSHA256Params is RSASSA-PSS-params with SHA-256, MGF1 with SHA-256
// and a 32-byte salt.
func pssSHA256Params(t *testing.T) []byte {
	sha256OID := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	hashAlg := mustMarshal(t, pkix.AlgorithmIdentifier{Algorithm: sha256OID, Parameters: asn1.NullRawValue})
	mgf := mustMarshal(t, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}, Parameters: asn1.RawValue{FullBytes: hashAlg}})
	return tlvBytes(0x30, tlvBytes(0xa0, hashAlg), tlvBytes(0xa1, mgf), tlvBytes(0xa2, mustMarshal(t, 32)))
}

// pssSPKI is c's RSA public key as an RSASSA-PSS SubjectPublicKeyInfo
// with params (none when nil).
func pssSPKI(t *testing.T, c *x509.Certificate, params []byte) []byte {
	t.Helper()
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		t.Fatal(err)
	}
	spki.Algorithm = pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}}
	if params != nil {
		spki.Algorithm.Parameters = asn1.RawValue{FullBytes: params}
	}
	return mustMarshal(t, spki)
}

// certText must never panic: on certificates built by hand with missing
// or garbage raw fields, and on every truncation and every one-byte change
// of every extension value of a rich certificate.
func TestCertTextNeverPanics(t *testing.T) {
	fe1 := loadPEMCert(t, "fe1.pem")
	_ = certText(&x509.Certificate{})
	broken := *fe1
	broken.Raw, broken.RawTBSCertificate, broken.RawIssuer, broken.RawSubject, broken.RawSubjectPublicKeyInfo = []byte{0x30}, []byte{0x30, 0x80}, []byte{0xff}, nil, []byte{0x30, 0x03, 0x30, 0x01, 0x06}
	broken.PublicKey = nil
	text := certText(&broken)
	hasLine(t, text, "        Signature Algorithm: SHA256-RSA") // crypto/x509's name as the fallback
	hasLine(t, text, "            Public Key Algorithm: RSA")

	exts := []struct {
		oid   string
		value []byte
	}{}
	for _, name := range []string{"fe1.pem", "issuing.pem"} {
		for _, e := range loadPEMCert(t, name).Extensions {
			exts = append(exts, struct {
				oid   string
				value []byte
			}{e.Id.String(), e.Value})
		}
	}
	for _, e := range exts {
		for i := 0; i <= len(e.value); i++ {
			var w textWriter
			writeExtension(&w, e.oid, false, e.value[:i])
			for _, b := range []byte{0x00, 0x80, 0xff} {
				if i < len(e.value) {
					mutated := slices.Clone(e.value)
					mutated[i] ^= b | 1
					writeExtension(&w, e.oid, true, mutated)
				}
			}
		}
	}
}

// FuzzCertText: any certificate crypto/x509 accepts renders without a
// panic, and so does one whose raw fields and extension values are the
// fuzz input.
func FuzzCertText(f *testing.F) {
	for _, name := range []string{"fe1.pem", "fe4.pem", "root.pem", "issuing.pem"} {
		f.Add(loadPEMCert(f, name).Raw)
	}
	fe1 := loadPEMCert(f, "fe1.pem")
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := x509.ParseCertificate(data); err == nil {
			_ = certText(c)
		}
		c := *fe1
		c.Raw, c.RawTBSCertificate, c.RawIssuer, c.RawSubject, c.RawSubjectPublicKeyInfo = data, data, data, data, data
		c.Extensions = slices.Clone(c.Extensions)
		for i := range c.Extensions {
			c.Extensions[i].Value = data
		}
		for _, oid := range []string{"2.5.29.31", "2.5.29.32", "2.5.29.30", "1.3.6.1.5.5.7.1.1", "1.3.6.1.4.1.311.21.7", "1.3.6.1.4.1.311.21.10", "2.16.840.1.113730.1.13"} {
			var w textWriter
			writeExtension(&w, oid, false, data)
		}
		_ = certText(&c)
		_, _ = pssParams(data)
	})
}

// certText is certLines as one text, for tests that look for several lines.
func certText(c *x509.Certificate) string { return strings.Join(certLines(c), "\n") + "\n" }
