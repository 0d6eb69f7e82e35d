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
)

// Options tune New.
type Options struct {
	// ClientName, when set, makes the client side prefer the entry that
	// names this host (the connector's own FQDN).
	ClientName string
}

// Certificates turns every key entry of s into a tls.Certificate, Leaf
// set. The chain sent is the entry's, completed with intermediate CA
// certificates of trust (nil: none) when the entry lacks them (package
// chain), so that peers that hold only the root still verify it. A key
// entry that keystore.Entry.Usable refuses is an error (wrapping
// ErrNoKeys and the cause): the connector could not use it either.
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
		if err := e.Usable(); err != nil {
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
		ch := &chooser{certs: certs, clientName: opts.ClientName}
		cfg.GetCertificate = ch.server
		cfg.GetClientCertificate = ch.client
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
	clientName string
}

// server picks the certificate for a ClientHello: the best name match
// for the SNI (exact DNS name, then wildcard, then CN) among the
// certificates the client supports (signature schemes, curves); without
// a match, the first certificate the client supports.
func (c *chooser) server(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if hello.ServerName != "" {
		if best := c.best(hello.ServerName, func(cert *tls.Certificate) bool { return hello.SupportsCertificate(cert) == nil }); best != nil {
			return best, nil
		}
	}
	for i := range c.certs {
		if hello.SupportsCertificate(&c.certs[i]) == nil {
			return &c.certs[i], nil
		}
	}
	return &c.certs[0], nil
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
	for i := range c.certs {
		if ok(&c.certs[i]) {
			return &c.certs[i], nil
		}
	}
	// Nothing the server asked for: send none, and let it decide.
	return &tls.Certificate{}, nil
}

// best returns the certificate presented for name (Choose's rule) among
// those accepted by ok.
func (c *chooser) best(name string, ok func(*tls.Certificate) bool) *tls.Certificate {
	leaves := make([]*x509.Certificate, len(c.certs))
	for i := range c.certs {
		if ok(&c.certs[i]) {
			leaves[i] = c.certs[i].Leaf
		}
	}
	if i := Choose(leaves, name, time.Now()); i >= 0 {
		return &c.certs[i]
	}
	return nil
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
