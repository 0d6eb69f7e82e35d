package pkcs8

import (
	"bytes"
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/fixtures"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func pemFixture(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(fixtures.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", rel)
	}
	return block.Bytes
}

// info builds a PrivateKeyInfo with the algorithm oid, params (nil: none)
// and the key octets.
func info(oid asn1.ObjectIdentifier, params func(*cryptobyte.Builder), key []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			if params != nil {
				params(b)
			}
		})
		b.AddASN1OctetString(key)
	})
	return b.BytesOrPanic()
}

// OpenSSL's DSA key (fixtures/pki/dsa.key.pem): Parse reads it as the key
// of fixtures/pki/dsa.pem, and Marshal writes the same bytes OpenSSL did.
func TestDSAAsOpenSSLWritesIt(t *testing.T) {
	der := pemFixture(t, "pki/dsa.key.pem")
	key, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := key.(*dsa.PrivateKey)
	if !ok {
		t.Fatalf("key %T", key)
	}
	cert, err := x509.ParseCertificate(pemFixture(t, "pki/dsa.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pub := cert.PublicKey.(*dsa.PublicKey)
	if pub.Y.Cmp(k.Y) != 0 || pub.P.Cmp(k.P) != 0 || pub.Q.Cmp(k.Q) != 0 || pub.G.Cmp(k.G) != 0 {
		t.Fatal("the key is not the certificate's")
	}
	if k.P.BitLen() != 2048 || k.Q.BitLen() != 256 {
		t.Errorf("DSA %d/%d", k.P.BitLen(), k.Q.BitLen())
	}
	again, err := Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, der) {
		t.Error("Marshal does not write the bytes OpenSSL wrote")
	}
	// A key crypto/dsa generates round-trips too.
	var g dsa.PrivateKey
	if err := dsa.GenerateParameters(&g.Parameters, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	if err := dsa.GenerateKey(&g, rand.Reader); err != nil {
		t.Fatal(err)
	}
	der, err = Marshal(&g)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if b := back.(*dsa.PrivateKey); b.X.Cmp(g.X) != 0 || b.Y.Cmp(g.Y) != 0 {
		t.Error("generated key does not round-trip")
	}
	if _, err := Marshal(&dsa.PrivateKey{}); err == nil {
		t.Error("Marshal accepted an empty DSA key")
	}
}

// Broken or oversized DSA keys are refused before any big computation.
func TestDSAHostile(t *testing.T) {
	params := func(p, q, g *big.Int) func(*cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1BigInt(p)
				b.AddASN1BigInt(q)
				b.AddASN1BigInt(g)
			})
		}
	}
	x := func(v *big.Int) []byte {
		var b cryptobyte.Builder
		b.AddASN1BigInt(v)
		return b.BytesOrPanic()
	}
	oidDSA := asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	huge := new(big.Int).Lsh(big.NewInt(1), 20000)
	huge.Add(huge, big.NewInt(1))
	bigQ := new(big.Int).Lsh(big.NewInt(1), 4000)
	p, q, g := big.NewInt(23), big.NewInt(11), big.NewInt(4)
	for name, der := range map[string][]byte{
		"no parameters":      info(oidDSA, nil, x(big.NewInt(3))),
		"20000-bit p":        info(oidDSA, params(huge, q, g), x(big.NewInt(3))),
		"4000-bit q":         info(oidDSA, params(p, bigQ, g), x(new(big.Int).Sub(bigQ, big.NewInt(1)))),
		"x = 0":              info(oidDSA, params(p, q, g), x(big.NewInt(0))),
		"x ≥ q":              info(oidDSA, params(p, q, g), x(big.NewInt(11))),
		"x not an INTEGER":   info(oidDSA, params(p, q, g), []byte{0x04, 0x01, 0x03}),
		"g ≥ p":              info(oidDSA, params(p, q, big.NewInt(23)), x(big.NewInt(3))),
		"even p":             info(oidDSA, params(big.NewInt(22), q, g), x(big.NewInt(3))),
		"not PrivateKeyInfo": {0x30, 0x03, 0x02, 0x01, 0x05},
	} {
		t.Run(name, func(t *testing.T) {
			key, err := Parse(der)
			if key != nil || !errors.Is(err, ErrNotPrivateKeyInfo) {
				t.Fatalf("key %T, error %v", key, err)
			}
		})
	}
	key, err := Parse(info(oidDSA, params(p, q, g), x(big.NewInt(3))))
	if err != nil || key.(*dsa.PrivateKey).Y.Int64() != 18 { // 4^3 mod 23
		t.Fatalf("tiny valid key: %v", err)
	}
}

// Keys Go cannot use are named in words; Name, Describe and PublicKeyName
// share one table.
func TestUnsupportedKeysNamed(t *testing.T) {
	curve := func(oid asn1.ObjectIdentifier) func(*cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) }
	}
	for _, tt := range []struct {
		oid    asn1.ObjectIdentifier
		params func(*cryptobyte.Builder)
		want   string
	}{
		{asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}, nil, "GOST R 34.10-2001 key"},
		{asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}, nil, "GOST R 34.10-2012 (256-bit) key"},
		{asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}, nil, "GOST R 34.10-2012 (512-bit) key"},
		{asn1.ObjectIdentifier{1, 3, 101, 113}, nil, "Ed448 key (not supported by Go's crypto)"},
		{asn1.ObjectIdentifier{1, 3, 101, 111}, nil, "X448 key (not supported by Go's crypto)"},
		{asn1.ObjectIdentifier{1, 2, 3, 4}, nil, "key algorithm OID 1.2.3.4"},
		{asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, curve(asn1.ObjectIdentifier{1, 3, 132, 0, 10}), "EC key on the secp256k1 curve (not supported by Go's crypto)"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			key, err := Parse(info(tt.oid, tt.params, []byte{4, 2, 1, 2}))
			var ue *UnsupportedError
			if key != nil || !errors.As(err, &ue) || ue.What != tt.want || !ue.Algorithm.Equal(tt.oid) {
				t.Fatalf("key %T, error %v; want %q", key, err, tt.want)
			}
			if raw := fixtures.LibraryText(err, nil); raw != "" {
				t.Errorf("library text %q in %q", raw, err)
			}
			// A certificate's key of the same algorithm.
			var spki cryptobyte.Builder
			spki.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(tt.oid) })
				b.AddASN1BitString([]byte{1, 2})
			})
			name := PublicKeyName(spki.BytesOrPanic())
			if want := strings.TrimSuffix(strings.TrimSuffix(tt.want, " (not supported by Go's crypto)"), " key"); !strings.HasPrefix(tt.want, "EC ") && name != strings.TrimPrefix(want, "key algorithm ") {
				t.Errorf("PublicKeyName = %q, want %q", name, want)
			}
		})
	}
	if PublicKeyName([]byte{0x30, 0x00}) != "" {
		t.Error("PublicKeyName of no SPKI")
	}
}

// What crypto/x509 parses comes back as it does, and Marshal is its
// encoding.
func TestParseAsCryptoX509(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := Marshal(ec)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := x509.MarshalPKCS8PrivateKey(ec)
	key, err := Parse(der)
	if err != nil || !bytes.Equal(der, want) || !key.(*ecdsa.PrivateKey).Equal(ec) {
		t.Fatalf("EC key: %v", err)
	}
	if _, ok := ParseInfo([]byte("garbage")); ok {
		t.Error("ParseInfo accepted garbage")
	}
}
