package pkcs12

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"fmt"
	"sync/atomic"

	"github.com/uccert/uccert/pkg/finding"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PBMAC1 key lengths (RFC 9579). The key length of PBMAC1's PBKDF2 is
// chosen by whoever wrote the file, and the MAC is only as strong as that
// key: with a 1-byte key, 256 tries forge a MAC that verifies under any
// password, so a tampered file would pass as intact. RFC 9579 makes the
// keyLength field mandatory (its appendix A.6 is a file without it that
// must fail) and its security considerations warn against short keys;
// RFC 2104 section 3 strongly discourages HMAC keys shorter than the hash
// output. The rule here: keyLength must be present, at least 20 bytes
// (the shortest HMAC output in use, SHA-1's, and what OpenSSL's and Java's
// writers never go below: they write the HMAC's output length) and at
// most 64 (the longest, SHA-512's: OpenSSL cannot read longer keys).
const (
	minPBMAC1KeyLen = 20
	maxPBMAC1KeyLen = 64
)

// macSpec is a parsed MacData: RFC 7292's HMAC with a key from the PKCS#12
// KDF, or RFC 9579's PBMAC1 (HMAC with a key from PBKDF2).
type macSpec struct {
	pbmac1 bool
	md     digest // the HMAC's hash
	salt   []byte
	iter   int
	want   []byte
	// PBMAC1 only: PBKDF2's PRF and key length.
	prf    digest
	keyLen int
}

func parseMacData(pfx *cryptobyte.String, limit int) (*macSpec, error) {
	var md, di cryptobyte.String
	if !pfx.ReadASN1(&md, cbasn1.SEQUENCE) || !md.ReadASN1(&di, cbasn1.SEQUENCE) {
		return nil, malformed("the MAC (MacData) is not a valid structure")
	}
	alg, err := readAlgorithm(&di, "MAC")
	if err != nil {
		return nil, err
	}
	m := &macSpec{}
	if !di.ReadASN1Bytes(&m.want, cbasn1.OCTET_STRING) || !di.Empty() {
		return nil, malformed("the MAC value is not an OCTET STRING")
	}
	if !md.ReadASN1Bytes(&m.salt, cbasn1.OCTET_STRING) {
		return nil, malformed("the MAC salt is not an OCTET STRING")
	}
	if alg.oid.Equal(oidPBMAC1) {
		// RFC 9579: macSalt and iterations are not used with PBMAC1
		// ("NOT USED" and 1 in its examples; OpenSSL repeats PBKDF2's).
		var ignored cryptobyte.String
		if !md.Empty() && !md.ReadASN1(&ignored, cbasn1.INTEGER) {
			return nil, malformed("the MAC iteration count is not an INTEGER")
		}
		if !md.Empty() {
			return nil, malformed("the MAC (MacData) has extra fields")
		}
		return m, m.parsePBMAC1(alg.params, limit)
	}
	m.iter = 1
	if !md.Empty() {
		if m.iter, err = readIterations(&md, "MAC", limit); err != nil {
			return nil, err
		}
	}
	if !md.Empty() {
		return nil, malformed("the MAC (MacData) has extra fields")
	}
	if m.md, err = digestByOID(alg.oid); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *macSpec) parsePBMAC1(raw []byte, limit int) error {
	params := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !params.Empty() {
		return malformed("the PBMAC1 parameters are not a SEQUENCE")
	}
	kdf, err := readAlgorithm(&seq, "PBMAC1 key derivation")
	if err != nil {
		return err
	}
	scheme, err := readAlgorithm(&seq, "PBMAC1 message authentication")
	if err != nil {
		return err
	}
	if !seq.Empty() {
		return malformed("the PBMAC1 parameters have extra fields")
	}
	if !kdf.oid.Equal(oidPBKDF2) {
		return unsupported("PBMAC1 with %s key derivation", algorithmName(kdf.oid))
	}
	kp, err := parsePBKDF2(kdf.params, "PBMAC1", limit)
	if err != nil {
		return err
	}
	if m.md, err = digestByPRF(scheme.oid); err != nil {
		return unsupported("PBMAC1 with %s message authentication", algorithmName(scheme.oid))
	}
	switch {
	case kp.keyLen == 0:
		return malformed("PBMAC1 without a key length in its PBKDF2 parameters (RFC 9579 requires one)")
	case kp.keyLen < minPBMAC1KeyLen:
		return unsupported("PBMAC1 with a %d-byte key: keys shorter than %d bytes let anyone forge the MAC without the password, so the file's integrity cannot be trusted", kp.keyLen, minPBMAC1KeyLen)
	case kp.keyLen > maxPBMAC1KeyLen:
		return unsupported("PBMAC1 with a %d-byte key (at most %d)", kp.keyLen, maxPBMAC1KeyLen)
	}
	m.pbmac1 = true
	m.salt, m.iter, m.prf, m.keyLen = kp.salt, kp.iter, kp.prf, kp.keyLen
	return nil
}

// cost is the estimated work of verifying the MAC (see cost.go) with
// forms password forms.
func (m *macSpec) cost(forms int) int64 {
	if m.pbmac1 {
		return costOf(m.iter, blocksFor(m.keyLen, m.prf.size), m.prf.pbkdf2Cost)
	}
	return costOf(m.iter, 1, m.md.kdfCost) * int64(forms)
}

// verify computes the MAC of authSafe with each password form and reports
// the form that matches. PBMAC1 derives once: it takes the password as
// UTF-8 text (RFC 9579 erratum 7974; OpenSSL and Java do so), which every
// form shares.
func (m *macSpec) verify(authSafe []byte, forms []secret, derived *atomic.Int64) (secret, bool, error) {
	if m.pbmac1 {
		text, err := utf8Password(forms[0])
		if err != nil {
			return secret{}, false, err
		}
		derived.Add(1)
		key, err := pbkdf2.Key(m.prf.new, text, m.salt, m.iter, m.keyLen)
		if err != nil {
			return secret{}, false, newError(ErrUnsupported, err, "PBKDF2 refused the PBMAC1 parameters")
		}
		return forms[0], m.matches(key, authSafe), nil
	}
	for _, f := range forms {
		derived.Add(1)
		if m.matches(pkcs12KDF(m.md, f.bmp, m.salt, kdfMAC, m.iter, m.md.size), authSafe) {
			return f, true, nil
		}
	}
	return secret{}, false, nil
}

func (m *macSpec) matches(key, authSafe []byte) bool {
	h := hmac.New(m.md.new, key)
	h.Write(authSafe)
	return hmac.Equal(h.Sum(nil), m.want)
}

// describe says how the file is protected, for Contents.MAC.
func (m *macSpec) describe() string {
	if m.pbmac1 {
		return fmt.Sprintf("PBMAC1 HMAC-%s, key from PBKDF2-HMAC-%s, %s", m.md.name, m.prf.name, finding.Count(m.iter, "iteration", "iterations"))
	}
	return fmt.Sprintf("HMAC-%s, %s", m.md.name, finding.Count(m.iter, "iteration", "iterations"))
}
