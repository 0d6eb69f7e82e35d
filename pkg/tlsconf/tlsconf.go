// Package tlsconf builds a *tls.Config from keystore entries for the UC
// Connector's mutual TLS: every key entry becomes a certificate, the
// server chooses by SNI across RSA and EC entries (where Java's key
// manager picks an EC certificate for an RSA host under TLS 1.3), the
// client presents an entry the server accepts, and the trust store's
// certificates are the roots on both sides.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/chain"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
)

// Sentinel errors.
var (
	// ErrNoKeys: the key store holds no usable key entry.
	ErrNoKeys = errors.New("no usable key entry")
	// ErrNoTrust: the trust store holds no trusted certificate.
	ErrNoTrust = errors.New("no trusted certificate")
	// ErrCannotServe: a configuration without key entries (the
	// connector's tls-kerberos material: a trust store only) was used to
	// accept a TLS connection.
	ErrCannotServe = errors.New("no key entry to serve TLS with")
	// ErrPeerName: the peer's certificate serves none of
	// Options.PeerNames.
	ErrPeerName = errors.New("the peer's certificate names none of the accepted names")
)

// Options tune New.
type Options struct {
	// ClientName, when set, makes the client side prefer the entry that
	// names this host (the connector's own FQDN).
	ClientName string
	// PeerNames, when set, are the names a peer's certificate must serve
	// (hostname.Match), on both sides: the Front End servers and pool
	// whose client certificates the connector accepts, or whose servers
	// it dials. Without them any certificate the trust store verifies is
	// accepted.
	PeerNames []string
	// Now is the clock for choosing among certificates (Choose); time.Now
	// when nil.
	Now func() time.Time
}

// Certificates turns every key entry of s into a tls.Certificate, Leaf
// set. The chain sent is the entry's, completed with intermediate CA
// certificates of trust (nil: none) when the entry lacks them (package
// chain), so that peers that hold only the root still verify it. A key
// entry that keystore.Entry.Usable refuses is an error (wrapping
// ErrNoKeys and the cause): the connector could not use it either —
// except a key whose algorithm TLS cannot use (DSA, GOST R 34.10, ...:
// keystore.ErrKeyAlgorithm), which is left out, as Java's key manager
// never chooses it for TLS 1.3 (preflight reports it as key-weak).
func Certificates(s, trust *keystore.Store) ([]tls.Certificate, error) {
	if s == nil {
		return nil, ErrNoKeys
	}
	intermediates := chain.NewPool()
	if trust != nil {
		for _, e := range trust.Entries {
			if e == nil {
				continue
			}
			if e.Kind == keystore.KindTrusted && e.Leaf() != nil {
				intermediates.Add(e.Leaf())
			}
		}
	}
	var out []tls.Certificate
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
		if e.Kind != keystore.KindKey {
			continue
		}
		if err := e.Usable(); errors.Is(err, keystore.ErrKeyAlgorithm) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("entry %q: %w", e.Alias, errors.Join(ErrNoKeys, err))
		}
		c := tls.Certificate{PrivateKey: e.Key, Leaf: e.Chain[0]}
		for _, ce := range sendChain(e.Chain, intermediates) {
			c.Certificate = append(c.Certificate, ce.Raw)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoKeys
	}
	return out, nil
}

// sendChain is the entry's chain, completed from the trust store's CA
// certificates up to (not including) a self-signed root when it is
// shorter; a peer has its roots.
func sendChain(entryChain []*x509.Certificate, trust *chain.Pool) []*x509.Certificate {
	if trust.Len() == 0 {
		return entryChain
	}
	pool := chain.NewPool(entryChain...)
	full := chain.Build(entryChain[0], chain.Options{Pool: pool, Anchors: trust, Verify: true}).Chain
	if n := len(full); n > 0 && chain.SelfIssued(full[n-1]) && n > 1 {
		full = full[:n-1]
	}
	if len(full) > len(entryChain) {
		return full
	}
	return entryChain
}

// Pool returns the trusted certificates of s (Java's trustedCertEntry);
// none is ErrNoTrust.
func Pool(s *keystore.Store) (*x509.CertPool, error) {
	if s == nil {
		return nil, ErrNoTrust
	}
	pool := x509.NewCertPool()
	n := 0
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
		if e.Kind == keystore.KindTrusted && e.Leaf() != nil {
			pool.AddCert(e.Leaf())
			n++
		}
	}
	if n == 0 {
		return nil, ErrNoTrust
	}
	return pool, nil
}

// New returns a config usable by both a TLS server (GetCertificate by
// SNI, client certificates required and verified against trust) and a
// TLS client (GetClientCertificate, RootCAs). keys may be nil for a
// client without a certificate; trust may be nil to use the system roots.
// Errors wrap ErrNoKeys (Certificates) or ErrNoTrust (Pool).
func New(keys, trust *keystore.Store, opts Options) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if keys != nil {
		certs, err := Certificates(keys, trust)
		if err != nil {
			return nil, err
		}
		leaves := make([]*x509.Certificate, len(certs))
		for i := range certs {
			leaves[i] = certs[i].Leaf
		}
		now := opts.Now
		if now == nil {
			now = time.Now
		}
		ch := &chooser{certs: certs, index: hostname.NewIndex(leaves), clientName: opts.ClientName, now: now}
		cfg.GetCertificate = ch.server
		cfg.GetClientCertificate = ch.client
	} else {
		cfg.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return nil, fmt.Errorf("%w: this configuration holds a trust store only (the connector's tls-kerberos material); it can dial, not listen", ErrCannotServe)
		}
	}
	if names := append([]string(nil), opts.PeerNames...); len(names) > 0 {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return checkPeerName(cs.PeerCertificates, names)
		}
	}
	if trust != nil {
		pool, err := Pool(trust)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs, cfg.ClientCAs = pool, pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

type chooser struct {
	certs      []tls.Certificate
	index      *hostname.Index
	clientName string
	now        func() time.Time
}

// checkPeerName accepts a peer whose certificate serves one of names. A
// peer without a certificate is left to ClientAuth (a server requires
// and verifies one).
func checkPeerName(peer []*x509.Certificate, names []string) error {
	if len(peer) == 0 {
		return nil
	}
	for _, n := range names {
		if hostname.Match(peer[0], n) != hostname.NoMatch {
			return nil
		}
	}
	served := hostname.Names(peer[0])
	if len(served) > 4 {
		served = append(served[:4:4], "…")
	}
	return fmt.Errorf("%w: it is for %s; accepted: %s", ErrPeerName, orNone(strings.Join(served, ", ")), strings.Join(names, ", "))
}

func orNone(s string) string {
	if s == "" {
		return "no DNS name"
	}
	return s
}

// server picks the certificate for a ClientHello: Choose's rule for the
// SNI among the certificates the client supports (signature schemes,
// curves); without SNI or a match, a valid certificate the client
// supports, the latest not-after first.
func (c *chooser) server(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	// The name is matched by uccert's rules (hostname.Match: the CN of a
	// certificate without DNS names counts, as for Java clients);
	// SupportsCertificate judges only the key and the signature schemes.
	keysOnly := *hello
	keysOnly.ServerName = ""
	ok := func(cert *tls.Certificate) bool { return keysOnly.SupportsCertificate(cert) == nil }
	if hello.ServerName != "" {
		if best := c.best(hello.ServerName, ok); best != nil {
			return best, nil
		}
	}
	if best := c.any(ok); best != nil {
		return best, nil
	}
	return &c.certs[0], nil
}

// any returns, among the certificates accepted by ok, a valid one before
// an expired or not yet valid one, then the latest not-after (Choose's
// rule without a name).
func (c *chooser) any(ok func(*tls.Certificate) bool) *tls.Certificate {
	now := c.now()
	bestPos, best := -1, candidate{}
	for i := range c.certs {
		if !ok(&c.certs[i]) {
			continue
		}
		cand := candidate{cert: c.certs[i].Leaf, kind: hostname.MatchSAN}
		if bestPos < 0 || cand.before(best, now) {
			bestPos, best = i, cand
		}
	}
	if bestPos < 0 {
		return nil
	}
	return &c.certs[bestPos]
}

// client picks a certificate the server accepts (its acceptable CAs and
// signature schemes), preferring the one that names ClientName.
func (c *chooser) client(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	ok := func(cert *tls.Certificate) bool { return cri.SupportsCertificate(cert) == nil }
	if c.clientName != "" {
		if best := c.best(c.clientName, ok); best != nil {
			return best, nil
		}
	}
	if best := c.any(ok); best != nil {
		return best, nil
	}
	// Nothing the server asked for: send none, and let it decide.
	return &tls.Certificate{}, nil
}

// best returns the certificate presented for name (Choose's rule) among
// those accepted by ok, from the name index: a few map lookups whatever
// the number of entries.
func (c *chooser) best(name string, ok func(*tls.Certificate) bool) *tls.Certificate {
	var now time.Time
	bestPos, best := -1, candidate{}
	var buf [4]hostname.Hit
	for _, h := range c.index.AppendLookup(buf[:0], name) {
		cert := &c.certs[h.Pos]
		if !ok(cert) {
			continue
		}
		cand := candidate{cert: cert.Leaf, kind: h.Kind}
		if bestPos >= 0 && now.IsZero() {
			now = c.now() // only when there is a choice to make
		}
		if bestPos < 0 || cand.before(best, now) {
			bestPos, best = h.Pos, cand
		}
	}
	if bestPos < 0 {
		return nil
	}
	return &c.certs[bestPos]
}

// candidate is a certificate that serves a name, and how.
type candidate struct {
	cert *x509.Certificate
	kind hostname.MatchKind
}

// before reports whether a is presented rather than b at now: a
// certificate valid at now before one expired or not yet valid, then the
// better match (exact name, wildcard, CN), then the later NotAfter.
func (a candidate) before(b candidate, now time.Time) bool {
	if va, vb := validAt(a.cert, now), validAt(b.cert, now); va != vb {
		return va
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.cert.NotAfter.After(b.cert.NotAfter)
}

func validAt(c *x509.Certificate, now time.Time) bool {
	return !now.Before(c.NotBefore) && !now.After(c.NotAfter)
}

// Choose returns the position in leaves of the certificate presented for
// name at now, or -1 when none serves name (hostname.Match): the rule of
// New's server side (the SNI) and client side (Options.ClientName). Of
// several that serve the name, a certificate valid at now comes before
// one that has expired or is not yet valid, then the better match (exact
// DNS name, wildcard, CN), then the later NotAfter; the earlier position
// breaks ties. Java's PKIX key manager also puts valid certificates
// first; its default SunX509 key manager does not look at validity.
func Choose(leaves []*x509.Certificate, name string, now time.Time) int {
	bestIdx, best := -1, candidate{}
	for i, leaf := range leaves {
		if leaf == nil {
			continue
		}
		cand := candidate{cert: leaf, kind: hostname.Match(leaf, name)}
		if cand.kind == hostname.NoMatch {
			continue
		}
		if bestIdx < 0 || cand.before(best, now) {
			bestIdx, best = i, cand
		}
	}
	return bestIdx
}
