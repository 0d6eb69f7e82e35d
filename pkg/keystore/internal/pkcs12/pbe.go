package pkcs12

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/subtle"
	"encoding/asn1"
	"sync/atomic"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/internal/rc2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// algorithmIdentifier is an AlgorithmIdentifier with its parameters kept
// as raw DER (nil when absent or NULL).
type algorithmIdentifier struct {
	oid    asn1.ObjectIdentifier
	params []byte
}

func readAlgorithm(s *cryptobyte.String, what string) (algorithmIdentifier, error) {
	var seq cryptobyte.String
	var a algorithmIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.oid) {
		return a, malformed("the %s algorithm is not a valid AlgorithmIdentifier", what)
	}
	if !seq.Empty() {
		var p cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&p, &tag) || !seq.Empty() {
			return a, malformed("the %s algorithm has bad parameters", what)
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
		return 0, newError(ErrIterationCount, nil, "%s iteration count %d (allowed 1 to %d)", what, n, limit)
	}
	return int(n), nil
}

// readIterations reads an INTEGER iteration count without overflowing:
// a count that does not fit in 63 bits is reported as out of range.
func readIterations(s *cryptobyte.String, what string, limit int) (int, error) {
	var n int64
	if !s.PeekASN1Tag(cbasn1.INTEGER) {
		return 0, malformed("%s iteration count is missing", what)
	}
	if !s.ReadASN1Integer(&n) {
		return 0, newError(ErrIterationCount, nil, "%s iteration count is not a number below 2^63", what)
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
// others as no bytes at all; both are tried, the first one first. Their
// text, for PBKDF2, is the same.
func alternatives(password string) []secret {
	if password == "" {
		return []secret{newSecret(""), {nil, ""}}
	}
	return []secret{newSecret(password)}
}

// utf8Password is the password as PBKDF2 takes it (UTF-8 bytes, as Java
// and OpenSSL pass it).
func utf8Password(pw secret) (string, error) {
	if !utf8.ValidString(pw.text) {
		return "", newError(ErrPasswordEncoding, nil, "the password is not valid UTF-8")
	}
	return pw.text, nil
}

// blockCipher is a CBC cipher usable by one of the schemes below.
type blockCipher struct {
	oid       asn1.ObjectIdentifier
	name      string
	keyLen    int
	blockSize int
	newBlock  func(key []byte) (cipher.Block, error)
}

func new3DES(key []byte) (cipher.Block, error) {
	if len(key) == 16 { // two-key triple DES: K1 K2 K1
		key = append(append([]byte{}, key...), key[:8]...)
	}
	return des.NewTripleDESCipher(key)
}

// pkcs12PBEs are RFC 7292's pbeWithSHAAnd... schemes (appendix C).
var pkcs12PBEs = []blockCipher{
	{oidPBEWithSHAAnd3KeyTripleDES, "pbeWithSHAAnd3-KeyTripleDES-CBC", 24, 8, new3DES},
	{oidPBEWithSHAAnd2KeyTripleDES, "pbeWithSHAAnd2-KeyTripleDES-CBC", 16, 8, new3DES},
	{oidPBEWithSHAAnd128BitRC2, "pbeWithSHAAnd128BitRC2-CBC", 16, 8, func(k []byte) (cipher.Block, error) { return rc2.New(k, 128) }},
	{oidPBEWithSHAAnd40BitRC2, "pbeWithSHAAnd40BitRC2-CBC", 5, 8, func(k []byte) (cipher.Block, error) { return rc2.New(k, 40) }},
}

// pbes2Ciphers are the encryption schemes usable inside PBES2.
var pbes2Ciphers = []blockCipher{
	{oidAES128CBC, "AES-128-CBC", 16, aes.BlockSize, aes.NewCipher},
	{oidAES192CBC, "AES-192-CBC", 24, aes.BlockSize, aes.NewCipher},
	{oidAES256CBC, "AES-256-CBC", 32, aes.BlockSize, aes.NewCipher},
	{oidDESEDE3CBC, "3DES-CBC", 24, des.BlockSize, des.NewTripleDESCipher},
}

// pbkdf2Params are PBKDF2-params (RFC 8018 appendix A.2).
type pbkdf2Params struct {
	salt   []byte
	iter   int
	keyLen int // 0 when absent
	prf    digest
}

func parsePBKDF2(raw []byte, what string, limit int) (pbkdf2Params, error) {
	var p pbkdf2Params
	params := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !params.Empty() {
		return p, malformed("the %s PBKDF2 parameters are not a SEQUENCE", what)
	}
	if !seq.PeekASN1Tag(cbasn1.OCTET_STRING) {
		return p, unsupported("%s PBKDF2 with a salt from another source (only a specified salt is supported)", what)
	}
	if !seq.ReadASN1Bytes(&p.salt, cbasn1.OCTET_STRING) {
		return p, malformed("the %s PBKDF2 salt is not an OCTET STRING", what)
	}
	var err error
	if p.iter, err = readIterations(&seq, what+" PBKDF2", limit); err != nil {
		return p, err
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		var n int64
		if !seq.ReadASN1Integer(&n) || n < 1 || n > 1024 {
			return p, malformed("the %s PBKDF2 key length is out of range", what)
		}
		p.keyLen = int(n)
	}
	p.prf = digests[0] // hmacWithSHA1 is the default
	if !seq.Empty() {
		a, err := readAlgorithm(&seq, what+" PBKDF2 PRF")
		if err != nil {
			return p, err
		}
		if p.prf, err = digestByPRF(a.oid); err != nil {
			return p, err
		}
		if !seq.Empty() {
			return p, malformed("the %s PBKDF2 parameters have extra fields", what)
		}
	}
	return p, nil
}

// pbe is a parsed password-based encryption AlgorithmIdentifier: either
// one of RFC 7292's PKCS#12 schemes or PBES2 with PBKDF2 (RFC 8018).
// Parsing checks the iteration count; nothing is derived until decrypt.
type pbe struct {
	pbes2   bool
	c       blockCipher
	prf     digest // PKCS#12 schemes: SHA-1
	salt    []byte
	iter    int
	pbes2IV []byte
}

func parsePBE(alg algorithmIdentifier, limit int) (*pbe, error) {
	if alg.oid.Equal(oidPBES2) {
		return parsePBES2(alg.params, limit)
	}
	for _, c := range pkcs12PBEs {
		if !c.oid.Equal(alg.oid) {
			continue
		}
		params := cryptobyte.String(alg.params)
		var seq cryptobyte.String
		p := &pbe{c: c, prf: digests[0]}
		if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Bytes(&p.salt, cbasn1.OCTET_STRING) {
			return nil, malformed("bad %s parameters", c.name)
		}
		var err error
		if p.iter, err = readIterations(&seq, "encryption", limit); err != nil {
			return nil, err
		}
		return p, nil
	}
	return nil, unsupportedEncryption(alg.oid)
}

func parsePBES2(raw []byte, limit int) (*pbe, error) {
	params := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed("the PBES2 parameters are not a SEQUENCE")
	}
	kdf, err := readAlgorithm(&seq, "PBES2 key derivation")
	if err != nil {
		return nil, err
	}
	enc, err := readAlgorithm(&seq, "PBES2 encryption")
	if err != nil {
		return nil, err
	}
	if !kdf.oid.Equal(oidPBKDF2) {
		return nil, unsupported("PBES2 with %s key derivation", algorithmName(kdf.oid))
	}
	p := &pbe{pbes2: true}
	found := false
	for _, c := range pbes2Ciphers {
		if c.oid.Equal(enc.oid) {
			p.c, found = c, true
		}
	}
	if !found {
		return nil, unsupported("PBES2 with %s encryption", algorithmName(enc.oid))
	}
	encParams := cryptobyte.String(enc.params)
	if !encParams.ReadASN1Bytes(&p.pbes2IV, cbasn1.OCTET_STRING) || len(p.pbes2IV) != p.c.blockSize {
		return nil, malformed("the PBES2 %s IV is not %d bytes", p.c.name, p.c.blockSize)
	}
	kp, err := parsePBKDF2(kdf.params, "PBES2", limit)
	if err != nil {
		return nil, err
	}
	if kp.keyLen != 0 && kp.keyLen != p.c.keyLen {
		return nil, malformed("the PBKDF2 key length %d does not fit %s (%d bytes)", kp.keyLen, p.c.name, p.c.keyLen)
	}
	p.salt, p.iter, p.prf = kp.salt, kp.iter, kp.prf
	return p, nil
}

// cost is the estimated work of one derivation (see cost.go); forms is
// the number of password forms a PKCS#12 scheme has to try.
func (p *pbe) cost(forms int) int64 {
	if p.pbes2 {
		return costOf(p.iter, blocksFor(p.c.keyLen, p.prf.size), p.prf.pbkdf2Cost)
	}
	// The key, then the 8-byte IV (one block of SHA-1).
	return costOf(p.iter, blocksFor(p.c.keyLen, p.prf.size)+1, p.prf.kdfCost) * int64(forms)
}

// setup derives the key and IV from pw.
func (p *pbe) setup(pw secret) (cipher.Block, []byte, error) {
	var key, iv []byte
	if p.pbes2 {
		text, err := utf8Password(pw)
		if err != nil {
			return nil, nil, err
		}
		if key, err = pbkdf2.Key(p.prf.new, text, p.salt, p.iter, p.c.keyLen); err != nil {
			return nil, nil, newError(ErrUnsupported, err, "PBKDF2 refused the parameters")
		}
		iv = p.pbes2IV
	} else {
		key = pkcs12KDF(p.prf, pw.bmp, p.salt, kdfKey, p.iter, p.c.keyLen)
		iv = pkcs12KDF(p.prf, pw.bmp, p.salt, kdfIV, p.iter, p.c.blockSize)
	}
	blk, err := p.c.newBlock(key)
	if err != nil {
		return nil, nil, newError(ErrMalformed, err, "%s refused the derived key", p.c.name)
	}
	return blk, iv, nil
}

// decrypt decrypts data under each password form in turn (PBES2 once: its
// forms share one text), removes the padding and counts the derivations
// in derived. A padding failure means a wrong password.
func (p *pbe) decrypt(data []byte, forms []secret, derived *atomic.Int64) ([]byte, error) {
	if len(data) == 0 || len(data)%p.c.blockSize != 0 {
		return nil, malformed("encrypted data is not a whole number of %s blocks", p.c.name)
	}
	err := ErrIncorrectPassword
	for i, f := range forms {
		if p.pbes2 && i > 0 {
			break
		}
		derived.Add(1)
		blk, iv, serr := p.setup(f)
		if serr != nil {
			return nil, serr
		}
		out := make([]byte, len(data))
		cipher.NewCBCDecrypter(blk, iv).CryptBlocks(out, data)
		if plain, ok := unpad(out, p.c.blockSize); ok {
			return plain, nil
		}
	}
	return nil, err
}

// unpad removes PKCS#7 padding; false when it is not well formed.
func unpad(out []byte, bs int) ([]byte, bool) {
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		return nil, false
	}
	want := make([]byte, pad)
	for i := range want {
		want[i] = byte(pad)
	}
	if subtle.ConstantTimeCompare(out[len(out)-pad:], want) != 1 {
		return nil, false
	}
	return out[:len(out)-pad], true
}

// encryptCBC pads plaintext (PKCS#7) and encrypts it.
func encryptCBC(blk cipher.Block, iv, plaintext []byte) []byte {
	bs := blk.BlockSize()
	pad := bs - len(plaintext)%bs
	buf := make([]byte, len(plaintext)+pad)
	copy(buf, plaintext)
	for i := len(plaintext); i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(buf, buf)
	return buf
}

// unsupportedEncryption names an encryption algorithm this package does
// not implement.
func unsupportedEncryption(oid asn1.ObjectIdentifier) error {
	name := algorithmName(oid)
	for _, o := range []asn1.ObjectIdentifier{oidPBEWithSHAAnd128BitRC4, oidPBEWithSHAAnd40BitRC4} {
		if o.Equal(oid) {
			return unsupported("RC4 encryption (%s); re-export the file with AES or 3DES", name)
		}
	}
	if len(oid) == 7 && oid[:6].Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5}) {
		return unsupported("PBES1 encryption (%s: single DES or RC2 with MD2, MD5 or SHA-1); re-export the file with AES or 3DES", name)
	}
	return unsupported("encryption algorithm %s", name)
}
