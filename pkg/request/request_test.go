package request

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
)

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// parseCSR decodes the PEM request and checks its self-signature.
func parseCSR(t *testing.T, data []byte) *x509.CertificateRequest {
	t.Helper()
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE REQUEST" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("not one PEM CERTIFICATE REQUEST:\n%s", data)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatalf("request signature: %v", err)
	}
	return csr
}

// requested returns the extensions of the request's extensionRequest
// attribute by OID.
func requested(csr *x509.CertificateRequest) map[string]pkix.Extension {
	m := map[string]pkix.Extension{}
	for _, e := range csr.Extensions {
		m[e.Id.String()] = e
	}
	return m
}

func TestGenerate(t *testing.T) {
	cases := []struct {
		name     string
		opts     Options
		subject  string
		dns      []string
		keyDesc  string
		sigAlg   x509.SignatureAlgorithm
		keyUsage x509.KeyUsage
	}{
		{"default", Options{Host: "UCC.uc.example.com."},
			"CN=ucc.uc.example.com", []string{"ucc.uc.example.com"}, "RSA 2048", x509.SHA256WithRSA,
			x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
		{"more names, duplicates once", Options{Host: "ucc.uc.example.com", DNSNames: []string{"ucc-pool.uc.example.com", "UCC.uc.example.com", "ucc-pool.uc.example.com"}},
			"CN=ucc.uc.example.com", []string{"ucc.uc.example.com", "ucc-pool.uc.example.com"}, "RSA 2048", x509.SHA256WithRSA,
			x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
		{"ec-p256 with a subject", Options{Host: "ucc.uc.example.com", KeyType: ECP256, Subject: "CN=ucc.uc.example.com, OU=UC, O=UC Example, C=us"},
			"CN=ucc.uc.example.com,OU=UC,O=UC Example,C=US", []string{"ucc.uc.example.com"}, "EC P-256", x509.ECDSAWithSHA256,
			x509.KeyUsageDigitalSignature},
		{"rsa3072, OpenSSL form", Options{Host: "ucc.uc.example.com", KeyType: RSA3072, Subject: "/DC=com/DC=example/CN=UCC 01"},
			"CN=UCC 01,DC=example,DC=com", []string{"ucc.uc.example.com"}, "RSA 3072", x509.SHA256WithRSA,
			x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Now = now
			r, err := Generate(c.opts)
			if err != nil {
				t.Fatal(err)
			}
			csr := parseCSR(t, r.CSR)
			if got := certfile.DN(csr.RawSubject); got != c.subject || r.Subject != c.subject {
				t.Errorf("subject %q (Request.Subject %q), want %q", got, r.Subject, c.subject)
			}
			if !reflect.DeepEqual(csr.DNSNames, c.dns) || !reflect.DeepEqual(r.DNSNames, c.dns) {
				t.Errorf("DNS names %v (Request %v), want %v", csr.DNSNames, r.DNSNames, c.dns)
			}
			if len(csr.IPAddresses)+len(csr.EmailAddresses)+len(csr.URIs) != 0 {
				t.Errorf("other names requested: %v %v %v", csr.IPAddresses, csr.EmailAddresses, csr.URIs)
			}
			if csr.SignatureAlgorithm != c.sigAlg {
				t.Errorf("signature %v, want %v", csr.SignatureAlgorithm, c.sigAlg)
			}
			if got := keystore.PublicKeyDescription(csr.PublicKey); got != c.keyDesc {
				t.Errorf("key %s, want %s", got, c.keyDesc)
			}
			if !keystore.KeyMatchesCert(r.Key, &x509.Certificate{PublicKey: csr.PublicKey}) {
				t.Error("the request is not for Request.Key")
			}
			ext := requested(csr)
			if len(ext) != 3 {
				t.Errorf("requested extensions %v, want SAN, key usage, EKU", ext)
			}
			// The extensions as a CA copies them into a certificate.
			cert := issue(t, csr)
			if cert.KeyUsage != c.keyUsage || !ext["2.5.29.15"].Critical {
				t.Errorf("key usage %b (critical %v), want %b", cert.KeyUsage, ext["2.5.29.15"].Critical, c.keyUsage)
			}
			if want := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}; !reflect.DeepEqual(cert.ExtKeyUsage, want) || ext["2.5.29.37"].Critical {
				t.Errorf("EKU %v (critical %v), want %v", cert.ExtKeyUsage, ext["2.5.29.37"].Critical, want)
			}
			for _, n := range c.dns {
				if hostname.Match(cert, n) != hostname.MatchSAN {
					t.Errorf("issued certificate does not serve %s by its SAN", n)
				}
			}

			p := r.Placeholder
			if !bytes.Equal(p.RawSubject, csr.RawSubject) || !bytes.Equal(p.RawIssuer, p.RawSubject) {
				t.Errorf("placeholder subject %s issuer %s, want the request's subject, self-issued", certfile.SubjectDN(p), certfile.IssuerDN(p))
			}
			if err := p.CheckSignature(p.SignatureAlgorithm, p.RawTBSCertificate, p.Signature); err != nil {
				t.Errorf("placeholder not self-signed: %v", err)
			}
			if !p.NotBefore.Equal(now) || !p.NotAfter.Equal(now.Add(PlaceholderValidity)) || p.SerialNumber.Sign() <= 0 {
				t.Errorf("placeholder %v → %v serial %v", p.NotBefore, p.NotAfter, p.SerialNumber)
			}
			if len(p.DNSNames) != 0 || len(p.ExtKeyUsage) != 0 || p.IsCA {
				t.Errorf("the placeholder claims names %v, purposes %v or CA %v: it must serve nothing", p.DNSNames, p.ExtKeyUsage, p.IsCA)
			}

			s := r.PendingStore()
			if s.Format != keystore.FormatPKCS12 || len(s.Entries) != 1 {
				t.Fatalf("pending store %+v", s)
			}
			e := s.Entries[0]
			if e.Alias != "pending: "+c.dns[0] || e.Usable() != nil || !IsPending(e) || PendingName(e) != c.dns[0] {
				t.Errorf("pending entry %q usable %v pending %v name %q", e.Alias, e.Usable(), IsPending(e), PendingName(e))
			}
		})
	}
}

// issue has the fixtures' issuing CA sign csr, copying the extensions it
// asks for.
func issue(t *testing.T, csr *x509.CertificateRequest) *x509.Certificate {
	t.Helper()
	return testpki.FixtureCA(t, "issuing").SignCSR(t, csr, 0x4242, now, now.Add(365*24*time.Hour))
}

func fixturePath(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "fixtures"}, parts...)...)
}

func TestGenerateRefuses(t *testing.T) {
	long := strings.Repeat("a", 60) + ".uc.example.com"
	cases := []struct {
		name string
		opts Options
		want error
	}{
		{"no host", Options{}, ErrHost},
		{"single label", Options{Host: "ucc01"}, hostname.ErrNotFQDN},
		{"IP address", Options{Host: "192.0.2.1"}, hostname.ErrNotFQDN},
		{"wildcard", Options{Host: "*.uc.example.com"}, hostname.ErrInvalid},
		{"bad DNS name", Options{Host: "ucc.uc.example.com", DNSNames: []string{"ucc"}}, ErrHost},
		{"FQDN too long for a CN", Options{Host: long}, ErrSubject},
		{"subject without CN", Options{Host: "ucc.uc.example.com", Subject: "O=UC Example"}, ErrSubject},
		{"bad key type", Options{Host: "ucc.uc.example.com", KeyType: KeyType(7)}, ErrKeyType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Generate(c.opts)
			if !errors.Is(err, c.want) || r != nil {
				t.Fatalf("%v (%v), want %v", err, r, c.want)
			}
		})
	}
	// A long FQDN works with a subject that has a shorter CN: the SAN
	// carries it.
	r, err := Generate(Options{Host: long, Subject: "CN=ucc01", KeyType: ECP256})
	if err != nil || r.DNSNames[0] != long {
		t.Fatalf("%v %v", r, err)
	}
}

func TestParseKeyType(t *testing.T) {
	for _, c := range []struct {
		in   string
		want KeyType
	}{{"rsa2048", RSA2048}, {"RSA3072", RSA3072}, {" ec-p256 ", ECP256}} {
		if got, err := ParseKeyType(c.in); err != nil || got != c.want || got.String() != strings.ToLower(strings.TrimSpace(c.in)) {
			t.Errorf("ParseKeyType(%q) = %v, %v", c.in, got, err)
		}
	}
	for _, bad := range []string{"", "rsa1024", "ec", "ed25519"} {
		if _, err := ParseKeyType(bad); !errors.Is(err, ErrKeyType) {
			t.Errorf("ParseKeyType(%q): %v", bad, err)
		}
	}
}

func TestIsPending(t *testing.T) {
	r, err := Generate(Options{Host: "ucc.uc.example.com", KeyType: ECP256, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	pending := r.PendingStore().Entries[0]
	csr := parseCSR(t, r.CSR)
	issued := issue(t, csr)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherSelf := selfSigned(t, other, csr.RawSubject)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	with := func(f func(e *keystore.Entry)) *keystore.Entry {
		e := *pending
		f(&e)
		return &e
	}
	cases := []struct {
		name string
		e    *keystore.Entry
		want bool
	}{
		{"the pending entry", pending, true},
		{"marker in upper case", with(func(e *keystore.Entry) { e.Alias = "PENDING: UCC.UC.EXAMPLE.COM" }), true},
		{"no marker", with(func(e *keystore.Entry) { e.Alias = "ucc.uc.example.com" }), false},
		{"no alias", with(func(e *keystore.Entry) { e.Alias = "" }), false},
		{"marker, the CA's certificate (keytool -importcert of the reply)", with(func(e *keystore.Entry) { e.Chain = []*x509.Certificate{issued} }), false},
		{"marker, self-signed by another key", with(func(e *keystore.Entry) { e.Chain = []*x509.Certificate{otherSelf} }), false},
		{"marker, a different key", with(func(e *keystore.Entry) { e.Key = rsaKey }), false},
		{"marker, no key", with(func(e *keystore.Entry) { e.Key = nil }), false},
		{"marker, no certificate", with(func(e *keystore.Entry) { e.Chain = nil }), false},
		{"marker, nil certificate", with(func(e *keystore.Entry) { e.Chain = []*x509.Certificate{nil} }), false},
		{"trusted entry", with(func(e *keystore.Entry) { e.Kind = keystore.KindTrusted }), false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := IsPending(c.e); got != c.want {
				t.Errorf("IsPending = %v, want %v", got, c.want)
			}
			if name := PendingName(c.e); (name != "") != c.want {
				t.Errorf("PendingName = %q", name)
			}
		})
	}
}

func selfSigned(t *testing.T, key *ecdsa.PrivateKey, rawSubject []byte) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), RawSubject: rawSubject, NotBefore: now, NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The randomness of Options.Rand decides the placeholder's serial.
func TestGenerateRand(t *testing.T) {
	zero := bytes.NewReader(make([]byte, 1<<16))
	r, err := Generate(Options{Host: "ucc.uc.example.com", KeyType: ECP256, Rand: zero, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if r.Placeholder.SerialNumber.Cmp(big.NewInt(1)) != 0 {
		t.Errorf("serial %v from an all-zero source, want 1 (positive)", r.Placeholder.SerialNumber)
	}
	if _, err := Generate(Options{Host: "ucc.uc.example.com", KeyType: ECP256, Rand: bytes.NewReader(nil)}); err == nil {
		t.Error("no error from an empty random source")
	}
}

// keyUsageBits decodes a key usage extension value.
func keyUsageBits(t *testing.T, v []byte) asn1.BitString {
	t.Helper()
	var b asn1.BitString
	if _, err := asn1.Unmarshal(v, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// The key usage is DER: no trailing zero bits (a strict CA refuses
// others).
func TestKeyUsageDER(t *testing.T) {
	for _, kt := range []KeyType{RSA2048, ECP256} {
		r, err := Generate(Options{Host: "ucc.uc.example.com", KeyType: kt})
		if err != nil {
			t.Fatal(err)
		}
		b := keyUsageBits(t, requested(parseCSR(t, r.CSR))["2.5.29.15"].Value)
		if b.At(b.BitLength-1) != 1 {
			t.Errorf("%v: key usage %x/%d ends in a zero bit", kt, b.Bytes, b.BitLength)
		}
	}
}
