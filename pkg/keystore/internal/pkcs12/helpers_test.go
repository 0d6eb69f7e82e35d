package pkcs12

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/ber"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// testdata reads a file of testdata/, decoding base64 for *.b64.
func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".b64") {
		if b, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), "")); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return b
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixturesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pfxParts splits a PFX into its authSafe ContentInfo (encoded), the
// authenticated bytes (the content of its OCTET STRING) and its MacData
// (encoded; nil when absent).
func pfxParts(t testing.TB, data []byte) (authSafeCI, authSafe, macData []byte) {
	t.Helper()
	der, err := ber.ToDER(data)
	if err != nil {
		t.Fatal(err)
	}
	in := cryptobyte.String(der)
	var pfx, version, ci, md cryptobyte.String
	var tag cbasn1.Tag
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadAnyASN1Element(&version, &tag) ||
		!pfx.ReadASN1Element(&ci, cbasn1.SEQUENCE) {
		t.Fatal("not a PFX")
	}
	if !pfx.Empty() && !pfx.ReadASN1Element(&md, cbasn1.SEQUENCE) {
		t.Fatal("bad MacData")
	}
	c := ci
	_, content, err := readContentInfo(&c, "authenticated safe")
	var safe []byte
	if err != nil || !content.ReadASN1Bytes(&safe, cbasn1.OCTET_STRING) {
		t.Fatal("bad authSafe")
	}
	return ci, safe, md
}

// withMacData rebuilds a PFX with macData (encoded MacData; nil for none).
func withMacData(t testing.TB, data, macData []byte) []byte {
	t.Helper()
	ci, _, _ := pfxParts(t, data)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddBytes(ci)
		if macData != nil {
			b.AddBytes(macData)
		}
	})
	return b.BytesOrPanic()
}

// pbmac1MacData builds a PBMAC1 MacData (RFC 9579) whose PBKDF2 parameters
// say keyLen (0: absent) and iter iterations (claimIter instead when not
// 0), and whose MAC is computed over authSafe with a key of macKeyLen
// bytes derived from password.
func pbmac1MacData(authSafe []byte, password string, salt []byte, iter, claimIter int, prf, mac digest, keyLen, macKeyLen int) []byte {
	key, err := pbkdf2.Key(prf.new, password, salt, iter, macKeyLen)
	if claimIter != 0 {
		iter = claimIter
	}
	if err != nil {
		panic(err)
	}
	h := hmac.New(mac.new, key)
	h.Write(authSafe)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addAlgorithm(b, oidPBMAC1, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addAlgorithm(b, oidPBKDF2, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(salt)
							b.AddASN1Int64(int64(iter))
							if keyLen != 0 {
								b.AddASN1Int64(int64(keyLen))
							}
							addAlgorithm(b, prf.hmac, nil)
						})
					})
					addAlgorithm(b, mac.hmac, nil)
				})
			})
			b.AddASN1OctetString(h.Sum(nil))
		})
		b.AddASN1OctetString([]byte("NOT USED"))
		b.AddASN1Int64(1)
	})
	return b.BytesOrPanic()
}

// digestNamed returns the digest called name ("SHA-256").
func digestNamed(t testing.TB, name string) digest {
	t.Helper()
	for _, d := range digests {
		if d.name == name {
			return d
		}
	}
	t.Fatalf("no digest %s", name)
	return digest{}
}
