package pkcs12

import (
	"encoding/asn1"
	"errors"

	"github.com/uccert/uccert/pkg/internal/pkcs8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parseKey parses a PKCS#8 key for a KeyBag (package pkcs8: what Go's
// crypto parses, and DSA). ok is false when der is not a PrivateKeyInfo;
// otherwise the bag has the key, or Err: wrapping ErrUnsupported and a
// *pkcs8.UnsupportedError when Go cannot use the key, ErrMalformed when
// the key inside a well-formed PrivateKeyInfo is broken.
func parseKey(der []byte, attrs Attributes) (KeyBag, bool) {
	kb := KeyBag{PKCS8: append([]byte(nil), der...), Attrs: attrs}
	info, isInfo := pkcs8.ParseInfo(der)
	if isInfo {
		kb.Algorithm = info.Algorithm
	}
	key, err := pkcs8.Parse(der)
	var ue *pkcs8.UnsupportedError
	switch {
	case err == nil:
		kb.Key = key
		return kb, true
	case errors.As(err, &ue):
		kb.Err = newError(ErrUnsupported, err, "%s", ue.What)
		return kb, true
	case isInfo:
		// A PrivateKeyInfo whose key is broken (a DSA key without
		// parameters, ...): the file is read, the key is not.
		kb.Err = newError(ErrMalformed, err, "the %s key is damaged", algorithmName(info.Algorithm))
		return kb, true
	}
	return kb, false
}

// key is the KeyBag of der: parseKey's, or in raw mode (DecodeRaw) the
// PrivateKeyInfo's bytes and algorithm only. ok is false when der is not
// a PrivateKeyInfo.
func (d *decoder) key(der []byte, attrs Attributes) (KeyBag, bool) {
	if !d.raw {
		return parseKey(der, attrs)
	}
	info, ok := pkcs8.ParseInfo(der)
	if !ok {
		return KeyBag{}, false
	}
	return KeyBag{PKCS8: append([]byte(nil), der...), Attrs: attrs, Algorithm: info.Algorithm}, true
}

// SecretBag is a secret key, as Java's KeyStore keeps a SecretKeyEntry in
// a PKCS#12 file: a secretBag whose secretTypeId is pkcs8ShroudedKeyBag and
// whose value is an EncryptedPrivateKeyInfo around a PrivateKeyInfo that
// carries the key's algorithm (AES 2.16.840.1.101.3.4.1, HmacSHA256
// 1.2.840.113549.2.9, ...) and its bytes.
type SecretBag struct {
	Attrs Attributes
	// Algorithm is the PrivateKeyInfo's algorithm; AlgorithmName is Java's
	// name for it ("AES", "DESede", "HmacSHA256", ...), or "OID x.y.z".
	Algorithm     asn1.ObjectIdentifier
	AlgorithmName string
	// PKCS8 is the decrypted PrivateKeyInfo, which Encode writes back.
	PKCS8 []byte
}

// Key returns the secret key's bytes.
func (s SecretBag) Key() ([]byte, error) {
	info, ok := pkcs8.ParseInfo(s.PKCS8)
	if !ok {
		return nil, malformed("the secret key is not a PKCS#8 PrivateKeyInfo")
	}
	return info.Key, nil
}

// NewSecret returns the secret bag of a key of the algorithm that Java
// calls algorithm ("AES", "DESede", "HmacSHA256", ...), encoded as Java's
// PKCS12 KeyStore encodes it (version 0, the algorithm with NULL
// parameters, the key bytes).
func NewSecret(algorithm string, key []byte, attrs Attributes) (SecretBag, error) {
	var oid asn1.ObjectIdentifier
	for _, n := range oidNames[:secretKeyNames] {
		if n.name == algorithm {
			oid = n.oid
		}
	}
	if oid == nil {
		return SecretBag{}, unsupported("secret key algorithm %q", algorithm)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addAlgorithm(b, oid, nil)
		b.AddASN1OctetString(key)
	})
	der, err := b.Bytes()
	if err != nil {
		return SecretBag{}, encodingError(err)
	}
	return SecretBag{Attrs: attrs, Algorithm: oid, AlgorithmName: algorithm, PKCS8: der}, nil
}

// newSecretBag makes the SecretBag of a decrypted PrivateKeyInfo.
func newSecretBag(der []byte, attrs Attributes) (SecretBag, bool) {
	info, ok := pkcs8.ParseInfo(der)
	if !ok {
		return SecretBag{}, false
	}
	return SecretBag{Attrs: attrs, Algorithm: info.Algorithm, AlgorithmName: algorithmName(info.Algorithm), PKCS8: append([]byte(nil), der...)}, true
}
