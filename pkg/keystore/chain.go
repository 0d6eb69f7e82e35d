package keystore

import (
	"bytes"
	"crypto"
	"crypto/x509"
)

// maxChainLen bounds chain building (and loops in malicious input).
const maxChainLen = 16

// BuildChain returns leaf followed by its issuers found in pool, up to a
// self-signed root or the first certificate whose issuer is not in pool.
// Issuers are matched by name and, where the certificates carry them, by
// authority/subject key identifier; a signature check breaks ties (it is
// not required, so SHA-1 signed chains still link).
func BuildChain(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain := []*x509.Certificate{leaf}
	used := map[*x509.Certificate]bool{leaf: true}
	cur := leaf
	for len(chain) < maxChainLen && !isSelfIssued(cur) {
		next := findIssuer(cur, pool, used)
		if next == nil {
			break
		}
		chain = append(chain, next)
		used[next] = true
		cur = next
	}
	return chain
}

func isSelfIssued(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer)
}

func findIssuer(c *x509.Certificate, pool []*x509.Certificate, used map[*x509.Certificate]bool) *x509.Certificate {
	var byName []*x509.Certificate
	for _, p := range pool {
		if used[p] || !bytes.Equal(p.RawSubject, c.RawIssuer) || bytes.Equal(p.Raw, c.Raw) {
			continue
		}
		byName = append(byName, p)
	}
	if len(byName) <= 1 {
		if len(byName) == 1 && len(c.AuthorityKeyId) > 0 && len(byName[0].SubjectKeyId) > 0 &&
			!bytes.Equal(c.AuthorityKeyId, byName[0].SubjectKeyId) {
			return nil
		}
		if len(byName) == 1 {
			return byName[0]
		}
		return nil
	}
	var byKeyID []*x509.Certificate
	for _, p := range byName {
		if len(c.AuthorityKeyId) == 0 || len(p.SubjectKeyId) == 0 || bytes.Equal(c.AuthorityKeyId, p.SubjectKeyId) {
			byKeyID = append(byKeyID, p)
		}
	}
	for _, p := range byKeyID {
		if c.CheckSignatureFrom(p) == nil {
			return p
		}
	}
	if len(byKeyID) > 0 {
		return byKeyID[0]
	}
	return nil
}

// KeyMatchesCert reports whether key is the private key of cert.
func KeyMatchesCert(key crypto.PrivateKey, cert *x509.Certificate) bool {
	signer, ok := key.(crypto.Signer)
	if !ok || cert == nil {
		return false
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}
