package pkcs12

import (
	"sync/atomic"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// KeyDecrypter decrypts the PKCS#8 EncryptedPrivateKeyInfos of one file
// (the PEM "ENCRYPTED PRIVATE KEY" blocks of openssl pkcs8 -topk8, and of
// openssl pkcs12 without -nodes) as the shrouded key bags of one PKCS#12
// file are: PBES2 (PBKDF2 with AES or 3DES; the password as UTF-8) or a
// PKCS#12 PBE scheme (the password as a BMPString), each iteration count
// checked against the limit and their derivations together against the
// budget of one PKCS#12 file. It is not safe for concurrent use.
type KeyDecrypter struct {
	forms         []secret
	limit         int
	spent, budget int64
}

// NewKeyDecrypter returns a KeyDecrypter for password, with
// maxIterations as Decode takes it (0 or more than MaxIterations mean
// MaxIterations).
func NewKeyDecrypter(password string, maxIterations int) *KeyDecrypter {
	return &KeyDecrypter{forms: alternatives(password), limit: maxIterations, budget: derivationBudget}
}

// Decrypt returns the PrivateKeyInfo in the EncryptedPrivateKeyInfo der.
// A wrong password is ErrIncorrectPassword; an iteration count over the
// limit, or derivations over the file's budget, ErrIterationCount.
func (k *KeyDecrypter) Decrypt(der []byte) ([]byte, error) {
	s := cryptobyte.String(der)
	var epki cryptobyte.String
	var ct []byte
	if !s.ReadASN1(&epki, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, malformed("the encrypted private key is not an EncryptedPrivateKeyInfo")
	}
	alg, err := readAlgorithm(&epki, "private key encryption")
	if err != nil {
		return nil, err
	}
	if !epki.ReadASN1Bytes(&ct, cbasn1.OCTET_STRING) || !epki.Empty() {
		return nil, malformed("the encrypted data of the private key is not an OCTET STRING")
	}
	p, err := parsePBE(alg, k.limit)
	if err != nil {
		return nil, err
	}
	if k.spent += p.cost(len(k.forms)); k.spent > k.budget {
		return nil, newError(ErrIterationCount, nil, "the file's key derivations add up to about %.1f s of work, more than the %.1f s a file may take (too many encrypted keys with high iteration counts)",
			float64(k.spent)/1e9, float64(k.budget)/1e9)
	}
	var derived atomic.Int64
	plain, err := p.decrypt(ct, k.forms, &derived)
	if err != nil {
		return nil, err
	}
	// The padding matches by chance once in 256 wrong passwords: what
	// decrypts must also be a DER SEQUENCE.
	v := cryptobyte.String(plain)
	var info cryptobyte.String
	if !v.ReadASN1(&info, cbasn1.SEQUENCE) || !v.Empty() {
		return nil, ErrIncorrectPassword
	}
	return plain, nil
}
