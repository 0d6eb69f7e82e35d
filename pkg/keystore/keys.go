package keystore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"
)

// KeyMatchesCert reports whether key is the private key of cert.
func KeyMatchesCert(key crypto.PrivateKey, cert *x509.Certificate) bool {
	signer, ok := key.(crypto.Signer)
	if !ok || cert == nil {
		return false
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// Usable reports why a key entry cannot serve TLS, or nil when it can: its
// key was not recovered (Entry.KeyErr: ErrKeyPassword, ErrUnsupported...),
// it has no certificate (ErrNoCertificate), or the key does not belong to
// its certificate (ErrKeyMismatch). Entries of other kinds are usable. It
// is the one rule for "a key entry without a usable key" that merging,
// loading, checking and writing share.
func (e *Entry) Usable() error {
	if e == nil {
		return ErrNoKey
	}
	if e.Kind != KindKey {
		return nil
	}
	switch {
	case e.Key == nil && e.KeyErr != nil:
		return e.KeyErr
	case e.Key == nil:
		return ErrNoKey
	case len(e.Chain) == 0 || e.Chain[0] == nil:
		return ErrNoCertificate
	case !KeyMatchesCert(e.Key, e.Chain[0]):
		return ErrKeyMismatch
	}
	return nil
}

// UnusableKeyError is a key entry that cannot be used (see Entry.Usable):
// File is the file it was read from ("" when unknown), Alias the entry's
// alias, Err the cause (errors.Is ErrKeyPassword, ErrKeyMismatch, ...).
type UnusableKeyError struct {
	File, Alias string
	Err         error
}

func (e *UnusableKeyError) Error() string {
	what := fmt.Sprintf("key entry %q", e.Alias)
	if e.Alias == "" {
		what = "a key entry without an alias"
	}
	if e.File != "" {
		what = e.File + ": " + what
	}
	return what + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *UnusableKeyError) Unwrap() error { return e.Err }

// UnusableKeys returns an error for each key entry of s that Usable
// refuses, naming file (the path s was read from, or "").
func (s *Store) UnusableKeys(file string) []*UnusableKeyError {
	if s == nil {
		return nil
	}
	var out []*UnusableKeyError
	for _, e := range s.Entries {
		if err := e.Usable(); err != nil {
			out = append(out, &UnusableKeyError{File: file, Alias: e.Alias, Err: err})
		}
	}
	return out
}

// keyCand and certCand are what pairKeys pairs: a key (or its public
// half) and a certificate, each with the localKeyId the file gave it.
type keyCand struct {
	key crypto.PrivateKey
	id  []byte
}

type certCand struct {
	cert *x509.Certificate
	id   []byte
}

// pairKeys finds the leaf certificate of each key, by one rule for every
// format: the certificate with the same localKeyId whose public key
// matches, else the first unused certificate whose public key matches,
// else (keeping the file's own pairing, so that a check can report the
// mismatch) the certificate with the same localKeyId. leaf[i] is the
// index in certs of key i's certificate, or -1.
func pairKeys(keys []keyCand, certs []certCand) (leaf []int) {
	leaf = make([]int, len(keys))
	used := make([]bool, len(certs))
	find := func(k keyCand, ok func(j int) bool) int {
		for j := range certs {
			if !used[j] && ok(j) {
				return j
			}
		}
		return -1
	}
	for i, k := range keys {
		sameID := func(j int) bool { return len(k.id) > 0 && bytes.Equal(certs[j].id, k.id) }
		matches := func(j int) bool { return KeyMatchesCert(k.key, certs[j].cert) }
		j := find(k, func(j int) bool { return sameID(j) && matches(j) })
		if j < 0 {
			j = find(k, matches)
		}
		if j < 0 {
			j = find(k, sameID)
		}
		leaf[i] = j
		if j >= 0 {
			used[j] = true
		}
	}
	return leaf
}

// PublicKeyDescription reads like "RSA 2048", "EC P-256" or "Ed25519".
func PublicKeyDescription(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	case nil:
		return "unknown"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", pub), "*")
}

// KeyAlgorithm names the algorithm of a public key: "RSA", "EC",
// "Ed25519", or the Go type for others. Entries of different algorithms
// are never duplicates of each other: a TLS peer picks between them by the
// signature schemes it supports (merge --replace, identity-duplicate).
func KeyAlgorithm(pub any) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC"
	case ed25519.PublicKey:
		return "Ed25519"
	case nil:
		return "unknown"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", pub), "*")
}
