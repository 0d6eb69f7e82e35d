package pkcs12

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/subtle"
	"encoding/asn1"
	"fmt"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/internal/rc2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// algorithmIdentifier is an AlgorithmIdentifier with its parameters kept
// as raw DER (nil when absent).
type algorithmIdentifier struct {
	oid    asn1.ObjectIdentifier
	params []byte
}

func readAlgorithm(s *cryptobyte.String) (algorithmIdentifier, error) {
	var seq cryptobyte.String
	var a algorithmIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.oid) {
		return a, fmt.Errorf("%w: bad AlgorithmIdentifier", ErrMalformed)
	}
	if !seq.Empty() {
		var p cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&p, &tag) || !seq.Empty() {
			return a, fmt.Errorf("%w: bad AlgorithmIdentifier parameters", ErrMalformed)
		}
		if tag != cbasn1.NULL {
			a.params = p
		}
	}
	return a, nil
}

func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, params func(*cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if params != nil {
			params(b)
		} else {
			b.AddASN1NULL()
		}
	})
}

func checkIterations(n int64, what string, limit int) (int, error) {
	if limit <= 0 || limit > MaxIterations {
		limit = MaxIterations
	}
	if n < 1 || n > int64(limit) {
		return 0, fmt.Errorf("%w: %s iteration count %d (allowed 1 to %d)", ErrIterationCount, what, n, limit)
	}
	return int(n), nil
}

// readIterations reads an INTEGER iteration count without overflowing:
// a count that does not fit in 63 bits is reported as out of range.
func readIterations(s *cryptobyte.String, what string, limit int) (int, error) {
	var n int64
	if !s.ReadASN1Integer(&n) {
		return 0, fmt.Errorf("%w: %s iteration count is not a small integer", ErrIterationCount, what)
	}
	return checkIterations(n, what, limit)
}

// secret is a password in the two forms PKCS#12 needs: the BMPString for
// the PKCS#12 KDF and the text (UTF-8) for PBKDF2.
type secret struct {
	bmp  []byte
	text string
}

func newSecret(password string) secret { return secret{bmpPassword(password), password} }

// alternatives lists the forms to try for password. An empty password is
// written by some producers as an empty BMPString (two zero bytes) and by
// others as no bytes at all; both are tried, the first one first.
func alternatives(password string) []secret {
	if password == "" {
		return []secret{newSecret(""), {nil, ""}}
	}
	return []secret{newSecret(password)}
}

// pkcs12PBE describes one of RFC 7292's pbeWithSHAAnd... schemes.
type pkcs12PBE struct {
	oid     asn1.ObjectIdentifier
	keyLen  int
	newBlck func(key []byte) (cipher.Block, error)
}

func new3DES(key []byte) (cipher.Block, error) {
	if len(key) == 16 { // two-key triple DES: K1 K2 K1
		key = append(append([]byte{}, key...), key[:8]...)
	}
	return des.NewTripleDESCipher(key)
}

var pkcs12PBEs = []pkcs12PBE{
	{oidPBEWithSHAAnd3KeyTripleDES, 24, new3DES},
	{oidPBEWithSHAAnd2KeyTripleDES, 16, new3DES},
	{oidPBEWithSHAAnd128BitRC2, 16, func(k []byte) (cipher.Block, error) { return rc2.New(k, 128) }},
	{oidPBEWithSHAAnd40BitRC2, 5, func(k []byte) (cipher.Block, error) { return rc2.New(k, 40) }},
}

// pbes2Cipher describes an encryption scheme usable inside PBES2.
type pbes2Cipher struct {
	oid     asn1.ObjectIdentifier
	keyLen  int
	newBlck func(key []byte) (cipher.Block, error)
}

var pbes2Ciphers = []pbes2Cipher{
	{oidAES128CBC, 16, aes.NewCipher},
	{oidAES192CBC, 24, aes.NewCipher},
	{oidAES256CBC, 32, aes.NewCipher},
	{oidDESEDE3CBC, 24, des.NewTripleDESCipher},
}

// cipherSetup is the result of parsing an encryption AlgorithmIdentifier
// and deriving its key: everything needed to run CBC.
type cipherSetup struct {
	block cipher.Block
	iv    []byte
}

// setup derives the key and IV for alg from password. The iteration count
// is checked before any derivation.
func setup(alg algorithmIdentifier, password secret, limit int) (cipherSetup, error) {
	if alg.oid.Equal(oidPBES2) {
		return setupPBES2(alg.params, password.text, limit)
	}
	for _, p := range pkcs12PBEs {
		if !p.oid.Equal(alg.oid) {
			continue
		}
		params := cryptobyte.String(alg.params)
		var seq cryptobyte.String
		var salt []byte
		if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
			return cipherSetup{}, fmt.Errorf("%w: bad PKCS#12 PBE parameters", ErrMalformed)
		}
		iter, err := readIterations(&seq, "encryption", limit)
		if err != nil {
			return cipherSetup{}, err
		}
		sha1 := digests[0]
		key := pkcs12KDF(sha1, password.bmp, salt, kdfKey, iter, p.keyLen)
		iv := pkcs12KDF(sha1, password.bmp, salt, kdfIV, iter, 8)
		blk, err := p.newBlck(key)
		if err != nil {
			return cipherSetup{}, fmt.Errorf("%w: %s", ErrMalformed, err.Error())
		}
		return cipherSetup{blk, iv}, nil
	}
	if alg.oid.Equal(oidPBEWithSHAAnd128BitRC4) || alg.oid.Equal(oidPBEWithSHAAnd40BitRC4) {
		return cipherSetup{}, fmt.Errorf("%w: RC4 encryption (%s); re-export the file with AES or 3DES", ErrUnsupported, alg.oid)
	}
	return cipherSetup{}, fmt.Errorf("%w: encryption algorithm %s", ErrUnsupported, alg.oid)
}

func setupPBES2(raw []byte, password string, limit int) (cipherSetup, error) {
	params := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return cipherSetup{}, fmt.Errorf("%w: bad PBES2 parameters", ErrMalformed)
	}
	kdf, err := readAlgorithm(&seq)
	if err != nil {
		return cipherSetup{}, err
	}
	enc, err := readAlgorithm(&seq)
	if err != nil {
		return cipherSetup{}, err
	}
	if !kdf.oid.Equal(oidPBKDF2) {
		return cipherSetup{}, fmt.Errorf("%w: PBES2 key derivation %s", ErrUnsupported, kdf.oid)
	}
	var c *pbes2Cipher
	for i := range pbes2Ciphers {
		if pbes2Ciphers[i].oid.Equal(enc.oid) {
			c = &pbes2Ciphers[i]
		}
	}
	if c == nil {
		return cipherSetup{}, fmt.Errorf("%w: PBES2 encryption scheme %s", ErrUnsupported, enc.oid)
	}
	encParams := cryptobyte.String(enc.params)
	var iv []byte
	if !encParams.ReadASN1Bytes(&iv, cbasn1.OCTET_STRING) {
		return cipherSetup{}, fmt.Errorf("%w: bad PBES2 IV", ErrMalformed)
	}

	kp := cryptobyte.String(kdf.params)
	var kseq cryptobyte.String
	var salt []byte
	if !kp.ReadASN1(&kseq, cbasn1.SEQUENCE) || !kseq.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
		return cipherSetup{}, fmt.Errorf("%w: bad PBKDF2 parameters (only a specified salt is supported)", ErrMalformed)
	}
	iter, err := readIterations(&kseq, "PBKDF2", limit)
	if err != nil {
		return cipherSetup{}, err
	}
	if kseq.PeekASN1Tag(cbasn1.INTEGER) {
		var keyLen int64
		if !kseq.ReadASN1Integer(&keyLen) || keyLen != int64(c.keyLen) {
			return cipherSetup{}, fmt.Errorf("%w: PBKDF2 key length does not fit the cipher", ErrMalformed)
		}
	}
	prf := digests[0] // hmacWithSHA1 is the default
	if !kseq.Empty() {
		a, err := readAlgorithm(&kseq)
		if err != nil {
			return cipherSetup{}, err
		}
		if prf, err = digestByPRF(a.oid); err != nil {
			return cipherSetup{}, err
		}
	}
	if !utf8.ValidString(password) {
		return cipherSetup{}, fmt.Errorf("%w: password is not valid UTF-8", ErrPasswordEncoding)
	}
	// PBES2 takes the password as UTF-8 bytes, as Java and OpenSSL do.
	key, err := pbkdf2.Key(prf.new, password, salt, iter, c.keyLen)
	if err != nil {
		return cipherSetup{}, fmt.Errorf("%w: %s", ErrMalformed, err.Error())
	}
	blk, err := c.newBlck(key)
	if err != nil {
		return cipherSetup{}, fmt.Errorf("%w: %s", ErrMalformed, err.Error())
	}
	if len(iv) != blk.BlockSize() {
		return cipherSetup{}, fmt.Errorf("%w: PBES2 IV has %d bytes, want %d", ErrMalformed, len(iv), blk.BlockSize())
	}
	return cipherSetup{blk, iv}, nil
}

// decrypt decrypts data encrypted with alg under password and removes the
// padding. A padding failure means a wrong password.
func decrypt(alg algorithmIdentifier, data []byte, password secret, limit int) ([]byte, error) {
	cs, err := setup(alg, password, limit)
	if err != nil {
		return nil, err
	}
	bs := cs.block.BlockSize()
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, fmt.Errorf("%w: encrypted data is not a whole number of blocks", ErrMalformed)
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(cs.block, cs.iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		return nil, ErrIncorrectPassword
	}
	want := make([]byte, pad)
	for i := range want {
		want[i] = byte(pad)
	}
	if subtle.ConstantTimeCompare(out[len(out)-pad:], want) != 1 {
		return nil, ErrIncorrectPassword
	}
	return out[:len(out)-pad], nil
}

// encryptCBC pads plaintext (PKCS#7) and encrypts it.
func encryptCBC(cs cipherSetup, plaintext []byte) []byte {
	bs := cs.block.BlockSize()
	pad := bs - len(plaintext)%bs
	buf := make([]byte, len(plaintext)+pad)
	copy(buf, plaintext)
	for i := len(plaintext); i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(cs.block, cs.iv).CryptBlocks(buf, buf)
	return buf
}

// setupLimitsOnly checks alg's iteration count against limit without
// deriving anything (so that a hostile count fails before any work).
func setupLimitsOnly(alg algorithmIdentifier, limit int) (int, error) {
	known := alg.oid.Equal(oidPBES2)
	for _, p := range pkcs12PBEs {
		known = known || p.oid.Equal(alg.oid)
	}
	if !known {
		return 0, nil // setup reports the unsupported algorithm
	}
	params := cryptobyte.String(alg.params)
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return 0, fmt.Errorf("%w: bad encryption parameters", ErrMalformed)
	}
	if alg.oid.Equal(oidPBES2) {
		kdf, err := readAlgorithm(&seq)
		if err != nil {
			return 0, err
		}
		kp := cryptobyte.String(kdf.params)
		var kseq cryptobyte.String
		var salt []byte
		if !kp.ReadASN1(&kseq, cbasn1.SEQUENCE) || !kseq.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
			return 0, fmt.Errorf("%w: bad PBKDF2 parameters", ErrMalformed)
		}
		return readIterations(&kseq, "PBKDF2", limit)
	}
	var salt []byte
	if !seq.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
		return 0, fmt.Errorf("%w: bad PKCS#12 PBE parameters", ErrMalformed)
	}
	return readIterations(&seq, "encryption", limit)
}
