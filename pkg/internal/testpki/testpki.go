// Package testpki makes throw-away keys and certificates for tests that
// need a name, a validity or a count of their own choosing, where a
// fixture made by openssl or keytool (fixtures/) would not do: benchmarks
// of many Front Ends, renewals, look-alike names. It is a test helper: only
// _test.go files import it.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/fixtures"
)

// Spec describes a certificate. Zero fields take the defaults named.
type Spec struct {
	CN  string   // subject CN (and the only subject attribute unless Org)
	Org []string // subject O
	DNS []string // SAN dNSNames
	IPs []net.IP // SAN iPAddresses
	// SubjectKeyID is the subject key identifier (nil: Go's, from the key,
	// for a CA).
	SubjectKeyID []byte
	// Serial is the serial number (0: 1).
	Serial int64
	// NotBefore and NotAfter bound the validity (zero: an hour ago, a year
	// from now).
	NotBefore, NotAfter time.Time
	// Key is the certificate's key (nil: a new EC P-256 key).
	Key crypto.Signer
	// CA makes a CA certificate (basic constraints, keyCertSign, cRLSign);
	// otherwise a TLS server and client certificate (digitalSignature,
	// keyEncipherment for RSA; EKU serverAuth and clientAuth).
	CA bool
}

// Cert is a certificate and its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// SelfSigned makes a self-signed certificate of spec.
func SelfSigned(tb testing.TB, spec Spec) Cert {
	tb.Helper()
	return issue(tb, spec, nil)
}

// Issue makes a certificate of spec issued by ca.
func (ca Cert) Issue(tb testing.TB, spec Spec) Cert {
	tb.Helper()
	return issue(tb, spec, &ca)
}

func issue(tb testing.TB, spec Spec, ca *Cert) Cert {
	tb.Helper()
	key := spec.Key
	if key == nil {
		key = ECKey(tb)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(max(spec.Serial, 1)),
		Subject:      pkix.Name{CommonName: spec.CN, Organization: spec.Org},
		DNSNames:     spec.DNS,
		IPAddresses:  spec.IPs,
		SubjectKeyId: spec.SubjectKeyID,
		NotBefore:    spec.NotBefore,
		NotAfter:     spec.NotAfter,
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = now.Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = now.AddDate(1, 0, 0)
	}
	if spec.CA {
		tmpl.BasicConstraintsValid, tmpl.IsCA = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		if _, ok := key.Public().(*rsa.PublicKey); ok {
			tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.Cert, ca.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return Cert{Cert: c, Key: key}
}

// ECKey returns a new EC P-256 key.
func ECKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// RSAKey returns a new RSA key of bits.
func RSAKey(tb testing.TB, bits int) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// FixtureCA is a CA that openssl made (fixtures/pki/NAME.pem and
// NAME.key.pem, a PKCS#8 key), for tests that have a real CA sign what
// uccert asked for.
func FixtureCA(tb testing.TB, name string) Cert {
	tb.Helper()
	read := func(file string) []byte {
		data, err := os.ReadFile(fixtures.Path("pki/" + file))
		if err != nil {
			tb.Fatal(err)
		}
		block, _ := pem.Decode(data)
		if block == nil {
			tb.Fatalf("fixtures/pki/%s: no PEM block", file)
		}
		return block.Bytes
	}
	c, err := x509.ParseCertificate(read(name + ".pem"))
	if err != nil {
		tb.Fatal(err)
	}
	key, err := x509.ParsePKCS8PrivateKey(read(name + ".key.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	return Cert{Cert: c, Key: key.(crypto.Signer)}
}

// SignCSR issues the certificate csr asks for, as a CA that copies the
// request's subject and extensions does (AD CS with a template that
// takes them from the request), with the serial and validity given.
func (ca Cert) SignCSR(tb testing.TB, csr *x509.CertificateRequest, serial int64, notBefore, notAfter time.Time) *x509.Certificate {
	tb.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), RawSubject: csr.RawSubject,
		NotBefore: notBefore, NotAfter: notAfter, ExtraExtensions: csr.Extensions}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, csr.PublicKey, ca.Key)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
