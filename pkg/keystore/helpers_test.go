package keystore

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

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
)

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() { pkiVal = buildPKI(t, 24) })
	if pkiVal == nil {
		t.Fatal("the test PKI could not be made")
	}
	return pkiVal
}

func buildPKI(t testing.TB, n int) *testPKI {
	nb, na := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
	org := []string{"UC Example"}
	root := testpki.SelfSigned(t, testpki.Spec{CN: "Go Test Root CA", Org: org, Serial: 1, NotBefore: nb, NotAfter: na, CA: true})
	issuing := root.Issue(t, testpki.Spec{CN: "Go Test Issuing CA", Org: org, Serial: 2, NotBefore: nb, NotAfter: na, CA: true})
	p := &testPKI{root: root.Cert, issuing: issuing.Cert}
	for i := 0; i < n; i++ {
		var key crypto.Signer = testpki.ECKey(t)
		if i%2 == 0 {
			key = testpki.RSAKey(t, 2048)
		}
		host := fmt.Sprintf("m%02d.uc.example.com", i+1)
		leaf := issuing.Issue(t, testpki.Spec{CN: host, DNS: []string{host}, Serial: int64(100 + i), NotBefore: nb, NotAfter: na, Key: key})
		p.leaves = append(p.leaves, &Entry{Alias: host, Kind: KindKey, Key: key, Chain: []*x509.Certificate{leaf.Cert, issuing.Cert, root.Cert}})
	}
	return p
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
