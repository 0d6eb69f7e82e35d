package certfile

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/fixtures"
)

// sanValue is a subjectAltName value (GeneralNames) with the given
// [tag] names, written as the bytes are.
func sanValue(names ...any) []byte {
	var parts [][]byte
	for i := 0; i < len(names); i += 2 {
		parts = append(parts, tlv(0x80|byte(names[i].(int)), []byte(names[i+1].(string))))
	}
	return tlv(0x30, parts...)
}

// The fixture made by OpenSSL (fixtures/pki/idn.cer, a raw UTF-8
// dNSName): read with the name as it is, its own bytes, a signature that
// the issuing CA verifies, and the name listed as malformed.
func TestNonASCIISubjectAltName(t *testing.T) {
	f, err := Load(filepath.Join(fixturesDir, "pki", "idn.cer"))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Certificates[0]
	if _, err := x509.ParseCertificate(c.Raw); err == nil {
		t.Fatal("crypto/x509 reads the fixture: the test tests nothing")
	}
	if !slices.Equal(c.DNSNames, []string{"bücher.uc.example.com"}) {
		t.Errorf("DNSNames %q", c.DNSNames)
	}
	issuing, err := Load(filepath.Join(fixturesDir, "pki", "issuing.cer"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(issuing.Certificates[0]); err != nil {
		t.Errorf("signature: %v", err)
	}
	if got := MalformedNames(c); len(got) != 1 || got[0] != (MalformedName{"dNSName", "bücher.uc.example.com"}) {
		t.Errorf("MalformedNames %+v", got)
	}
	var sanIDs int
	for _, e := range c.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			sanIDs++
		}
		if e.Id.Equal(oidHidden) {
			t.Error("the renamed extension is visible")
		}
	}
	if sanIDs != 1 {
		t.Errorf("%d subjectAltName extensions", sanIDs)
	}
}

// A critical subjectAltName (empty subject) with Latin-1 bytes, an e-mail
// and an IP beside the name: every name as crypto/x509 would give it, no
// unhandled critical extension, the certificate's bytes and signature.
func TestNonASCIISubjectAltNameSynthetic(t *testing.T) {
	m := newMaterial(t)
	caTmpl := template(8, "Test CA", true)
	ca, err := x509.ParseCertificate(mustCreate(t, caTmpl, caTmpl, &m.ecKey.PublicKey, m.ecKey))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := template(9, "", false)
	tmpl.Subject = pkix.Name{}
	tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Critical: true,
		Value: sanValue(2, "b\xfccher.example.com", 2, "plain.example.com", 1, "jo\xe9@example.com", 7, "\x0a\x00\x00\x01")}}
	der := mustCreate(t, tmpl, ca, &m.rsaKey.PublicKey, m.ecKey)
	if _, err := x509.ParseCertificate(der); err == nil {
		t.Fatal("crypto/x509 reads it: the test tests nothing")
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Raw, der) || !bytes.Contains(der, c.RawTBSCertificate) || len(c.UnhandledCriticalExtensions) != 0 {
		t.Errorf("raw %v, unhandled %v", bytes.Equal(c.Raw, der), c.UnhandledCriticalExtensions)
	}
	if !slices.Equal(c.DNSNames, []string{"b\xfccher.example.com", "plain.example.com"}) || !slices.Equal(c.EmailAddresses, []string{"jo\xe9@example.com"}) ||
		len(c.IPAddresses) != 1 || c.IPAddresses[0].String() != "10.0.0.1" {
		t.Errorf("names %q %q %v", c.DNSNames, c.EmailAddresses, c.IPAddresses)
	}
	if got := MalformedNames(c); len(got) != 2 || got[0].Type != "dNSName" || got[1].Type != "rfc822Name" {
		t.Errorf("MalformedNames %+v", got)
	}
	if err := c.CheckSignatureFrom(ca); err != nil {
		t.Errorf("signature: %v", err)
	}
}

// Certificates crypto/x509 refuses for other reasons stay refused, in
// words.
func TestParseCertificateRefusals(t *testing.T) {
	m := newMaterial(t)
	for name, der := range map[string][]byte{
		"truncated": m.leaf[:len(m.leaf)/2],
		"garbage":   {0x30, 0x03, 0x02, 0x01, 0x01},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCertificate(der)
			if !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), "not a valid X.509 certificate") || fixtures.LibraryText(err, nil) != "" {
				t.Fatalf("got %v", err)
			}
		})
	}
	if MalformedNames(nil) != nil {
		t.Error("MalformedNames(nil)")
	}
}

// A certificate crypto/x509 refuses for a part uccert does not rely on —
// a BIT STRING in its name (x500UniqueIdentifier, as in pyca's
// scottishpower-bitstring-dn.pem), a malformed CRL distribution point —
// is read as OpenSSL and keytool read it, with its own bytes: its
// fingerprint, DN and signature are unchanged.
func TestParseTolerant(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject: pkix.Name{CommonName: "odd.uc.example.com", ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 45}, Value: asn1.BitString{Bytes: []byte{0xAB, 0xCD}, BitLength: 16}},
		}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames:        []string{"odd.uc.example.com"},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 31}, Value: []byte{0x30, 0x03, 0x02, 0x01}}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseCertificate(der); err == nil {
		t.Fatal("crypto/x509 reads the test certificate: it tests nothing")
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Raw, der) || Fingerprint(c) != Fingerprint(&x509.Certificate{Raw: der}) {
		t.Error("not the certificate's own bytes")
	}
	if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		t.Errorf("signature: %v", err)
	}
	if dn := SubjectDN(c); !strings.Contains(dn, "x500UniqueIdentifier=#0303") || !strings.Contains(dn, "CN=odd.uc.example.com") {
		t.Errorf("DN %q", dn)
	}
	if len(c.DNSNames) != 1 || c.DNSNames[0] != "odd.uc.example.com" {
		t.Errorf("DNS names %q", c.DNSNames)
	}
	found := false
	for _, e := range c.Extensions {
		found = found || e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 31})
	}
	if !found || len(c.CRLDistributionPoints) != 0 || len(c.UnhandledCriticalExtensions) != 0 {
		t.Errorf("extensions %v, CRL DPs %v, unhandled %v", c.Extensions, c.CRLDistributionPoints, c.UnhandledCriticalExtensions)
	}
	// Truncated or garbage input is still refused, quickly.
	for _, bad := range [][]byte{der[:len(der)/2], append([]byte{0x30, 0x03}, 1, 2, 3)} {
		if _, err := ParseCertificate(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%x…: %v", bad[:4], err)
		}
	}
}
