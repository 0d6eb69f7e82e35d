// Package pkcs8 is uccert's one reading of PKCS#8 private keys (RFC 5208
// PrivateKeyInfo, RFC 5958 OneAsymmetricKey): the keys Go's crypto/x509
// parses, DSA keys (which crypto/x509 does not parse: the key is built
// here on crypto/dsa's types), and for every other algorithm a name in
// words ("GOST R 34.10-2001 key", "Ed448 key", ...) so that the caller
// can list such a key and keep its bytes. It also names the public-key
// algorithm of a certificate whose key Go does not know (PublicKeyName).
//
// Package certfile (PEM keys), package keystore (JKS keys) and
// keystore/internal/pkcs12 (key bags) read keys through Parse.
package pkcs8

import (
	"crypto"
	"crypto/dsa" // deprecated for new keys; here DSA keys are only read, matched and written back
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Info is what this package reads of a PrivateKeyInfo: its algorithm,
// the algorithm's parameters (raw DER, nil when absent) and the key
// octets.
type Info struct {
	Algorithm asn1.ObjectIdentifier
	Params    []byte
	Key       []byte
}

// ErrNotPrivateKeyInfo: the bytes are not a PKCS#8 PrivateKeyInfo (after a
// decryption that nothing else checked, the sign of a wrong password).
var ErrNotPrivateKeyInfo = errors.New("not a PKCS#8 private key")

// UnsupportedError is a well-formed PrivateKeyInfo whose key Go's crypto
// cannot use. What names the key in words ("GOST R 34.10-2001 key",
// "EC key on the secp256k1 curve", "key algorithm OID 1.2.3.4"); Err is
// crypto/x509's error, kept for errors.Is and errors.As only.
type UnsupportedError struct {
	Algorithm asn1.ObjectIdentifier
	What      string
	Err       error
}

func (e *UnsupportedError) Error() string { return e.What }

// Unwrap returns crypto/x509's error.
func (e *UnsupportedError) Unwrap() error { return e.Err }

// ParseInfo reads der as a PrivateKeyInfo (version 0) or OneAsymmetricKey
// (version 1). Like x509.ParsePKCS8PrivateKey it ignores bytes after the
// SEQUENCE. ok is false when der is not one.
func ParseInfo(der []byte) (info Info, ok bool) {
	in := cryptobyte.String(der)
	var seq, alg cryptobyte.String
	var version int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&version) || version < 0 || version > 1 ||
		!seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&info.Algorithm) {
		return Info{}, false
	}
	if !alg.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !alg.ReadAnyASN1Element(&params, &tag) || !alg.Empty() {
			return Info{}, false
		}
		if tag != cbasn1.NULL {
			info.Params = params
		}
	}
	if !seq.ReadASN1Bytes(&info.Key, cbasn1.OCTET_STRING) {
		return Info{}, false
	}
	for _, tag := range []cbasn1.Tag{cbasn1.Tag(0).ContextSpecific().Constructed(), cbasn1.Tag(1).ContextSpecific()} {
		if seq.PeekASN1Tag(tag) && !seq.SkipASN1(tag) {
			return Info{}, false
		}
	}
	if !seq.Empty() {
		return Info{}, false
	}
	return info, true
}

// Parse reads a PKCS#8 private key: what crypto/x509 parses (RSA, EC,
// Ed25519, X25519 ...) or a DSA key (*dsa.PrivateKey). Any other
// well-formed key is an *UnsupportedError naming it; bytes that are no
// PrivateKeyInfo are ErrNotPrivateKeyInfo, and a malformed DSA key wraps
// it too.
func Parse(der []byte) (crypto.PrivateKey, error) {
	info, ok := ParseInfo(der)
	key, err := x509.ParsePKCS8PrivateKey(der)
	switch {
	case err == nil:
		return key, nil
	case !ok:
		return nil, ErrNotPrivateKeyInfo
	case info.Algorithm.Equal(oidDSA):
		k, err := parseDSA(info)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return k, nil
	}
	return nil, &UnsupportedError{Algorithm: info.Algorithm, What: Describe(info, err), Err: err}
}

// Describe says in words which key info holds, for a key Go cannot use
// (cause is crypto/x509's error, or nil).
func Describe(info Info, cause error) string {
	switch name := Name(info.Algorithm); {
	case isGOST(info.Algorithm):
		return name + " key"
	case info.Algorithm.Equal(oidECPublicKey):
		return describeCurve(info.Params)
	case info.Algorithm.Equal(oidRSA):
		what := "RSA key that Go's crypto refuses"
		if w := LibraryWords(cause); w != "" {
			what += " (" + w + ")"
		}
		return what
	case name != "":
		return name + " key (not supported by Go's crypto)"
	}
	return "key algorithm OID " + info.Algorithm.String()
}

// describeCurve names the curve of an EC key that Go cannot use.
func describeCurve(params []byte) string {
	p := cryptobyte.String(params)
	var curve asn1.ObjectIdentifier
	switch {
	case p.PeekASN1Tag(cbasn1.SEQUENCE):
		return "EC key with explicit curve parameters (not supported by Go's crypto)"
	case !p.ReadASN1ObjectIdentifier(&curve):
		return "EC key without a named curve"
	}
	switch name := Name(curve); name {
	case "P-224", "P-256", "P-384", "P-521":
		return fmt.Sprintf("EC key on the %s curve that Go's crypto cannot read", name)
	case "":
		return fmt.Sprintf("EC key on the curve OID %s (not supported by Go's crypto)", curve)
	default:
		return fmt.Sprintf("EC key on the %s curve (not supported by Go's crypto)", name)
	}
}

// LibraryWords returns the message of an error from crypto/x509 without
// its "x509: " prefix, or "" when err is nil or what remains still reads
// like library internals (nested asn1, cryptobyte or ber messages).
func LibraryWords(err error) string {
	if err == nil {
		return ""
	}
	s := strings.TrimPrefix(err.Error(), "x509: ")
	for _, raw := range []string{"asn1:", "cryptobyte", "x509:", "ber:", "crypto/"} {
		if strings.Contains(s, raw) {
			return ""
		}
	}
	return s
}

// Limits of the DSA keys Parse accepts: OpenSSL's largest modulus
// (OPENSSL_DSA_MAX_MODULUS_BITS) and a subgroup no larger than any
// standard one twice over, so that computing the public key stays cheap
// whatever a file says.
const (
	maxDSAPBits = 10000
	maxDSAQBits = 512
)

// parseDSA reads a DSA key: the parameters (Dss-Parms) from the algorithm
// and the private value x, an INTEGER, in the key octets; the public value
// is computed (y = g^x mod p).
func parseDSA(info Info) (*dsa.PrivateKey, error) {
	bad := func(why string) error { return fmt.Errorf("%w: DSA key: %s", ErrNotPrivateKeyInfo, why) }
	params := cryptobyte.String(info.Params)
	var seq cryptobyte.String
	p, q, g, x := new(big.Int), new(big.Int), new(big.Int), new(big.Int)
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(p) || !seq.ReadASN1Integer(q) ||
		!seq.ReadASN1Integer(g) || !seq.Empty() || !params.Empty() {
		return nil, bad("no valid domain parameters")
	}
	key := cryptobyte.String(info.Key)
	if !key.ReadASN1Integer(x) || !key.Empty() {
		return nil, bad("the private value is not an INTEGER")
	}
	switch {
	case p.BitLen() > maxDSAPBits || q.BitLen() > maxDSAQBits:
		return nil, bad(fmt.Sprintf("parameters of %d/%d bits exceed %d/%d", p.BitLen(), q.BitLen(), maxDSAPBits, maxDSAQBits))
	case p.Sign() <= 0 || q.Sign() <= 0 || g.Sign() <= 0 || g.Cmp(p) >= 0 || p.Bit(0) == 0:
		return nil, bad("invalid domain parameters")
	case x.Sign() <= 0 || x.Cmp(q) >= 0:
		return nil, bad("the private value is out of range")
	}
	k := &dsa.PrivateKey{X: x}
	k.P, k.Q, k.G = p, q, g
	k.Y = new(big.Int).Exp(g, x, p)
	return k, nil
}

// Marshal returns key as a PrivateKeyInfo: crypto/x509's encoding, or, for
// a *dsa.PrivateKey, the one OpenSSL and Java write.
func Marshal(key crypto.PrivateKey) ([]byte, error) {
	k, ok := key.(*dsa.PrivateKey)
	if !ok {
		return x509.MarshalPKCS8PrivateKey(key)
	}
	if k == nil || k.P == nil || k.Q == nil || k.G == nil || k.X == nil {
		return nil, errors.New("incomplete DSA key")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidDSA)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1BigInt(k.P)
				b.AddASN1BigInt(k.Q)
				b.AddASN1BigInt(k.G)
			})
		})
		b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(k.X)
		})
	})
	return b.Bytes()
}

// PublicKeyName names the algorithm of a SubjectPublicKeyInfo (a
// certificate's RawSubjectPublicKeyInfo) in words: "DSA", "GOST R
// 34.10-2012 (256-bit)", "Ed448", "X448", ..., else "OID x.y.z"; "" when
// spki is not one.
func PublicKeyName(spki []byte) string {
	s := cryptobyte.String(spki)
	var seq, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return ""
	}
	if n := Name(oid); n != "" {
		return n
	}
	return "OID " + oid.String()
}
