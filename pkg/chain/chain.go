// Package chain builds certificate chains the way Java and OpenSSL link
// them, for every part of uccert that needs one: completing a key entry's
// chain from the certificates of its file (package keystore and merge),
// judging whether a chain leads to the trust store (package preflight),
// and completing the chain a TLS peer is sent (package tlsconf).
//
// Issuers are found by name: a candidate's subject must be the
// certificate's issuer, and when both carry key identifiers, the
// candidate's subject key identifier must be the certificate's authority
// key identifier. Among several candidates, or always with
// [Options.Verify], the candidate's signature on the certificate decides,
// and among several that verify (or none) the one valid longest, then the
// one first by its bytes: never the order of a file (anchors come first);
// SHA-1 signatures are checked too (Go refuses them, Java accepts them from
// a private CA; package preflight reports them as weak).
//
// The work is bounded: a chain has at most [MaxLength] certificates, and
// each [Build] checks at most [MaxSignatureChecks] signatures (as Go's own
// verifier does); a [Budget] shared by the chains of one file bounds the
// file as a whole. So a file of thousands of look-alike CA certificates
// costs milliseconds, not minutes.
//
// The package prints nothing and keeps no state.
package chain

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"slices"
)

// MaxLength is the longest chain Build returns.
const MaxLength = 16

// MaxSignatureChecks bounds the signature checks of one Build.
const MaxSignatureChecks = 100

// Pool is a set of certificates indexed by subject, for issuer lookup.
// The zero Pool is empty. A Pool is not safe for concurrent Add.
type Pool struct {
	bySubject map[string][]*x509.Certificate
	seen      map[string]bool
	n         int
}

// NewPool returns a Pool holding certs (each distinct certificate once;
// nil ones are ignored).
func NewPool(certs ...*x509.Certificate) *Pool {
	p := &Pool{}
	p.Add(certs...)
	return p
}

// Add adds certs to p (each distinct certificate once; nil ones are
// ignored).
func (p *Pool) Add(certs ...*x509.Certificate) {
	if p.bySubject == nil {
		p.bySubject = map[string][]*x509.Certificate{}
		p.seen = map[string]bool{}
	}
	for _, c := range certs {
		if c == nil || p.seen[string(c.Raw)] {
			continue
		}
		p.seen[string(c.Raw)] = true
		p.bySubject[string(c.RawSubject)] = append(p.bySubject[string(c.RawSubject)], c)
		p.n++
	}
}

// Len returns the number of certificates in p.
func (p *Pool) Len() int {
	if p == nil {
		return 0
	}
	return p.n
}

// Contains reports whether p holds c.
func (p *Pool) Contains(c *x509.Certificate) bool {
	return p != nil && c != nil && p.seen[string(c.Raw)]
}

// named returns the certificates of p whose subject is c's issuer.
func (p *Pool) named(c *x509.Certificate) []*x509.Certificate {
	if p == nil {
		return nil
	}
	return p.bySubject[string(c.RawIssuer)]
}

// Budget bounds the signature checks of several Builds (the chains of one
// file). The zero Budget is unlimited; NewBudget sets a limit. A Budget is
// not safe for concurrent use.
type Budget struct {
	left    int
	limited bool
}

// NewBudget returns a Budget of n signature checks.
func NewBudget(n int) *Budget { return &Budget{left: n, limited: true} }

// take spends one check; false when none is left.
func (b *Budget) take() bool {
	if b == nil || !b.limited {
		return true
	}
	if b.left <= 0 {
		return false
	}
	b.left--
	return true
}

// Options tune Build.
type Options struct {
	// Pool holds the certificates a chain may use (the file's, the
	// store's).
	Pool *Pool
	// Anchors are trusted certificates: Build stops at the first one it
	// reaches, and looks for issuers among them first.
	Anchors *Pool
	// Verify requires every link to be proven: the issuer is a CA
	// certificate and its signature verifies. Without it, a link by name
	// (and key identifier) is enough and signatures only break ties.
	Verify bool
	// Budget, when set, is charged for every signature check too.
	Budget *Budget
}

// Result is a chain and how it ends.
type Result struct {
	// Chain starts with the leaf.
	Chain []*x509.Certificate
	// Anchored: the last certificate is one of Options.Anchors.
	Anchored bool
	// Problem says why the chain stops short of a self-issued
	// certificate or an anchor (nil when it does not): see the Err*
	// sentinels; a *LinkError names the certificates concerned.
	Problem error
}

// Errors of Result.Problem.
var (
	// ErrNoIssuer: no certificate of the pool or anchors has the issuer's
	// name (or its key identifier).
	ErrNoIssuer = errors.New("issuer not found")
	// ErrNotCA: the only certificates with the issuer's name are not CA
	// certificates (Verify).
	ErrNotCA = errors.New("issuer is not a CA certificate")
	// ErrBadSignature: certificates with the issuer's name exist, but the
	// signature verifies with none of their keys.
	ErrBadSignature = errors.New("signature does not verify with the issuer's key")
	// ErrTooLong: the chain reached MaxLength.
	ErrTooLong = errors.New("chain longer than 16 certificates")
	// ErrBudget: the signature check limit was reached.
	ErrBudget = errors.New("too many candidate issuers (signature check limit reached)")
)

// LinkError is a link that could not be made: Cert is the certificate
// whose issuer was looked for, Candidate the issuer-named certificate
// concerned (for ErrNotCA), and Err one of the sentinels above.
type LinkError struct {
	Cert, Candidate *x509.Certificate
	Err             error
}

func (e *LinkError) Error() string { return e.Err.Error() }

// Unwrap returns the sentinel.
func (e *LinkError) Unwrap() error { return e.Err }

// Build follows issuers from leaf (see the package documentation). It
// stops at a self-issued certificate, at an anchor, or when no issuer is
// found (Result.Problem says why).
func Build(leaf *x509.Certificate, opts Options) Result {
	res := Result{}
	if leaf == nil {
		res.Problem = ErrNoIssuer
		return res
	}
	res.Chain = []*x509.Certificate{leaf}
	used := map[*x509.Certificate]bool{leaf: true}
	checks := 0
	sign := func(c, p *x509.Certificate) (ok, spent bool) {
		if checks >= MaxSignatureChecks || !opts.Budget.take() {
			return false, false
		}
		checks++
		return signedBy(c, p), true
	}
	cur := leaf
	for {
		if opts.Anchors.Contains(cur) {
			res.Anchored = true
			return res
		}
		if SelfIssued(cur) {
			return res
		}
		if len(res.Chain) == MaxLength {
			res.Problem = &LinkError{Cert: cur, Err: ErrTooLong}
			return res
		}
		next, err := issuer(cur, opts, used, sign)
		if err != nil {
			res.Problem = err
			return res
		}
		res.Chain = append(res.Chain, next)
		used[next] = true
		cur = next
	}
}

// issuer picks the issuer of c from the anchors, then the pool.
func issuer(c *x509.Certificate, opts Options, used map[*x509.Certificate]bool, sign func(c, p *x509.Certificate) (bool, bool)) (*x509.Certificate, error) {
	var cands []*x509.Certificate
	var notCA *x509.Certificate
	for _, pool := range []*Pool{opts.Anchors, opts.Pool} {
		n := len(cands)
		for _, p := range pool.named(c) {
			if used[p] || bytes.Equal(p.Raw, c.Raw) || !keyIDMatches(c, p) {
				continue
			}
			if opts.Verify && (!p.BasicConstraintsValid || !p.IsCA) {
				notCA = p
				continue
			}
			cands = append(cands, p)
		}
		slices.SortFunc(cands[n:], preferred)
	}
	if len(cands) == 0 {
		if notCA != nil {
			return nil, &LinkError{Cert: c, Candidate: notCA, Err: ErrNotCA}
		}
		return nil, &LinkError{Cert: c, Err: ErrNoIssuer}
	}
	if len(cands) == 1 && !opts.Verify {
		return cands[0], nil
	}
	exhausted := false
	for _, p := range cands {
		ok, spent := sign(c, p)
		if !spent {
			exhausted = true
			break
		}
		if ok {
			return p, nil
		}
	}
	switch {
	case exhausted:
		return nil, &LinkError{Cert: c, Err: ErrBudget}
	case opts.Verify:
		return nil, &LinkError{Cert: c, Candidate: cands[0], Err: ErrBadSignature}
	}
	return cands[0], nil // linked by name: the best a file without keys to check can do
}

// preferred orders the candidates of one pool: the one valid longest first
// (a CA certificate renewed with the same key outlives the old one), then by
// their bytes, so that the issuer picked does not depend on the order of a
// file's certificates (which rewriting a store changes).
func preferred(a, b *x509.Certificate) int {
	if c := b.NotAfter.Compare(a.NotAfter); c != 0 {
		return c
	}
	return bytes.Compare(a.Raw, b.Raw)
}

// keyIDMatches reports whether p may be c's issuer by key identifier:
// true unless both carry one and they differ.
func keyIDMatches(c, p *x509.Certificate) bool {
	return len(c.AuthorityKeyId) == 0 || len(p.SubjectKeyId) == 0 || bytes.Equal(c.AuthorityKeyId, p.SubjectKeyId)
}

// SelfIssued reports whether c's subject is its issuer (a root, or a
// self-signed leaf).
func SelfIssued(c *x509.Certificate) bool {
	return c != nil && bytes.Equal(c.RawSubject, c.RawIssuer)
}

// signedBy reports whether parent's key verifies c's signature. SHA-1
// signatures, which Go's CheckSignatureFrom refuses, are checked too.
func signedBy(c, parent *x509.Certificate) bool {
	if c == nil || parent == nil {
		return false
	}
	err := c.CheckSignatureFrom(parent)
	if err == nil {
		return true
	}
	var insecure x509.InsecureAlgorithmError
	if !errors.As(err, &insecure) {
		return false
	}
	sum := sha1.Sum(c.RawTBSCertificate)
	switch pub := parent.PublicKey.(type) {
	case *rsa.PublicKey:
		return c.SignatureAlgorithm == x509.SHA1WithRSA && rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], c.Signature) == nil
	case *ecdsa.PublicKey:
		return c.SignatureAlgorithm == x509.ECDSAWithSHA1 && ecdsa.VerifyASN1(pub, sum[:], c.Signature)
	}
	return false
}
