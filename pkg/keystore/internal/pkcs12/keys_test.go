package pkcs12

import (
	"bytes"
	"crypto/dsa"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/internal/judge"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// pkcs8 builds a PrivateKeyInfo with the algorithm oid, params (nil: NULL)
// and the key octets.
func makePKCS8(oid asn1.ObjectIdentifier, params func(*cryptobyte.Builder), key []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addAlgorithm(b, oid, params)
		b.AddASN1OctetString(key)
	})
	return b.BytesOrPanic()
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// Keys Go cannot parse do not fail the file: the bag keeps its PKCS#8 and
// algorithm, with Key nil and an error that names the key in words.
func TestUnusableKeys(t *testing.T) {
	secp256k1 := asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	var ecKey cryptobyte.Builder
	ecKey.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1OctetString(randomBytes(t, 32))
	})
	synthetic := func(der []byte) []byte {
		data, err := Encode(&Contents{Keys: []KeyBag{{PKCS8: der}}}, "changeit1", Modern(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	gost := makePKCS8(oidGOST2001, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1})
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1})
		})
	}, randomBytes(t, 34))
	unknown := makePKCS8(asn1.ObjectIdentifier{1, 2, 3, 4}, nil, randomBytes(t, 16))
	ec := makePKCS8(oidECPublicKey, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(secp256k1) }, ecKey.BytesOrPanic())
	tests := []struct {
		name, password string
		data, pkcs8    []byte
		alg            asn1.ObjectIdentifier
		want           string
		certs          int
	}{
		{"Ed448 from OpenSSL", "key-export", testdata(t, "ed448-openssl.p12"), nil, asn1.ObjectIdentifier{1, 3, 101, 113}, "Ed448 key (not supported by Go's crypto)", 1},
		{"GOST R 34.10-2001", "changeit1", synthetic(gost), gost, oidGOST2001, "GOST R 34.10-2001 key", 0},
		{"unknown algorithm", "changeit1", synthetic(unknown), unknown, asn1.ObjectIdentifier{1, 2, 3, 4}, "key algorithm OID 1.2.3.4", 0},
		{"EC on secp256k1", "changeit1", synthetic(ec), ec, oidECPublicKey, "EC key on the secp256k1 curve (not supported by Go's crypto)", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode(tt.data, tt.password, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Keys) != 1 || len(c.Certs) != tt.certs {
				t.Fatalf("%d keys, %d certificates", len(c.Keys), len(c.Certs))
			}
			k := c.Keys[0]
			if k.Key != nil || !errors.Is(k.Err, ErrUnsupported) {
				t.Fatalf("key %T, error %v; want no key and ErrUnsupported", k.Key, k.Err)
			}
			if !k.Algorithm.Equal(tt.alg) {
				t.Errorf("algorithm %v, want %v", k.Algorithm, tt.alg)
			}
			if tt.pkcs8 != nil && !bytes.Equal(k.PKCS8, tt.pkcs8) {
				t.Error("PKCS#8 bytes differ")
			}
			msg := k.Err.Error()
			if !strings.HasSuffix(msg, tt.want) {
				t.Errorf("error %q does not end in %q", msg, tt.want)
			}
			if raw := fixtures.LibraryText(k.Err, nil); raw != "" {
				t.Errorf("error %q has library text %q", msg, raw)
			}
		})
	}
}

// Without a MAC, a decryption that does not give a PrivateKeyInfo at all
// is a wrong password; a well-formed PrivateKeyInfo of an unknown
// algorithm is not. With a MAC, the former is a malformed file.
func TestWrongPasswordHeuristics(t *testing.T) {
	garbage := append([]byte{0x04, 0x20}, randomBytes(t, 32)...) // an OCTET STRING, not a SEQUENCE
	unknown := makePKCS8(asn1.ObjectIdentifier{1, 2, 3, 4}, nil, randomBytes(t, 16))
	tests := []struct {
		name    string
		pkcs8   []byte
		mac     bool
		wantErr error
	}{
		{"garbage, no MAC", garbage, false, ErrIncorrectPassword},
		{"garbage, MAC", garbage, true, ErrMalformed},
		{"unknown algorithm, no MAC", unknown, false, nil},
		{"unknown algorithm, MAC", unknown, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Encode(&Contents{Keys: []KeyBag{{PKCS8: tt.pkcs8}}}, "changeit1", Legacy(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.mac {
				data = withMacData(t, data, nil)
			}
			c, err := Decode(data, "changeit1", 0)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if err == nil && (len(c.Keys) != 1 || c.Keys[0].Err == nil) {
				t.Errorf("keys %+v", c.Keys)
			}
		})
	}
}

// DSA keys, which crypto/x509 does not parse, are read (package pkcs8):
// the key belongs to the certificate OpenSSL exported with it, and the
// bag keeps the PKCS#8 bytes.
func TestDSAKeyIsRead(t *testing.T) {
	c, err := Decode(testdata(t, "dsa-openssl.p12"), "key-export", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Keys) != 1 || len(c.Certs) != 1 {
		t.Fatalf("%d keys, %d certificates", len(c.Keys), len(c.Certs))
	}
	k := c.Keys[0]
	key, ok := k.Key.(*dsa.PrivateKey)
	if !ok || k.Err != nil || !k.Algorithm.Equal(oidDSA) || len(k.PKCS8) == 0 {
		t.Fatalf("key %T, error %v, algorithm %v", k.Key, k.Err, k.Algorithm)
	}
	pub, ok := c.Certs[0].Cert.PublicKey.(*dsa.PublicKey)
	if !ok || pub.Y.Cmp(key.Y) != 0 || pub.P.Cmp(key.P) != 0 || pub.Q.Cmp(key.Q) != 0 || pub.G.Cmp(key.G) != 0 {
		t.Fatal("the DSA key does not match its certificate")
	}
}

// Encode writes a key Go cannot parse back from its PKCS#8 bytes, and
// OpenSSL reads the same key out of our file.
func TestUnusableKeyRoundTripOpenSSL(t *testing.T) {
	c, err := Decode(testdata(t, "dsa-openssl.p12"), "key-export", 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]Profile{"modern": Modern(), "legacy": Legacy()} {
		t.Run(name, func(t *testing.T) {
			data, err := Encode(c, "changeit1", p, nil)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "dsa.p12")
			if err := os.WriteFile(f, data, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("UCCERT_TEST_PASS", "changeit1")
			out, err := judge.OpenSSL(t, nil, "pkcs12", "-in", f, "-nocerts", "-nodes", "-passin", "env:UCCERT_TEST_PASS")
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode([]byte(out[strings.Index(out, "-----BEGIN"):]))
			if block == nil || block.Type != "PRIVATE KEY" || !bytes.Equal(block.Bytes, c.Keys[0].PKCS8) {
				t.Fatalf("openssl gives another key:\n%s", out)
			}
		})
	}
}
