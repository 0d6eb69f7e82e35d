package preflight

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"errors"

	"github.com/uccert/uccert/pkg/keystore"
)

// maxPath bounds path building.
const maxPath = 10

// checkChain reports chain-untrusted when no path leads from the leaf to
// a trusted certificate of the trust store, and chain-incomplete (warn)
// when the path needs a certificate that only the trust store holds
// (the peer, which has only the chain the connector sends, may lack it).
func checkChain(c *collector, subject string, chain []*x509.Certificate, trust *keystore.Store) {
	var anchors []*x509.Certificate
	for _, e := range trust.Entries {
		if e.Kind == keystore.KindTrusted {
			anchors = append(anchors, e.Chain[0])
		}
	}
	path, fromTrust, reason := buildPath(chain, anchors)
	if path == nil {
		c.errorf(CheckChainUntrusted, subject,
			"add the issuing CA and root to the trust store (uccert truststore --append ... CA.cer), or merge the certificate with its full chain",
			"no path to a certificate of the trust store: %s", reason)
		return
	}
	for _, cert := range fromTrust {
		c.warnf(CheckChainIncomplete, subject,
			"merge the export again with its full chain (uccert merge completes chains from the export's certificates) so peers get "+describeCert(cert)+" too",
			"the store's chain lacks %s; only the trust store completes it", describeCert(cert))
	}
}

// buildPath follows issuers from chain[0] through chain[1:] and the
// anchors until it reaches an anchor. It returns the path, the non-root
// certificates that came from the anchors only, or a reason.
func buildPath(chain, anchors []*x509.Certificate) (path, fromTrust []*x509.Certificate, reason string) {
	isAnchor := func(c *x509.Certificate) bool {
		for _, a := range anchors {
			if bytes.Equal(a.Raw, c.Raw) {
				return true
			}
		}
		return false
	}
	inChain := func(c *x509.Certificate) bool {
		for _, s := range chain {
			if bytes.Equal(s.Raw, c.Raw) {
				return true
			}
		}
		return false
	}
	if len(anchors) == 0 {
		return nil, nil, "the trust store has no trusted certificate"
	}
	cur := chain[0]
	path = []*x509.Certificate{cur}
	for len(path) <= maxPath {
		if isAnchor(cur) {
			return path, fromTrust, ""
		}
		next, why := findSigner(cur, chain[1:], anchors)
		if next == nil {
			return nil, nil, why
		}
		if !inChain(next) && !isSelfIssued(next) {
			fromTrust = append(fromTrust, next)
		}
		path = append(path, next)
		cur = next
	}
	return nil, nil, "the chain is longer than 10 certificates"
}

func isSelfIssued(c *x509.Certificate) bool { return bytes.Equal(c.RawSubject, c.RawIssuer) }

// findSigner returns the certificate among the candidates (anchors first)
// that issued c and whose signature on c verifies.
func findSigner(c *x509.Certificate, intermediates, anchors []*x509.Certificate) (*x509.Certificate, string) {
	named := false
	notCA := ""
	for _, pool := range [][]*x509.Certificate{anchors, intermediates} {
		for _, p := range pool {
			if !bytes.Equal(p.RawSubject, c.RawIssuer) || bytes.Equal(p.Raw, c.Raw) {
				continue
			}
			named = true
			if !p.BasicConstraintsValid || !p.IsCA {
				notCA = describeCert(p)
				continue
			}
			if signedBy(c, p) {
				return p, ""
			}
		}
	}
	switch {
	case notCA != "":
		return nil, notCA + " issued " + describeCert(c) + " but is not a CA certificate"
	case named:
		return nil, "the signature of " + describeCert(c) + " does not verify with its issuer's key (a different CA of the same name?)"
	}
	return nil, "neither the store nor the trust store holds " + c.Issuer.String() + ", the issuer of " + describeCert(c)
}

// signedBy checks c's signature with parent's key. Go refuses SHA-1
// signatures outright; Java accepts them from a private CA, so they are
// checked here, and cert-weak-signature reports the algorithm.
func signedBy(c, parent *x509.Certificate) bool {
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
