package pkcs12

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

func selfSigned(t testing.TB, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	return testpki.SelfSigned(t, testpki.Spec{CN: cn, DNS: []string{cn}, Serial: time.Now().UnixNano(), Key: key}).Cert
}

func testKeys(t testing.TB) (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return rk, ek
}

// go-pkcs12 is an independent implementation: files it writes must decode
// here, with the right key and certificates.
func TestDecodeGoPKCS12Output(t *testing.T) {
	rk, _ := testKeys(t)
	leaf := selfSigned(t, rk, "fe1.uc.example.com")
	ca := selfSigned(t, rk, "extra")
	encoders := map[string]*gopkcs12.Encoder{
		"LegacyRC2":  gopkcs12.LegacyRC2,
		"LegacyDES":  gopkcs12.LegacyDES,
		"Modern2023": gopkcs12.Modern2023,
	}
	for name, enc := range encoders {
		for _, pw := range []string{"s3cret-pw", "pässwörd-€", ""} {
			t.Run(name+"/"+pw, func(t *testing.T) {
				data, err := enc.Encode(rk, leaf, []*x509.Certificate{ca}, pw)
				if err != nil {
					t.Fatal(err)
				}
				c, err := Decode(data, pw, 0)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if len(c.Keys) != 1 || len(c.Certs) != 2 {
					t.Fatalf("got %d keys, %d certs", len(c.Keys), len(c.Certs))
				}
				if !rk.Equal(c.Keys[0].Key) {
					t.Error("key differs")
				}
				if !bytes.Equal(c.Certs[0].Cert.Raw, leaf.Raw) || !bytes.Equal(c.Certs[1].Cert.Raw, ca.Raw) {
					t.Error("certificates differ")
				}
				if _, err := Decode(data, pw+"x", 0); !errors.Is(err, ErrIncorrectPassword) {
					t.Errorf("wrong password: got %v, want ErrIncorrectPassword", err)
				}
			})
		}
	}
}

// Files we write with one key must decode with go-pkcs12.
func TestEncodeReadByGoPKCS12(t *testing.T) {
	rk, ek := testKeys(t)
	for _, key := range []crypto.Signer{rk, ek} {
		leaf := selfSigned(t, key, "fe2.uc.example.com")
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		for name, p := range map[string]Profile{"modern": Modern(), "legacy": Legacy()} {
			for _, pw := range []string{"changeit1", "pässwörd-€"} {
				attrs := Attributes{FriendlyName: "fe2.uc.example.com", HasFriendlyName: true, LocalKeyID: []byte{1, 2, 3}}
				c := &Contents{Keys: []KeyBag{{PKCS8: der, Attrs: attrs}}, Certs: []CertBag{{Cert: leaf, Attrs: attrs}}}
				data, err := Encode(c, pw, p, nil)
				if err != nil {
					t.Fatal(err)
				}
				gk, gc, _, err := gopkcs12.DecodeChain(data, pw)
				if err != nil {
					t.Fatalf("%s: go-pkcs12 DecodeChain: %v", name, err)
				}
				if !bytes.Equal(gc.Raw, leaf.Raw) {
					t.Errorf("%s: certificate differs", name)
				}
				if !key.(interface {
					Equal(crypto.PrivateKey) bool
				}).Equal(gk) {
					t.Errorf("%s: key differs", name)
				}
				back, err := Decode(data, pw, 0)
				if err != nil {
					t.Fatal(err)
				}
				if back.Keys[0].Attrs.FriendlyName != "fe2.uc.example.com" || !bytes.Equal(back.Keys[0].Attrs.LocalKeyID, []byte{1, 2, 3}) {
					t.Errorf("%s: attributes lost: %+v", name, back.Keys[0].Attrs)
				}
			}
		}
	}
}

func TestIterationLimitBeforeDerivation(t *testing.T) {
	if _, err := checkIterations(MaxIterations+1, "MAC", 0); !errors.Is(err, ErrIterationCount) {
		t.Fatalf("got %v", err)
	}
	if _, err := checkIterations(0, "MAC", 0); !errors.Is(err, ErrIterationCount) {
		t.Fatalf("got %v", err)
	}
	if n, err := checkIterations(600000, "MAC", 0); err != nil || n != 600000 {
		t.Fatalf("got %d %v", n, err)
	}
	if _, err := checkIterations(600000, "MAC", 100000); !errors.Is(err, ErrIterationCount) {
		t.Fatalf("a lower limit is not honoured: %v", err)
	}
	if _, err := Encode(&Contents{}, "x", Profile{Iterations: MaxIterations + 1}, nil); !errors.Is(err, ErrIterationCount) {
		t.Fatalf("Encode with too many iterations: %v", err)
	}
}

// RFC 7292 KDF: the known answer below was computed with OpenSSL's
// PKCS12_key_gen_uni (SHA-1, id 1, salt 0a58cf64530d823f, password
// "smeg", 1 iteration, 24 bytes), the vector also used by BouncyCastle.
func TestKDFKnownAnswer(t *testing.T) {
	salt := []byte{0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f}
	got := pkcs12KDF(digests[0], bmpPassword("smeg"), salt, kdfKey, 1, 24)
	want := []byte{0x8a, 0xaa, 0xe6, 0x29, 0x7b, 0x6c, 0xb0, 0x46, 0x42, 0xab, 0x5b, 0x07, 0x78, 0x51, 0x28, 0x4e, 0xb7, 0x12, 0x8f, 0x1a, 0x2a, 0x7f, 0xbc, 0xa3}
	if !bytes.Equal(got, want) {
		t.Fatalf("KDF = %x, want %x", got, want)
	}
}

// The derivations of a whole file are budgeted by their weighted cost, so
// that many bags at the per-count limit cannot add up to hours; and the
// budget is checked before the derivations run.
func TestFileDerivationBudget(t *testing.T) {
	rk, ek := testKeys(t)
	var c Contents
	for i, key := range []crypto.Signer{rk, ek, rk, ek, rk} {
		leaf := selfSigned(t, key, "k.uc.example.com")
		der, _ := x509.MarshalPKCS8PrivateKey(key)
		id := []byte{byte(i)}
		c.Keys = append(c.Keys, KeyBag{PKCS8: der, Attrs: Attributes{LocalKeyID: id}})
		c.Certs = append(c.Certs, CertBag{Cert: leaf, Attrs: Attributes{LocalKeyID: id}})
	}
	data, err := Encode(&c, "changeit1", Profile{PBES2: true, MACSHA256: true, Iterations: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// MAC (PKCS#12 KDF, SHA-256) + certificates + 5 keys (PBKDF2-HMAC-SHA-256,
	// one block for AES-256).
	total := int64(1000*costKDFSHA256 + 6*1000*costPBKDF2SHA256)
	if _, st, err := decode(data, "changeit1", 0, total-1); !errors.Is(err, ErrIterationCount) || st.derivations != 0 {
		t.Fatalf("over budget: %v after %d derivations", err, st.derivations)
	}
	got, st, err := decode(data, "changeit1", 0, total)
	if err != nil || len(got.Keys) != 5 {
		t.Fatalf("within budget: %v", err)
	}
	if st.cost != total || st.derivations != 7 {
		t.Errorf("cost %d in %d derivations, want %d in 7", st.cost, st.derivations, total)
	}
}
