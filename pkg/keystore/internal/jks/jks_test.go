package jks

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswordChars(t *testing.T) {
	cases := []struct {
		password string
		want     string // hex
		err      error
	}{
		{"", "", nil},
		{"a1", "00610031", nil},
		{"ä", "00e4", nil},
		{"€", "20ac", nil},
		{"🔑", "d83ddd11", nil}, // U+1F511 as a surrogate pair
		{"\x00", "0000", nil},
		{"\xff", "", ErrPasswordEncoding},
		{"a\xed\xa0\x80", "", ErrPasswordEncoding}, // a surrogate in UTF-8 form
	}
	for _, c := range cases {
		t.Run(hex.EncodeToString([]byte(c.password)), func(t *testing.T) {
			got, err := passwordChars(c.password)
			if !errors.Is(err, c.err) || hex.EncodeToString(got) != c.want {
				t.Fatalf("got %x, %v; want %s, %v", got, err, c.want, c.err)
			}
		})
	}
}

func TestModifiedUTF8(t *testing.T) {
	cases := []struct{ text, mutf8 string }{
		{"", ""},
		{"fe1.uc.example.com", "6665312e75632e6578616d706c652e636f6d"},
		{"\x00", "c080"},
		{"é", "c3a9"},
		{"€", "e282ac"},
		{"🔑", "eda0bdedb491"}, // two 3-byte surrogates, not f09f9491
		{"a\x00🔑z", "61c080eda0bdedb4917a"},
	}
	for _, c := range cases {
		t.Run(c.mutf8, func(t *testing.T) {
			enc := appendMUTF8(nil, c.text)
			if hex.EncodeToString(enc) != c.mutf8 || mutf8Len(c.text) != len(enc) {
				t.Fatalf("encoded %x (length %d), want %s", enc, mutf8Len(c.text), c.mutf8)
			}
			var sb strings.Builder
			if kind, at := decodeMUTF8(enc, &sb); kind != nil || sb.String() != c.text {
				t.Fatalf("decoded %q, %v at %d", sb.String(), kind, at)
			}
		})
	}
	// What DataInputStream.readUTF accepts besides, and what it refuses.
	reads := []struct {
		mutf8, text string
		err         error
	}{
		{"00", "\x00", nil},            // a raw NUL byte
		{"c181", "A", nil},             // overlong
		{"e08181", "A", nil},           // overlong, 3 bytes
		{"f09f9491", "", ErrMalformed}, // 4-byte UTF-8
		{"80", "", ErrMalformed},       // a lone continuation byte
		{"e282", "", ErrMalformed},     // truncated
		{"c3c3", "", ErrMalformed},     // bad continuation
		{"eda0bd", "", ErrUnsupported}, // a lone high surrogate
		{"edb491", "", ErrUnsupported}, // a lone low surrogate
		{"edb491eda0bd", "", ErrUnsupported},
		{"eda0bd41", "", ErrUnsupported},
	}
	for _, c := range reads {
		t.Run("read "+c.mutf8, func(t *testing.T) {
			b, _ := hex.DecodeString(c.mutf8)
			var sb strings.Builder
			kind, _ := decodeMUTF8(b, &sb)
			if kind != c.err || c.err == nil && sb.String() != c.text {
				t.Fatalf("got %q, %v", sb.String(), kind)
			}
		})
	}
}

func TestFoldAlias(t *testing.T) {
	cases := map[string]string{
		"FE1.UC.Example.COM": "fe1.uc.example.com",
		"Ünïcode-€-Clé":      "ünïcode-€-clé",
		"İ":                  "i\u0307",
		"ΟΔΟΣ":               "οδος",
		"Σ":                  "σ",
		"ΣΑ":                 "σα",
		"ΑΣ.Β":               "ασ.β",
		"ΑΣ:Β":               "ας:β",
		"ς":                  "ς",
		"𐐀":                  "𐐨",
	}
	for in, want := range cases {
		if got := FoldAlias(in); got != want {
			t.Errorf("FoldAlias(%q) = %q, want %q", in, got, want)
		}
		if got := FoldAlias(want); got != want {
			t.Errorf("FoldAlias is not idempotent on %q: %q", want, got)
		}
	}
}

// image builds JKS images for tests, field by field.
type image struct{ b []byte }

func newImage(version, count uint32) *image {
	im := &image{}
	return im.u32(magicJKS).u32(version).u32(count)
}

func (im *image) u16(v uint16) *image { im.b = binary.BigEndian.AppendUint16(im.b, v); return im }
func (im *image) u32(v uint32) *image { im.b = binary.BigEndian.AppendUint32(im.b, v); return im }
func (im *image) u64(v uint64) *image { im.b = binary.BigEndian.AppendUint64(im.b, v); return im }
func (im *image) raw(b []byte) *image { im.b = append(im.b, b...); return im }
func (im *image) utf(s string) *image { return im.u16(uint16(len(s))).raw([]byte(s)) }

func (im *image) cert(version uint32, der []byte) *image {
	if version == 2 {
		im.utf("X.509")
	}
	return im.u32(uint32(len(der))).raw(der)
}

func (im *image) trusted(version uint32, alias string, der []byte) *image {
	return im.u32(tagTrusted).utf(alias).u64(1700000000000).cert(version, der)
}

func (im *image) key(version uint32, alias string, protected []byte, chain ...[]byte) *image {
	im.u32(tagKey).utf(alias).u64(1700000000000).u32(uint32(len(protected))).raw(protected).u32(uint32(len(chain)))
	for _, c := range chain {
		im.cert(version, c)
	}
	return im
}

// sealed appends the digest for password.
func (im *image) sealed(password string) []byte {
	pw, _ := passwordChars(password)
	sum := storeDigest(pw, im.b)
	return append(bytes.Clone(im.b), sum[:]...)
}

// A certificate and a protected key good enough for the structure.
var (
	testCert = []byte{0x30, 0x03, 0x02, 0x01, 0x00}
	testKey  = mustProtect([]byte{0x30, 0x03, 0x02, 0x01, 0x00}, "changeit1")
)

func mustProtect(pkcs8 []byte, password string) []byte {
	p, err := ProtectKey(pkcs8, password, bytes.NewReader(make([]byte, saltLen)))
	if err != nil {
		panic(err)
	}
	return p
}

// foreignKey is an EncryptedPrivateKeyInfo under PBEWithMD5AndTripleDES
// (JCEKS's OID 1.3.6.1.4.1.42.2.19.1), which a JKS key protector refuses.
var foreignKey = []byte{0x30, 0x15, 0x30, 0x0d, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x13, 0x01, 0x05, 0x00, 0x04, 0x04, 1, 2, 3, 4}

func TestDecodeCrafted(t *testing.T) {
	const pw = "changeit1"
	tooShortKey := []byte{0x30, 0x14, 0x30, 0x0e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01, 0x05, 0x00, 0x04, 0x02, 1, 2}
	cases := []struct {
		name string
		data []byte
		err  error
		text string // in the message
		n    int    // entries when err is nil
	}{
		{"empty", nil, ErrMalformed, "too short", 0},
		{"PKCS#12", []byte{0x30, 0x82, 0x0a, 0x00, 0x02, 0x01, 0x03}, ErrMalformed, "not a JKS keystore", 0},
		{"JCEKS", []byte{0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2, 0, 0, 0, 0}, ErrUnsupported, "keytool -importkeystore", 0},
		{"header only", newImage(2, 0).b, ErrMalformed, "too short", 0},
		{"empty store", newImage(2, 0).sealed(pw), nil, "", 0},
		{"version 3", newImage(3, 0).sealed(pw), ErrUnsupported, "version 3", 0},
		{"version 1", newImage(1, 2).trusted(1, "ca", testCert).key(1, "k", testKey, testCert, testCert).sealed(pw), nil, "", 2},
		{"key without chain", newImage(2, 1).key(2, "k", testKey).sealed(pw), nil, "", 1},
		{"foreign key protection", newImage(2, 1).key(2, "k", foreignKey, testCert).sealed(pw), nil, "", 1},
		{"wrong password", newImage(2, 0).sealed("other"), ErrIncorrectPassword, "", 0},
		{"trailing byte", append(newImage(2, 0).sealed(pw), 0), ErrMalformed, "follow the last entry", 0},
		{"count too large", newImage(2, 2).trusted(2, "ca", testCert).sealed(pw), ErrMalformed, "entry count 2", 0},
		{"secret key", newImage(2, 1).u32(tagSecret).utf("s").u64(0).u32(0).sealed(pw), ErrUnsupported, "secret-key entry", 0},
		{"unknown tag", newImage(2, 1).u32(9).utf("x").u64(0).u32(0).sealed(pw), ErrMalformed, "unknown entry type 9", 0},
		{"certificate type", newImage(2, 1).u32(tagTrusted).utf("x").u64(0).utf("PGP").u32(5).raw(testCert).sealed(pw), ErrUnsupported, `"PGP"`, 0},
		{"certificate not DER", newImage(2, 1).trusted(2, "x", []byte{1, 2, 3}).sealed(pw), ErrMalformed, "not a DER certificate", 0},
		{"empty certificate", newImage(2, 1).trusted(2, "x", nil).sealed(pw), ErrMalformed, "not a DER certificate", 0},
		{"key not DER", newImage(2, 1).key(2, "k", []byte{1, 2, 3}, testCert).sealed(pw), ErrMalformed, "not a DER EncryptedPrivateKeyInfo", 0},
		{"empty key", newImage(2, 1).key(2, "k", nil, testCert).sealed(pw), ErrMalformed, "not a DER EncryptedPrivateKeyInfo", 0},
		{"key too short", newImage(2, 1).key(2, "k", tooShortKey, testCert).sealed(pw), ErrMalformed, "too short", 0},
		{"duplicate alias", newImage(2, 2).trusted(2, "FE", testCert).trusted(2, "fe", testCert).sealed(pw), ErrMalformed, `entries 1 ("FE") and 2 ("fe")`, 0},
		{"duplicate alias, wrong password", newImage(2, 2).trusted(2, "FE", testCert).trusted(2, "fe", testCert).sealed("other"), ErrIncorrectPassword, "", 0},
		{"duplicate sigma", newImage(2, 2).trusted(2, "ΟΔΟΣ", testCert).trusted(2, "οδος", testCert).sealed(pw), ErrMalformed, "same alias", 0},
		{"alias not modified UTF-8", newImage(2, 1).trusted(2, "\xf0\x9f\x94\x91", testCert).sealed(pw), ErrMalformed, "not valid modified UTF-8", 0},
		{"alias with lone surrogate", newImage(2, 1).trusted(2, "\xed\xa0\xbd", testCert).sealed(pw), ErrUnsupported, "unpaired", 0},
		{"alias past the end", newImage(2, 1).u32(tagTrusted).u16(0xFFFF).raw([]byte("abc")).u64(0).u32(0).sealed(pw), ErrMalformed, "entry 1: alias runs past the end", 0},
		{"chain count", newImage(2, 1).u32(tagKey).utf("k").u64(0).u32(uint32(len(testKey))).raw(testKey).u32(0x7FFFFFFF).sealed(pw), ErrMalformed, "certificate count 2147483647", 0},
		{"certificate length", newImage(2, 1).u32(tagTrusted).utf("c").u64(0).utf("X.509").u32(0x7FFFFFFF).sealed(pw), ErrMalformed, `entry 1 ("c"): certificate 1: certificate runs past the end`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entries, err := Decode(c.data, pw)
			if !errors.Is(err, c.err) || c.err == nil && err != nil {
				t.Fatalf("got %v, want %v", err, c.err)
			}
			if err != nil {
				if entries != nil {
					t.Error("entries with an error")
				}
				if !strings.Contains(err.Error(), c.text) {
					t.Errorf("%q does not say %q", err, c.text)
				}
				if strings.Contains(err.Error(), pw) {
					t.Errorf("%q holds the password", err)
				}
				return
			}
			if len(entries) != c.n {
				t.Fatalf("%d entries, want %d", len(entries), c.n)
			}
			// Whatever Decode returns, Encode writes, and it reads back alike.
			out, err := Encode(entries, pw)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Decode(out, pw)
			if err != nil || !equalEntries(back, entries) {
				t.Fatalf("round trip: %v\n%+v\n%+v", err, back, entries)
			}
		})
	}
}

func equalEntries(a, b []Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Alias != b[i].Alias || !a[i].Created.Equal(b[i].Created) || !bytes.Equal(a[i].Protected, b[i].Protected) ||
			(a[i].Protected == nil) != (b[i].Protected == nil) || len(a[i].Chain) != len(b[i].Chain) {
			return false
		}
		for j := range a[i].Chain {
			if !bytes.Equal(a[i].Chain[j], b[i].Chain[j]) {
				return false
			}
		}
	}
	return true
}

// Decode's entries do not alias the caller's buffer.
func TestDecodeCopies(t *testing.T) {
	data := newImage(2, 1).key(2, "k", testKey, testCert).sealed("changeit1")
	entries, err := Decode(data, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	clear(data)
	if !bytes.Equal(entries[0].Protected, testKey) || !bytes.Equal(entries[0].Chain[0], testCert) {
		t.Fatal("entries changed with the input")
	}
	if cap(entries[0].Chain[0]) != len(testCert) {
		t.Fatal("appending to a certificate would overwrite what follows it")
	}
}

func TestDecodeUnverified(t *testing.T) {
	data := newImage(2, 1).trusted(2, "ca", testCert).sealed("secret-1")
	if _, err := Decode(data, "changeit1"); !errors.Is(err, ErrIncorrectPassword) {
		t.Fatal(err)
	}
	entries, err := DecodeUnverified(data)
	if err != nil || len(entries) != 1 || entries[0].Alias != "ca" || entries[0].IsKey() {
		t.Fatalf("%v %+v", err, entries)
	}
	if want := time.UnixMilli(1700000000000).UTC(); entries[0].Created != want {
		t.Fatalf("created %v", entries[0].Created)
	}
	// Structure errors come before the missing password matters.
	if _, err := DecodeUnverified(data[:len(data)-1]); !errors.Is(err, ErrMalformed) {
		t.Fatal(err)
	}
}

func TestRecoverKey(t *testing.T) {
	pkcs8 := []byte{0x30, 0x03, 0x02, 0x01, 0x07}
	protected := mustProtect(pkcs8, "päss€word1")
	got, err := RecoverKey(protected, "päss€word1")
	if err != nil || !bytes.Equal(got, pkcs8) {
		t.Fatalf("%x %v", got, err)
	}
	// A garbage plaintext under a right digest.
	pw, _ := passwordChars("pw")
	plain := []byte{1, 2, 3}
	salt := make([]byte, saltLen)
	data := append(bytes.Clone(salt), make([]byte, len(plain))...)
	xorKeystream(data[saltLen:], plain, pw, salt)
	sum := keyDigest(pw, plain)
	garbage := append([]byte{0x30, 0x3d, 0x30, 0x0e, 0x06, 0x0a}, keyProtectorOID...)
	garbage = append(append(garbage, 0x05, 0x00, 0x04, 0x2b), append(data, sum[:]...)...)
	if _, err := RecoverKey(garbage, "pw"); err == nil || !strings.Contains(err.Error(), "not a PKCS#8") {
		t.Fatalf("garbage under a right digest: %v", err)
	}
	cases := []struct {
		name      string
		protected []byte
		password  string
		err       error
	}{
		{"wrong password", protected, "päss€word2", ErrKeyPassword},
		{"Latin-1 mangled password", protected, latin1Mangle("päss€word1"), ErrKeyPassword},
		{"not UTF-8", protected, "\xff", ErrPasswordEncoding},
		{"foreign algorithm", foreignKey, "pw", ErrUnsupported},
		{"truncated", protected[:len(protected)-1], "päss€word1", ErrMalformed},
		{"not PKCS#8", garbage, "pw", ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := RecoverKey(c.protected, c.password)
			if !errors.Is(err, c.err) || got != nil {
				t.Fatalf("got %x, %v; want %v", got, err, c.err)
			}
		})
	}
	if _, err := RecoverKey(foreignKey, "pw"); err == nil || !strings.Contains(err.Error(), "1.3.6.1.4.1.42.2.19.1") {
		t.Fatalf("%v does not name the algorithm", err)
	}
}

func TestProtectKey(t *testing.T) {
	pkcs8 := []byte{0x30, 0x03, 0x02, 0x01, 0x07}
	if _, err := ProtectKey([]byte{1, 2}, "pw", nil); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
	if _, err := ProtectKey(pkcs8, "\xff", nil); !errors.Is(err, ErrPasswordEncoding) {
		t.Fatal(err)
	}
	if _, err := ProtectKey(pkcs8, "pw", bytes.NewReader(make([]byte, saltLen-1))); err == nil {
		t.Fatal("a short random source went unnoticed")
	}
	a, err := ProtectKey(pkcs8, "pw", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ProtectKey(pkcs8, "pw", nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("two protections share their salt")
	}
	// Sun's layout: SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING salt || key || digest }.
	if !bytes.HasPrefix(a, append([]byte{0x30, 0x3f, 0x30, 0x0e, 0x06, 0x0a}, keyProtectorOID...)) ||
		!bytes.HasPrefix(a[16:], []byte{0x05, 0x00, 0x04, 0x2d}) {
		t.Fatalf("layout %x", a)
	}
}

func TestEncodeRefuses(t *testing.T) {
	long := strings.Repeat("€", maxUTF/3)
	cases := []struct {
		name     string
		entries  []Entry
		password string
		err      error
	}{
		{"password not UTF-8", nil, "\xff", ErrPasswordEncoding},
		{"alias not UTF-8", []Entry{{Alias: "\xff", Chain: [][]byte{testCert}}}, "pw", ErrInvalid},
		{"alias too long", []Entry{{Alias: long + "a", Chain: [][]byte{testCert}}}, "pw", ErrInvalid},
		{"alias too long once folded", []Entry{{Alias: strings.Repeat("İ", maxUTF/3+1), Chain: [][]byte{testCert}}}, "pw", ErrInvalid},
		{"duplicate alias", []Entry{{Alias: "FE", Chain: [][]byte{testCert}}, {Alias: "fe", Chain: [][]byte{testCert}}}, "pw", ErrDuplicateAlias},
		{"trusted without certificate", []Entry{{Alias: "a"}}, "pw", ErrInvalid},
		{"trusted with two", []Entry{{Alias: "a", Chain: [][]byte{testCert, testCert}}}, "pw", ErrInvalid},
		{"empty protected key", []Entry{{Alias: "a", Protected: []byte{}, Chain: [][]byte{testCert}}}, "pw", ErrInvalid},
		{"garbage protected key", []Entry{{Alias: "a", Protected: []byte{1}, Chain: [][]byte{testCert}}}, "pw", ErrInvalid},
		{"certificate not DER", []Entry{{Alias: "a", Protected: testKey, Chain: [][]byte{{1}}}}, "pw", ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Encode(c.entries, c.password); !errors.Is(err, c.err) {
				t.Fatalf("got %v, want %v", err, c.err)
			}
		})
	}
	// The longest alias fits.
	out, err := Encode([]Entry{{Alias: long, Chain: [][]byte{testCert}}}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if back, err := Decode(out, "pw"); err != nil || back[0].Alias != long {
		t.Fatal(err)
	}
}

// Encode's output is a pure function of its input.
func TestEncodeDeterministic(t *testing.T) {
	entries := []Entry{
		{Alias: "ZZ", Created: time.UnixMilli(1), Chain: [][]byte{testCert}},
		{Alias: "aa", Created: time.UnixMilli(2), Protected: testKey, Chain: [][]byte{testCert}},
	}
	a, err := Encode(entries, "pw")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Encode(entries, "pw")
	if !bytes.Equal(a, b) {
		t.Fatal("two encodings differ")
	}
	back, err := Decode(a, "pw")
	if err != nil || back[0].Alias != "zz" || back[1].Alias != "aa" || !back[0].Created.Equal(time.UnixMilli(1)) {
		t.Fatalf("%v %+v", err, back)
	}
}
