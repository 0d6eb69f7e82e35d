package keystore

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/fixtures"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// gostKey is a well-formed PKCS#8 GOST R 34.10-2001 key (its value is
// random: no GOST arithmetic is done anywhere).
func gostKey(t *testing.T) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1})
				b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1})
			})
		})
		b.AddASN1OctetString([]byte{0x04, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})
	})
	return b.BytesOrPanic()
}

// A key Go's crypto cannot use (GOST) is listed with the reason in words
// and kept: JKS and both PKCS#12 profiles write its bytes back as they
// were, and a read-back compares equal.
func TestKeysGoCannotUseAreKept(t *testing.T) {
	der := gostKey(t)
	s, err := Decode(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Entries[0]
	if e.Kind != KindKey || e.Key != nil || !bytes.Equal(e.PKCS8, der) ||
		!errors.Is(e.KeyErr, ErrKeyAlgorithm) || !errors.Is(e.KeyErr, ErrUnsupported) {
		t.Fatalf("entry %+v", e)
	}
	if msg := e.KeyErr.Error(); !strings.HasPrefix(msg, "unsupported: GOST R 34.10-2001 key") || fixtures.LibraryText(e.KeyErr, nil) != "" {
		t.Errorf("key error %q", msg)
	}
	if d := e.KeyDescription(); d != "GOST R 34.10-2001" {
		t.Errorf("KeyDescription %q", d)
	}
	if err := e.Writable(); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("Writable without a certificate: %v", err)
	}
	// With a chain (the file's pairing is taken as it is) it is written.
	p := getPKI(t)
	e.Alias, e.Chain = "gost", p.leaves[0].Chain
	if err := e.Writable(); err != nil {
		t.Fatalf("Writable: %v", err)
	}
	if err := e.Usable(); !errors.Is(err, ErrKeyAlgorithm) {
		t.Errorf("Usable: %v", err)
	}
	store := &Store{Entries: []*Entry{e, p.leaves[1]}}
	for _, c := range []struct {
		f Format
		p Profile
	}{{FormatJKS, ProfileModern}, {FormatPKCS12, ProfileModern}, {FormatPKCS12, ProfileLegacy}} {
		t.Run(c.f.String()+"/"+c.p.String(), func(t *testing.T) {
			store.Format = c.f
			data, err := Encode(store, EncodeOptions{Format: c.f, Profile: c.p, Password: secretPW("changeit1")})
			if err != nil {
				t.Fatal(err)
			}
			back, err := Decode(data, DecodeOptions{Password: secretPW("changeit1")})
			if err != nil {
				t.Fatal(err)
			}
			if err := Compare(store, back); err != nil {
				t.Fatal(err)
			}
			for _, g := range back.Entries {
				if g.Alias == "gost" && (!bytes.Equal(g.PKCS8, der) || !errors.Is(g.KeyErr, ErrKeyAlgorithm)) {
					t.Errorf("read back: %+v", g)
				}
			}
		})
	}
}

// A DSA key is recovered (*dsa.PrivateKey), matched with its certificate
// and written back; it cannot serve TLS.
func TestDSAEntry(t *testing.T) {
	s, err := Load(filepath.Join(fixturesDir, "exports", "dsa.pfx"), DecodeOptions{Password: secretPW("dsa-export")})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Entries[0]
	if e.Key == nil || e.KeyErr != nil || len(e.PKCS8) == 0 || !KeyMatchesCert(e.Key, e.Leaf()) {
		t.Fatalf("DSA entry: key %T, error %v", e.Key, e.KeyErr)
	}
	if err := e.Writable(); err != nil {
		t.Errorf("Writable: %v", err)
	}
	err = e.Usable()
	if !errors.Is(err, ErrKeyAlgorithm) || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "DSA 2048 key") {
		t.Errorf("Usable: %v", err)
	}
	if got := s.UnusableKeys("dsa.pfx"); len(got) != 1 || got[0].Alias != "dsa.uc.example.com" {
		t.Errorf("UnusableKeys: %v", got)
	}
	if got := s.UnwritableKeys("dsa.pfx"); len(got) != 0 {
		t.Errorf("UnwritableKeys: %v", got)
	}
	// The key of another certificate does not match.
	other := &Entry{Kind: KindKey, Key: e.Key, PKCS8: e.PKCS8, Chain: getPKI(t).leaves[0].Chain}
	if err := other.Writable(); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("DSA key with another certificate: %v", err)
	}
	// A DSA key from a PEM file (no bytes kept) is encoded by package pkcs8.
	pemFile, err := Load(filepath.Join(fixturesDir, "pki", "dsa.key.pem"), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := pemFile.Entries[0]
	if k.PKCS8 != nil || k.KeyDescription() != "DSA 2048" || !errors.Is(k.Usable(), ErrNoCertificate) {
		t.Fatalf("PEM DSA key: %d bytes kept, %q, %v", len(k.PKCS8), k.KeyDescription(), k.Usable())
	}
	k.Alias, k.Chain = "dsa", e.Chain
	data, err := Encode(&Store{Entries: []*Entry{k}}, EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data, DecodeOptions{Password: secretPW("changeit1")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Entries[0].PKCS8, e.PKCS8) {
		t.Error("the DSA key written from PEM is not the one OpenSSL exported")
	}
}

// Secret keys are entries of their own kind; JKS cannot hold them.
func TestSecretEntries(t *testing.T) {
	s, err := Load(filepath.Join(fixturesDir, "stores", "secret-keys.p12"), DecodeOptions{Password: secretPW("changeit1")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range s.Entries {
		if e.Kind == KindSecret {
			got = append(got, e.Alias+" "+e.KeyDescription())
			if e.Writable() != nil || e.Usable() != nil || e.Leaf() != nil {
				t.Errorf("%s: writable %v, usable %v", e.Alias, e.Writable(), e.Usable())
			}
		}
	}
	if want := []string{"aes-key AES 128", "hmac-key HmacSHA256 256"}; !slices.Equal(got, want) {
		t.Fatalf("secrets %q, want %q", got, want)
	}
	for _, n := range s.Notes {
		if strings.Contains(n, "secret") {
			t.Errorf("note %q: secret keys are entries now", n)
		}
	}
	_, err = Encode(s, EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `"aes-key" (AES 128)`) {
		t.Errorf("JKS with a secret key: %v", err)
	}
	if err := (&Entry{Kind: KindSecret, Alias: "x"}).Writable(); !errors.Is(err, ErrNoKey) {
		t.Errorf("secret without key: %v", err)
	}
}

// A key without its certificate is an entry, not a failed file.
func TestKeyWithoutCertificate(t *testing.T) {
	s, err := Load(filepath.Join(fixturesDir, "exports", "ucc-keyonly.pfx"), DecodeOptions{Password: secretPW("keyonly-export")})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Entries) != 1 || s.Entries[0].Alias != "ucc.uc.example.com" || s.Entries[0].KeyDescription() != "RSA 2048" {
		t.Fatalf("entries %+v", s.Entries)
	}
	if err := s.Entries[0].Usable(); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("Usable: %v", err)
	}
	if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], `"ucc.uc.example.com" has no certificate`) {
		t.Errorf("notes %q", s.Notes)
	}
}

// Key descriptions name every algorithm, never "<nil>".
func TestKeyDescriptions(t *testing.T) {
	spki := func(oid asn1.ObjectIdentifier) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
			b.AddASN1BitString([]byte{1})
		})
		return b.BytesOrPanic()
	}
	p := getPKI(t)
	for _, tt := range []struct {
		cert *x509.Certificate
		want string
	}{
		{p.leaves[0].Leaf(), "RSA 2048"},
		{p.leaves[1].Leaf(), "EC P-256"},
		{&x509.Certificate{RawSubjectPublicKeyInfo: spki(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19})}, "GOST R 34.10-2001"},
		{&x509.Certificate{RawSubjectPublicKeyInfo: spki(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1})}, "GOST R 34.10-2012 (256-bit)"},
		{&x509.Certificate{RawSubjectPublicKeyInfo: spki(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2})}, "GOST R 34.10-2012 (512-bit)"},
		{&x509.Certificate{RawSubjectPublicKeyInfo: spki(asn1.ObjectIdentifier{1, 3, 101, 113})}, "Ed448"},
		{&x509.Certificate{RawSubjectPublicKeyInfo: spki(asn1.ObjectIdentifier{1, 3, 101, 111})}, "X448"},
		{&x509.Certificate{RawSubjectPublicKeyInfo: spki(asn1.ObjectIdentifier{1, 2, 3, 4, 5})}, "OID 1.2.3.4.5"},
		{&x509.Certificate{}, "unknown"},
		{nil, ""},
	} {
		if got := CertificateKeyDescription(tt.cert); got != tt.want {
			t.Errorf("CertificateKeyDescription = %q, want %q", got, tt.want)
		}
	}
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if d := PublicKeyDescription(x.PublicKey()); d != "X25519" {
		t.Errorf("X25519: %q", d)
	}
	for _, pub := range []any{(*ecdsa.PublicKey)(nil), nil, struct{}{}} {
		if d := PublicKeyDescription(pub); d == "" || strings.Contains(d, "<nil>") {
			t.Errorf("PublicKeyDescription(%T) = %q", pub, d)
		}
	}
}
