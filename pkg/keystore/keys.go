package keystore

import (
	"bytes"
	"crypto"
	"crypto/dsa" // DSA keys are read, matched and written back, never used to sign
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/uccert/uccert/pkg/internal/pkcs8"
)

// KeyMatchesCert reports whether key is the private key of cert.
func KeyMatchesCert(key crypto.PrivateKey, cert *x509.Certificate) bool {
	if cert == nil {
		return false
	}
	if k, ok := key.(*dsa.PrivateKey); ok && k != nil {
		pub, ok := cert.PublicKey.(*dsa.PublicKey)
		return ok && bigEqual(k.P, pub.P) && bigEqual(k.Q, pub.Q) && bigEqual(k.G, pub.G) && bigEqual(k.Y, pub.Y)
	}
	signer, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return false
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

func bigEqual(a, b *big.Int) bool { return a != nil && b != nil && a.Cmp(b) == 0 }

// unsupportedKey is the error of a key whose algorithm Go's crypto or TLS
// cannot use: "unsupported: <what>", errors.Is ErrUnsupported and
// ErrKeyAlgorithm.
func unsupportedKey(what string) error {
	return wrapKind(ErrKeyAlgorithm, fmt.Errorf("%w: %s", ErrUnsupported, what))
}

// readKey reads a PKCS#8 key (package pkcs8's one reading): the key, the
// bytes to keep when crypto/x509 cannot encode the key again (DSA, and
// algorithms Go's crypto cannot use), and why the key cannot be used.
func readKey(der []byte) (key crypto.PrivateKey, keep []byte, keyErr error) {
	key, err := pkcs8.Parse(der)
	var ue *pkcs8.UnsupportedError
	switch {
	case err == nil:
		if _, ok := key.(*dsa.PrivateKey); ok {
			keep = bytes.Clone(der)
		}
		return key, keep, nil
	case errors.As(err, &ue):
		return nil, bytes.Clone(der), unsupportedKey(ue.What + "; the entry is kept as it is")
	}
	return nil, nil, wrapKind(ErrMalformed, fmt.Errorf("the private key is damaged (%w)", err))
}

// keyBytes is the PKCS#8 encoding of a key entry's key: PKCS8 when set,
// else the key encoded.
func (e *Entry) keyBytes() ([]byte, error) {
	if len(e.PKCS8) > 0 {
		return e.PKCS8, nil
	}
	der, err := pkcs8.Marshal(e.Key)
	if err != nil {
		return nil, fmt.Errorf("key of %q: %w: %s key cannot be encoded", e.Alias, ErrUnsupported, e.KeyDescription())
	}
	return der, nil
}

// servesTLS reports whether crypto/tls can sign with key.
func servesTLS(key crypto.PrivateKey) bool {
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return true
	}
	return false
}

// Writable reports why an entry cannot be written to a store as it is, or
// nil when it can. A key entry needs its key, recovered (Key) or kept as
// the file held it (PKCS8, for algorithms Go's crypto cannot use), and its
// certificate, to which a key Go can read must belong (ErrNoKey,
// ErrNoCertificate, ErrKeyMismatch, or KeyErr: ErrKeyPassword, ...); a
// secret entry needs its key (PKCS8). It is the rule merging, encoding and
// updating share: DSA and GOST entries are carried over, although they
// cannot serve TLS (Usable).
func (e *Entry) Writable() error {
	if e == nil {
		return ErrNoKey
	}
	switch e.Kind {
	case KindSecret:
		if len(e.PKCS8) == 0 {
			return fmt.Errorf("%w (secret key %q)", ErrNoKey, e.Alias)
		}
		return nil
	case KindKey:
	default:
		return nil
	}
	kept := e.Key == nil && len(e.PKCS8) > 0 && (e.KeyErr == nil || errors.Is(e.KeyErr, ErrKeyAlgorithm))
	switch {
	case kept:
	case e.Key == nil && e.KeyErr != nil:
		return e.KeyErr
	case e.Key == nil:
		return ErrNoKey
	}
	switch {
	case len(e.Chain) == 0 || e.Chain[0] == nil:
		return ErrNoCertificate
	case e.Key != nil && !KeyMatchesCert(e.Key, e.Chain[0]):
		return ErrKeyMismatch
	}
	return nil
}

// Usable reports why a key entry cannot serve TLS, or nil when it can: its
// key was not recovered (Entry.KeyErr: ErrKeyPassword, ...), it has no
// certificate (ErrNoCertificate), the key does not belong to its
// certificate (ErrKeyMismatch) — the rules of Writable — or Go's TLS
// cannot sign with it (DSA, GOST R 34.10, Ed448, ...: ErrKeyAlgorithm and
// ErrUnsupported). Entries of other kinds are usable. It is the one rule
// for "a key entry without a usable key" that loading, checking and
// serving share.
func (e *Entry) Usable() error {
	if err := e.Writable(); err != nil || e.Kind != KindKey {
		return err
	}
	switch {
	case e.Key == nil && e.KeyErr != nil:
		return e.KeyErr
	case !servesTLS(e.Key):
		if _, ok := e.Key.(*dsa.PrivateKey); ok {
			return unsupportedKey(e.KeyDescription() + " key: Go's TLS cannot sign with DSA, and TLS 1.3 has no DSA signatures")
		}
		return unsupportedKey(e.KeyDescription() + " key: Go's TLS cannot use it")
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
	return s.check(file, (*Entry).Usable)
}

// UnwritableKeys returns an error for each entry of s that Writable
// refuses (entries that could not be written again), naming file.
func (s *Store) UnwritableKeys(file string) []*UnusableKeyError {
	return s.check(file, (*Entry).Writable)
}

func (s *Store) check(file string, rule func(*Entry) error) []*UnusableKeyError {
	if s == nil {
		return nil
	}
	var out []*UnusableKeyError
	for _, e := range s.Entries {
		if err := rule(e); err != nil {
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

// PublicKeyDescription reads like "RSA 2048", "EC P-256", "Ed25519",
// "DSA 2048" or "X25519"; "unknown" for nil.
func PublicKeyDescription(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k != nil && k.N != nil {
			return fmt.Sprintf("RSA %d", k.N.BitLen())
		}
		return "RSA"
	case *ecdsa.PublicKey:
		if k != nil && k.Curve != nil {
			return "EC " + k.Curve.Params().Name
		}
		return "EC"
	case ed25519.PublicKey:
		return "Ed25519"
	case *dsa.PublicKey:
		if k != nil && k.P != nil {
			return fmt.Sprintf("DSA %d", k.P.BitLen())
		}
		return "DSA"
	case *ecdh.PublicKey:
		if k == nil {
			return "ECDH"
		}
		if k.Curve() == ecdh.X25519() {
			return "X25519"
		}
		return fmt.Sprint("ECDH ", k.Curve())
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

// CertificateKeyDescription describes the public key of c as
// PublicKeyDescription does, and a key crypto/x509 does not know by the
// algorithm of c's SubjectPublicKeyInfo: "GOST R 34.10-2001", "GOST R
// 34.10-2012 (256-bit)", "Ed448", "X448", else "OID x.y.z".
func CertificateKeyDescription(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	if c.PublicKey == nil {
		if n := pkcs8.PublicKeyName(c.RawSubjectPublicKeyInfo); n != "" {
			return n
		}
	}
	return PublicKeyDescription(c.PublicKey)
}

// KeyDescription describes an entry's key: its certificate's key
// (CertificateKeyDescription), else its private key, else the algorithm of
// the key it keeps (PKCS8); a secret key reads like "AES 128" or
// "HmacSHA256 256".
func (e *Entry) KeyDescription() string {
	if e == nil {
		return ""
	}
	if e.Kind == KindSecret {
		desc := e.SecretAlgorithm
		if info, ok := pkcs8.ParseInfo(e.PKCS8); ok && len(info.Key) > 0 {
			desc = strings.TrimSpace(fmt.Sprintf("%s %d", desc, 8*len(info.Key)))
		}
		return desc
	}
	if leaf := e.Leaf(); leaf != nil {
		return CertificateKeyDescription(leaf)
	}
	switch k := e.Key.(type) {
	case *dsa.PrivateKey:
		if k != nil {
			return PublicKeyDescription(&k.PublicKey)
		}
	case interface{ Public() crypto.PublicKey }:
		return PublicKeyDescription(k.Public())
	}
	if info, ok := pkcs8.ParseInfo(e.PKCS8); ok {
		if n := pkcs8.Name(info.Algorithm); n != "" {
			return n
		}
		return "OID " + info.Algorithm.String()
	}
	return ""
}
