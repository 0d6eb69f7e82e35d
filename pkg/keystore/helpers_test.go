package keystore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/secret"
)

// testPKI is a root → issuing CA → leaves hierarchy made in Go, shared by
// the tests of this package (key generation is the slow part).
type testPKI struct {
	root, issuing *x509.Certificate
	leaves        []*Entry // alternating RSA 2048 and EC P-256, chain of 3
}

var (
	pkiOnce sync.Once
	pkiVal  *testPKI
	pkiErr  error
)

func newCert(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() { pkiVal, pkiErr = buildPKI(24) })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiVal
}

func buildPKI(n int) (*testPKI, error) {
	nb, na := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := func(cn string, serial int64) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"UC Example"}},
			NotBefore: nb, NotAfter: na, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	root, err := newCert(caTmpl("Go Test Root CA", 1), caTmpl("Go Test Root CA", 1), rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	issKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	issuing, err := newCert(caTmpl("Go Test Issuing CA", 2), root, issKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	p := &testPKI{root: root, issuing: issuing}
	for i := 0; i < n; i++ {
		var key crypto.Signer
		if i%2 == 0 {
			key, err = rsa.GenerateKey(rand.Reader, 2048)
		} else {
			key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		}
		if err != nil {
			return nil, err
		}
		host := fmt.Sprintf("m%02d.uc.example.com", i+1)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(100 + i)), Subject: pkix.Name{CommonName: host},
			DNSNames: []string{host}, NotBefore: nb, NotAfter: na,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			KeyUsage:    x509.KeyUsageDigitalSignature}
		leaf, err := newCert(tmpl, issuing, key.Public(), issKey)
		if err != nil {
			return nil, err
		}
		p.leaves = append(p.leaves, &Entry{Alias: host, Kind: KindKey, Key: key, Chain: []*x509.Certificate{leaf, issuing, root}})
	}
	return p, nil
}

// store returns a Store with the first n leaves and, optionally, the root
// as a trusted entry.
func (p *testPKI) store(n int, trusted bool) *Store {
	s := &Store{}
	for _, e := range p.leaves[:n] {
		c := *e
		s.Entries = append(s.Entries, &c)
	}
	if trusted {
		s.Entries = append(s.Entries, &Entry{Alias: "ucc-cert", Kind: KindTrusted, Chain: []*x509.Certificate{p.root}})
	}
	return s
}

// pw makes a secret.Password for tests.
func secretPW(s string) secret.Password { return secret.NewPassword(s) }
