package chain

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"
)

func pemCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../fixtures/pki", name))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Chains made by openssl: completed from a pool, stopped at the root or
// at an anchor, and refused with the reason when a link cannot be proven.
func TestBuild(t *testing.T) {
	root, issuing, fe1 := pemCert(t, "root.pem"), pemCert(t, "issuing.pem"), pemCert(t, "fe1.pem")
	otherRoot, otherLeaf := pemCert(t, "other-root.pem"), pemCert(t, "other-leaf.pem")
	sha1 := pemCert(t, "sha1.pem")

	res := Build(fe1, Options{Pool: NewPool(root, otherRoot, issuing)})
	if len(res.Chain) != 3 || res.Chain[1] != issuing || res.Chain[2] != root || res.Anchored || res.Problem != nil {
		t.Fatalf("completed chain: %d certificates, anchored %v, problem %v", len(res.Chain), res.Anchored, res.Problem)
	}
	res = Build(fe1, Options{Pool: NewPool(issuing), Anchors: NewPool(root), Verify: true})
	if len(res.Chain) != 3 || !res.Anchored {
		t.Fatalf("verified chain: %d, anchored %v, problem %v", len(res.Chain), res.Anchored, res.Problem)
	}
	res = Build(fe1, Options{Anchors: NewPool(issuing), Verify: true})
	if len(res.Chain) != 2 || !res.Anchored {
		t.Fatalf("intermediate anchor: %d, anchored %v", len(res.Chain), res.Anchored)
	}
	res = Build(fe1, Options{Anchors: NewPool(otherRoot), Verify: true})
	var le *LinkError
	if res.Anchored || !errors.Is(res.Problem, ErrNoIssuer) || !errors.As(res.Problem, &le) || le.Cert != fe1 {
		t.Fatalf("no issuer: %v", res.Problem)
	}
	// The other root's leaf, with our issuing CA of another name: no
	// link; with a leaf posing as the issuing CA: not a CA.
	if res = Build(otherLeaf, Options{Anchors: NewPool(root), Pool: NewPool(issuing), Verify: true}); res.Anchored {
		t.Fatal("other CA's leaf anchored at our root")
	}
	// SHA-1 signatures link (Go refuses them; Java accepts them).
	if res = Build(sha1, Options{Pool: NewPool(issuing), Anchors: NewPool(root), Verify: true}); !res.Anchored {
		t.Fatalf("SHA-1 chain: %v", res.Problem)
	}
	if !signedBy(sha1, issuing) || signedBy(sha1, root) || signedBy(nil, root) {
		t.Error("signedBy")
	}
	if !SelfIssued(root) || SelfIssued(fe1) || SelfIssued(nil) {
		t.Error("SelfIssued")
	}
	if res = Build(nil, Options{}); res.Problem == nil || res.Chain != nil {
		t.Error("nil leaf")
	}
}

// lookAlike makes n CA certificates named A issued by B (and B by A),
// none with an authority key identifier, all signed by one key, and a
// leaf issued by A under another key: every link by name is a candidate,
// only a signature check can refute it, and none proves it.
func lookAlike(t testing.TB, n int) (leaf *x509.Certificate, pool []*x509.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(serial int64, subject, issuer string) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: subject},
			NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		parent := &x509.Certificate{Subject: pkix.Name{CommonName: issuer}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		a, b := "Look-alike CA A", "Look-alike CA B"
		if i%2 == 1 {
			a, b = b, a
		}
		pool = append(pool, mk(int64(i+2), a, b))
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, &x509.Certificate{Subject: pkix.Name{CommonName: "Look-alike CA A"}}, &other.PublicKey, other)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(der)
	return leaf, pool
}

// Thousands of look-alike CA certificates cost at most MaxSignatureChecks
// signature checks per Build, and a Budget bounds several Builds.
func TestBuildBoundsSignatureChecks(t *testing.T) {
	leaf, certs := lookAlike(t, 1200)
	pool := NewPool(certs...)
	b := NewBudget(1000)
	res := Build(leaf, Options{Pool: pool, Budget: b})
	if !errors.Is(res.Problem, ErrBudget) || len(res.Chain) != 1 {
		t.Fatalf("chain of %d, problem %v", len(res.Chain), res.Problem)
	}
	if res := Build(leaf, Options{Pool: pool, Verify: true}); !errors.Is(res.Problem, ErrBudget) {
		t.Fatalf("verify: %v", res.Problem)
	}
	if spent := 1000 - b.left; spent != MaxSignatureChecks {
		t.Fatalf("spent %d signature checks, want %d", spent, MaxSignatureChecks)
	}
	for range 20 {
		Build(leaf, Options{Pool: pool, Budget: b})
	}
	if b.left != 0 {
		t.Fatalf("budget left %d after 21 builds", b.left)
	}
	if res := Build(leaf, Options{Pool: pool, Budget: b}); !errors.Is(res.Problem, ErrBudget) {
		t.Fatalf("exhausted budget: %v", res.Problem)
	}
}

func TestPool(t *testing.T) {
	root := pemCert(t, "root.pem")
	var p *Pool
	if p.Len() != 0 || p.Contains(root) {
		t.Error("nil pool")
	}
	p = NewPool(root, root, nil)
	if p.Len() != 1 || !p.Contains(root) || p.Contains(nil) {
		t.Errorf("pool of %d", p.Len())
	}
}

func BenchmarkBuildLookAlike(b *testing.B) {
	leaf, certs := lookAlike(b, 1200)
	pool := NewPool(certs...)
	b.ResetTimer()
	for range b.N {
		Build(leaf, Options{Pool: pool})
	}
}

// A CA certificate renewed with the same key, beside the old one and a
// look-alike under another key that outlives both: the issuer picked is
// the one whose signature verifies and that is valid longest, whatever the
// order of the certificates (a store rewritten by uccert orders them
// otherwise than the file it read).
func TestBuildPrefersRenewedIssuer(t *testing.T) {
	caKey, otherKey := testpki.ECKey(t), testpki.ECKey(t)
	now := time.Now()
	ca := func(serial int64, years int, key crypto.Signer) testpki.Cert {
		return testpki.SelfSigned(t, testpki.Spec{CN: "UC Renewed CA", SubjectKeyID: []byte{1, 2, 3, 4}, Serial: serial, NotAfter: now.AddDate(years, 0, 0), Key: key, CA: true})
	}
	oldCA, renewedCA, lookalikeCA := ca(1, 1, caKey), ca(2, 5, caKey), ca(3, 10, otherKey)
	old, renewed, lookalike := oldCA.Cert, renewedCA.Cert, lookalikeCA.Cert
	leaf := oldCA.Issue(t, testpki.Spec{CN: "fe1.uc.example.com", Serial: 10, Key: otherKey}).Cert
	for _, order := range [][]*x509.Certificate{{old, renewed, lookalike}, {lookalike, renewed, old}, {renewed, lookalike, old}} {
		for _, verify := range []bool{false, true} {
			res := Build(leaf, Options{Pool: NewPool(order...), Verify: verify})
			if len(res.Chain) != 2 || res.Chain[1] != renewed {
				t.Errorf("verify %v, pool %v: chain %v (problem %v), want the renewed CA", verify, serials(order), serials(res.Chain), res.Problem)
			}
		}
	}
	// Without a renewed one, among two that do not verify, the one valid
	// longest (linked by name).
	unsigned := lookalikeCA.Issue(t, testpki.Spec{CN: "fe2.uc.example.com", Serial: 11, Key: otherKey}).Cert
	for _, order := range [][]*x509.Certificate{{old, renewed}, {renewed, old}} {
		if res := Build(unsigned, Options{Pool: NewPool(order...)}); len(res.Chain) != 2 || res.Chain[1] != renewed {
			t.Errorf("pool %v: chain %v, want the CA valid longest", serials(order), serials(res.Chain))
		}
	}
}

func serials(certs []*x509.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, c.SerialNumber.String())
	}
	return out
}
