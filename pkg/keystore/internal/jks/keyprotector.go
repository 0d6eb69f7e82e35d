package jks

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/asn1"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Sun's KeyProtector (sun.security.provider.KeyProtector), the only key
// protection of JKS keystores: with p the password's chars (as for the
// store digest) and s a random 20-byte salt,
//
//	d1 = SHA-1(p || s), d2 = SHA-1(p || d1), ...  (the keystream)
//	stored = s || (PKCS#8 key XOR keystream) || SHA-1(p || PKCS#8 key)
//
// wrapped in an EncryptedPrivateKeyInfo whose algorithm is
// 1.3.6.1.4.1.42.2.17.1.1 with NULL parameters. The trailing digest is the
// only check: a wrong password is told by it, nothing else.

const saltLen = sha1.Size

// RecoverKey decrypts a protected key (Entry.Protected) with password and
// returns the PKCS#8 PrivateKeyInfo DER, as Java's KeyStore.getKey does.
// A password that does not open it is ErrKeyPassword; a key protected by
// another algorithm is ErrUnsupported. The key's algorithm is not looked
// at: the caller parses the PKCS#8 (x509.ParsePKCS8PrivateKey).
//
// The key password is independent of the store password: keytool uses
// the store password unless -keypass or -destkeypass says otherwise, and
// -importkeystore keeps the source's password (fixtures/stores/trap.jks).
// A wrong password fails the 160-bit check value, so trying several
// candidates is safe and cheap (one SHA-1 per 20 bytes of key).
func RecoverKey(protected []byte, password string) ([]byte, error) {
	pw, err := passwordChars(password)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	oid, data, ok := parseProtected(protected)
	if !ok {
		return nil, fmt.Errorf("%w: the protected key is not a DER EncryptedPrivateKeyInfo", ErrMalformed)
	}
	if string(oid) != keyProtectorOID {
		return nil, fmt.Errorf("%w: the key is protected with the algorithm %s, not with Sun's JKS key protector (1.3.6.1.4.1.42.2.17.1.1)", ErrUnsupported, oidString(oid))
	}
	if len(data) < saltLen+sha1.Size {
		return nil, fmt.Errorf("%w: the protected key is too short: its salt and digest alone take 40 bytes", ErrMalformed)
	}
	salt, enc, check := data[:saltLen], data[saltLen:len(data)-sha1.Size], data[len(data)-sha1.Size:]
	plain := make([]byte, len(enc))
	xorKeystream(plain, enc, pw, salt)
	sum := keyDigest(pw, plain)
	if subtle.ConstantTimeCompare(sum[:], check) != 1 {
		clear(plain)
		return nil, ErrKeyPassword
	}
	if !isDERSequence(plain) {
		clear(plain)
		return nil, fmt.Errorf("%w: the recovered key is not a PKCS#8 structure", ErrMalformed)
	}
	return plain, nil
}

// ProtectKey protects a PKCS#8 PrivateKeyInfo (DER) with password as Java's
// KeyStore.setKeyEntry does, with a salt read from random (crypto/rand when
// nil), and returns the DER EncryptedPrivateKeyInfo for Entry.Protected.
func ProtectKey(pkcs8 []byte, password string, random io.Reader) ([]byte, error) {
	pw, err := passwordChars(password)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	if !isDERSequence(pkcs8) {
		return nil, fmt.Errorf("%w: the key to protect is not a DER PKCS#8 structure", ErrInvalid)
	}
	if random == nil {
		random = rand.Reader
	}
	data := make([]byte, saltLen+len(pkcs8)+sha1.Size)
	salt := data[:saltLen]
	if _, err := io.ReadFull(random, salt); err != nil {
		return nil, fmt.Errorf("jks: reading random bytes for the key's salt: %w", err)
	}
	xorKeystream(data[saltLen:saltLen+len(pkcs8)], pkcs8, pw, salt)
	sum := keyDigest(pw, pkcs8)
	copy(data[saltLen+len(pkcs8):], sum[:])
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes([]byte(keyProtectorOID)) })
			b.AddASN1NULL()
		})
		b.AddASN1OctetString(data)
	})
	return b.Bytes()
}

// xorKeystream sets dst to src XOR the keystream SHA-1(pw || salt),
// SHA-1(pw || previous digest), ...
func xorKeystream(dst, src, pw, salt []byte) {
	buf := make([]byte, len(pw)+sha1.Size)
	copy(buf, pw)
	copy(buf[len(pw):], salt)
	for off := 0; off < len(src); off += sha1.Size {
		d := sha1.Sum(buf)
		subtle.XORBytes(dst[off:], src[off:], d[:])
		copy(buf[len(pw):], d[:])
	}
	clear(buf)
}

// keyDigest is SHA-1(pw || key), the check value of a protected key.
func keyDigest(pw, key []byte) [sha1.Size]byte {
	h := sha1.New()
	h.Write(pw)
	h.Write(key)
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	return sum
}

// oidString renders the content of a DER OBJECT IDENTIFIER in dotted form
// (or as hex when it is not a valid one).
func oidString(content []byte) string {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	if der, err := b.Bytes(); err == nil {
		s := cryptobyte.String(der)
		var id asn1.ObjectIdentifier
		if s.ReadASN1ObjectIdentifier(&id) {
			return id.String()
		}
	}
	return fmt.Sprintf("%x", content)
}
