package pkcs12

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// privateKeyInfo is what this package reads of a PKCS#8 PrivateKeyInfo
// (RFC 5208) or OneAsymmetricKey (RFC 5958): its algorithm and key octets.
type privateKeyInfo struct {
	oid    asn1.ObjectIdentifier
	params []byte // raw DER, nil when absent or NULL
	key    []byte
}

// parsePrivateKeyInfo reads der as a PrivateKeyInfo. Like
// x509.ParsePKCS8PrivateKey it ignores bytes after the SEQUENCE. ok is
// false when der is not a PrivateKeyInfo at all (after a decryption with
// no MAC to vouch for the password, the sign of a wrong password).
func parsePrivateKeyInfo(der []byte) (privateKeyInfo, bool) {
	var pki privateKeyInfo
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	var version int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&version) || version < 0 || version > 1 {
		return pki, false
	}
	alg, err := readAlgorithm(&seq, "key")
	if err != nil || !seq.ReadASN1Bytes(&pki.key, cbasn1.OCTET_STRING) {
		return pki, false
	}
	if seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) && !seq.SkipASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return pki, false
	}
	if seq.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific()) && !seq.SkipASN1(cbasn1.Tag(1).ContextSpecific()) {
		return pki, false
	}
	if !seq.Empty() {
		return pki, false
	}
	pki.oid, pki.params = alg.oid, alg.params
	return pki, true
}

// unusableKey says in words why Go cannot use a well-formed PrivateKeyInfo
// (cause is x509.ParsePKCS8PrivateKey's error) and wraps ErrUnsupported.
func unusableKey(pki privateKeyInfo, cause error) error {
	var what string
	switch name := knownName(pki.oid); {
	case pki.oid.Equal(oidDSA):
		what = "DSA key (not supported by Go's crypto)"
	case pki.oid.Equal(oidGOST2001), pki.oid.Equal(oidGOST94), pki.oid.Equal(oidGOST2012_256), pki.oid.Equal(oidGOST2012_512):
		what = name + " key"
	case pki.oid.Equal(oidECPublicKey):
		what = describeCurve(pki.params)
	case pki.oid.Equal(oidRSA):
		what = "RSA key that Go's crypto refuses"
		if w := libraryWords(cause); w != "" {
			what += " (" + w + ")"
		}
	case name != "":
		what = name + " key (not supported by Go's crypto)"
	default:
		what = "key algorithm OID " + pki.oid.String()
	}
	return newError(ErrUnsupported, cause, "%s", what)
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
	switch name := knownName(curve); name {
	case "P-224", "P-256", "P-384", "P-521":
		return fmt.Sprintf("EC key on the %s curve that Go's crypto cannot read", name)
	case "":
		return fmt.Sprintf("EC key on the curve OID %s (not supported by Go's crypto)", curve)
	default:
		return fmt.Sprintf("EC key on the %s curve (not supported by Go's crypto)", name)
	}
}

// parseKey parses a PKCS#8 key for a KeyBag. ok is false when pkcs8 is
// not a PrivateKeyInfo; otherwise the bag has the key, or Err when Go
// cannot use it.
func parseKey(pkcs8 []byte, attrs Attributes) (KeyBag, bool) {
	kb := KeyBag{PKCS8: append([]byte(nil), pkcs8...), Attrs: attrs}
	pki, ok := parsePrivateKeyInfo(pkcs8)
	key, err := x509.ParsePKCS8PrivateKey(pkcs8)
	switch {
	case err == nil:
		kb.Key, kb.Algorithm = key, pki.oid
		if !ok {
			kb.Algorithm = nil
		}
		return kb, true
	case !ok:
		return kb, false
	}
	kb.Algorithm, kb.Err = pki.oid, unusableKey(pki, err)
	return kb, true
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
	pki, ok := parsePrivateKeyInfo(s.PKCS8)
	if !ok {
		return nil, malformed("the secret key is not a PKCS#8 PrivateKeyInfo")
	}
	return pki.key, nil
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
func newSecretBag(pkcs8 []byte, attrs Attributes) (SecretBag, bool) {
	pki, ok := parsePrivateKeyInfo(pkcs8)
	if !ok {
		return SecretBag{}, false
	}
	return SecretBag{Attrs: attrs, Algorithm: pki.oid, AlgorithmName: algorithmName(pki.oid), PKCS8: append([]byte(nil), pkcs8...)}, true
}
