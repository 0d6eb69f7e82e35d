package jks

import (
	"bytes"
	"crypto"
	"crypto/dsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/pkcs8"
)

const fixturesDir = "../../../../fixtures"

type expectedEntry struct {
	FriendlyName   *string  `json:"friendly_name"`
	Kind           string   `json:"kind"`
	SHA256         *string  `json:"sha256"`
	ChainSHA256    []string `json:"chain_sha256"`
	KeyMatchesLeaf *bool    `json:"key_matches_leaf"`
}

type expectedFile struct {
	File        string          `json:"file"`
	Type        string          `json:"type"`
	Password    *string         `json:"password"`
	KeyPassword *string         `json:"key_password"`
	Hostile     bool            `json:"hostile"`
	Entries     []expectedEntry `json:"entries"`
}

// jksFixtures returns what fixtures/expected.json (written by
// fixtures/make-fixtures.sh from keytool's and openssl's view of each
// file) says about the JKS files under dir ("stores" or "hostile").
func jksFixtures(tb testing.TB, dir string) []expectedFile {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(fixturesDir, "expected.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Files []expectedFile `json:"files"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatal(err)
	}
	var out []expectedFile
	for _, f := range doc.Files {
		if strings.HasPrefix(f.File, dir+"/") && strings.HasSuffix(f.File, ".jks") {
			out = append(out, f)
		}
	}
	if len(out) < 5 {
		tb.Fatalf("expected.json lists only %d JKS files under %s", len(out), dir)
	}
	return out
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixturesDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// recoverParsed recovers a key and parses its PKCS#8 as uccert does
// (package pkcs8: crypto/x509, and DSA).
func recoverParsed(t *testing.T, e Entry, password string) crypto.PrivateKey {
	t.Helper()
	der, err := RecoverKey(e.Protected, password)
	if err != nil {
		t.Fatalf("RecoverKey(%q): %v", e.Alias, err)
	}
	key, err := pkcs8.Parse(der)
	if err != nil {
		t.Fatalf("the PKCS#8 of %q does not parse: %v", e.Alias, err)
	}
	return key
}

// keyMatchesLeaf says whether a recovered key belongs to the entry's leaf.
func keyMatchesLeaf(t *testing.T, e Entry, key crypto.PrivateKey) bool {
	t.Helper()
	if len(e.Chain) == 0 {
		t.Fatalf("key entry %q has no certificate", e.Alias)
	}
	leaf, err := x509.ParseCertificate(e.Chain[0])
	if err != nil {
		t.Fatalf("leaf of %q: %v", e.Alias, err)
	}
	if k, ok := key.(*dsa.PrivateKey); ok {
		pub, ok := leaf.PublicKey.(*dsa.PublicKey)
		return ok && k.Y.Cmp(pub.Y) == 0 && k.P.Cmp(pub.P) == 0
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("the key of %q is a %T", e.Alias, key)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(leaf.PublicKey)
}

// Every JKS that keytool made for fixtures/ decodes with its password to the
// entries keytool listed, and every key recovers (with the key password
// where it differs) to a PKCS#8 that crypto/x509 parses and that belongs to
// the leaf (except in mismatch.jks, made so on purpose).
func TestKeytoolFixtures(t *testing.T) {
	for _, f := range jksFixtures(t, "stores") {
		t.Run(f.File, func(t *testing.T) {
			data := readFixture(t, f.File)
			if f.Password == nil {
				t.Fatal("no password in expected.json")
			}
			password := *f.Password
			entries, err := Decode(data, password)
			if err != nil {
				t.Fatal(err)
			}
			unverified, err := DecodeUnverified(data)
			if err != nil || !reflect.DeepEqual(unverified, entries) {
				t.Fatalf("DecodeUnverified differs from Decode (%v)", err)
			}
			if _, err := Decode(data, password+"x"); !errors.Is(err, ErrIncorrectPassword) {
				t.Fatalf("wrong password: %v", err)
			}
			type seen struct{ kind, alias, chain string }
			var got, want []seen
			for _, e := range entries {
				kind := "trusted"
				if e.IsKey() {
					kind = "key"
				}
				var chain []string
				for _, c := range e.Chain {
					chain = append(chain, fingerprint(c))
				}
				got = append(got, seen{kind, e.Alias, strings.Join(chain, ",")})
				if e.Created.IsZero() || e.Created.Location().String() != "UTC" {
					t.Errorf("%q: created %v", e.Alias, e.Created)
				}
			}
			for _, e := range f.Entries {
				chain := e.ChainSHA256
				if chain == nil && e.SHA256 != nil {
					chain = []string{*e.SHA256}
				}
				want = append(want, seen{e.Kind, *e.FriendlyName, strings.Join(chain, ",")})
			}
			cmp := func(a, b seen) int { return strings.Compare(a.alias, b.alias) }
			slices.SortFunc(got, cmp)
			slices.SortFunc(want, cmp)
			if !slices.Equal(got, want) {
				t.Fatalf("entries:\n got  %v\n want %v", got, want)
			}
			keyPassword := password
			if f.KeyPassword != nil {
				keyPassword = *f.KeyPassword
			}
			matches := map[string]bool{}
			for _, e := range f.Entries {
				matches[*e.FriendlyName] = e.KeyMatchesLeaf == nil || *e.KeyMatchesLeaf
			}
			for _, e := range entries {
				if !e.IsKey() {
					continue
				}
				if keyPassword != password {
					if _, err := RecoverKey(e.Protected, password); !errors.Is(err, ErrKeyPassword) {
						t.Errorf("%q with the store password: %v, want ErrKeyPassword", e.Alias, err)
					}
				}
				key := recoverParsed(t, e, keyPassword)
				if got := keyMatchesLeaf(t, e, key); got != matches[e.Alias] {
					t.Errorf("%q: key matches leaf: %v, want %v", e.Alias, got, matches[e.Alias])
				}
			}
		})
	}
}

// nonascii.jks holds € (U+20AC) in its password: keytool hashed it as the
// Java char 0x20AC, which no byte-per-char mapping can express.
func TestNonASCIIFixtureNeedsJavaChars(t *testing.T) {
	data := readFixture(t, "stores/nonascii.jks")
	const password = "pässwörd-€"
	if !strings.ContainsFunc(password, func(r rune) bool { return r > 0xFF }) {
		t.Fatal("the fixture's password has no character beyond U+00FF")
	}
	if _, err := Decode(data, password); err != nil {
		t.Fatal(err)
	}
	// The UTF-8 bytes as chars (0,b), what keystore-go computes, fail.
	var latin1 strings.Builder
	for _, b := range []byte(password) {
		latin1.WriteRune(rune(b))
	}
	if _, err := Decode(data, latin1.String()); !errors.Is(err, ErrIncorrectPassword) {
		t.Fatalf("UTF-8 bytes as chars: %v", err)
	}
}

// withDigest replaces the integrity digest at the end of a JKS image with
// the one password gives (data unchanged when too short or the password
// is not UTF-8).
func withDigest(data []byte, password string) []byte {
	pw, err := passwordChars(password)
	if err != nil || len(data) < headerLen+digestLen {
		return data
	}
	body := data[:len(data)-digestLen]
	sum := storeDigest(pw, body)
	return append(bytes.Clone(body), sum[:]...)
}
