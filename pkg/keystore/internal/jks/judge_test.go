package jks

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testfs"

	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore/internal/pkcs12"
)

// Passwords beyond Latin-1: € is U+20AC, 🔑 is U+1F511 (a surrogate pair in
// Java), κλειδί is Greek.
const (
	passEuro   = "päss€word1"
	passNonBMP = "🔑-päss€word1"
	passGreek  = "κλειδί-🔑-2"
)

// Stores that keytool makes with passwords beyond U+00FF (one with a
// character outside the BMP) and non-ASCII aliases decode with those
// passwords, their keys recover with their key passwords, and the aliases
// are what FoldAlias makes of the names given to keytool.
func TestKeytoolMadeStores(t *testing.T) {
	judge.Require(t, "keytool")
	cases := []struct {
		name, storePass, keyPass, alias string
	}{
		{"euro", passEuro, passEuro, "Ünïcode-€-Clé"},
		{"non-BMP, key password differs", passNonBMP, passGreek, "Schlüssel-🔑-ΟΔΟΣ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "made-by-keytool.jks")
			t.Setenv("UCCERT_TEST_STOREPASS", c.storePass)
			t.Setenv("UCCERT_TEST_KEYPASS", c.keyPass)
			if out, err := judge.Keytool(t, "-genkeypair", "-keystore", file, "-storetype", "JKS",
				"-storepass:env", "UCCERT_TEST_STOREPASS", "-keypass:env", "UCCERT_TEST_KEYPASS",
				"-alias", c.alias, "-keyalg", "EC", "-groupname", "secp256r1",
				"-dname", "CN=keytool.uc.example.com", "-validity", "30"); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := Decode(data, c.storePass)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || !entries[0].IsKey() || len(entries[0].Chain) != 1 {
				t.Fatalf("entries: %+v", entries)
			}
			e := entries[0]
			if want := FoldAlias(c.alias); e.Alias != want {
				t.Errorf("alias %q, want %q", e.Alias, want)
			}
			if d := time.Since(e.Created); d < 0 || d > time.Hour {
				t.Errorf("created %v", e.Created)
			}
			key := recoverParsed(t, e, c.keyPass)
			if !keyMatchesLeaf(t, e, key) {
				t.Error("the recovered key does not belong to the certificate")
			}
			if c.keyPass != c.storePass {
				if _, err := RecoverKey(e.Protected, c.storePass); !errors.Is(err, ErrKeyPassword) {
					t.Errorf("RecoverKey with the store password: %v", err)
				}
			}
			if _, err := Decode(data, latin1Mangle(c.storePass)); !errors.Is(err, ErrIncorrectPassword) {
				t.Errorf("the UTF-8 bytes as chars open the store: %v", err)
			}
		})
	}
}

// latin1Mangle is password's UTF-8 bytes taken one char each (what a
// byte-per-char JKS implementation hashes).
func latin1Mangle(password string) string {
	var sb strings.Builder
	for _, b := range []byte(password) {
		sb.WriteRune(rune(b))
	}
	return sb.String()
}

// judgeEntries are RSA and EC key entries (recovered from keytool-made
// fixtures) and a trusted entry, ready to be protected with a new password.
type judgeKey struct {
	alias string
	pkcs8 []byte
	chain [][]byte
}

func judgeMaterial(t *testing.T) (keys []judgeKey, trusted []byte) {
	t.Helper()
	for _, f := range []string{"stores/frontends.jks", "stores/mixed-rsa-ec.jks"} {
		entries, err := Decode(readFixture(t, f), "changeit1")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsKey() {
				trusted = e.Chain[0]
				continue
			}
			if f == "stores/mixed-rsa-ec.jks" && e.Alias != "fe4.uc.example.com" {
				continue
			}
			pkcs8, err := RecoverKey(e.Protected, "changeit1")
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, judgeKey{e.Alias, pkcs8, e.Chain})
		}
	}
	if len(keys) != 3 || trusted == nil {
		t.Fatalf("%d keys, trusted %v", len(keys), trusted != nil)
	}
	return keys, trusted
}

// Stores that Encode writes with passwords beyond Latin-1 (and keys under a
// password of their own) open in keytool -list and in Java's KeyStore.load,
// and every key comes back through KeyStore.getKey and signs for its leaf.
func TestJavaReadsEncodedStores(t *testing.T) {
	jvm := judge.Java(t)
	judge.Require(t, "keytool")
	keys, trusted := judgeMaterial(t)
	aliases := []string{"FE-Ünï-€", "fe-schlüssel-🔑", "ΟΔΟΣ-ec"}
	cases := []struct {
		name, storePass, keyPass string
	}{
		{"euro", passEuro, passEuro},
		{"non-BMP", passNonBMP, passNonBMP},
		{"key password differs", passEuro, passGreek},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var entries []Entry
			created := time.Date(2025, 6, 1, 12, 0, 0, 123e6, time.UTC)
			want := map[string]judge.StoreEntry{}
			for i, k := range keys {
				protected, err := ProtectKey(k.pkcs8, c.keyPass, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				entries = append(entries, Entry{Alias: aliases[i], Created: created, Protected: protected, Chain: k.chain})
				leaf, err := x509.ParseCertificate(k.chain[0])
				if err != nil {
					t.Fatal(err)
				}
				alg := map[x509.PublicKeyAlgorithm]string{x509.RSA: "RSA", x509.ECDSA: "EC"}[leaf.PublicKeyAlgorithm]
				want[FoldAlias(aliases[i])] = judge.StoreEntry{Alias: FoldAlias(aliases[i]), Kind: "PrivateKeyEntry",
					ChainLen: len(k.chain), SHA256: fingerprint(k.chain[0]), KeyAlg: alg, Status: "ok"}
			}
			entries = append(entries, Entry{Alias: "UCC-Cert-€", Created: created, Chain: [][]byte{trusted}})
			want["ucc-cert-€"] = judge.StoreEntry{Alias: "ucc-cert-€", Kind: "trustedCertEntry", ChainLen: 1,
				SHA256: fingerprint(trusted), KeyAlg: "RSA", Status: "ok"}
			data, err := Encode(entries, c.storePass)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "encoded.jks")
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}

			var javaList []judge.StoreEntry
			if c.keyPass == c.storePass {
				javaList = jvm.ListStore(t, file, "JKS", c.storePass)
			} else {
				javaList = jvm.ListStoreKeyPass(t, file, "JKS", c.storePass, c.keyPass)
			}
			if len(javaList) != len(want) {
				t.Fatalf("Java lists %d entries, want %d: %+v", len(javaList), len(want), javaList)
			}
			for _, got := range javaList {
				if got != want[got.Alias] {
					t.Errorf("Java:\n got  %+v\n want %+v", got, want[got.Alias])
				}
			}

			var wantAliases []string
			for a := range want {
				wantAliases = append(wantAliases, a)
			}
			slices.Sort(wantAliases)
			if got := judge.KeytoolList(t, file, "JKS", c.storePass); !slices.Equal(got, wantAliases) {
				t.Errorf("keytool -list: %q, want %q", got, wantAliases)
			}

			// And our reader agrees with what we wrote.
			back, err := Decode(data, c.storePass)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(entries) {
				t.Fatalf("%d entries back", len(back))
			}
			for i := range back {
				if back[i].Alias != FoldAlias(entries[i].Alias) || !back[i].Created.Equal(created) ||
					!bytes.Equal(back[i].Protected, entries[i].Protected) {
					t.Errorf("entry %d back: %q %v", i, back[i].Alias, back[i].Created)
				}
			}
		})
	}
}

// foldCases are aliases whose folds need more than ASCII lower-casing.
var foldCases = []string{
	"İSTANBUL",      // U+0130 → i + U+0307
	"ΟΔΟΣ",          // final sigma
	"ΣΑΣ",           // initial and final
	"Σ",             // alone: not final
	"ΑΣ.Β",          // '.' inside a word: not final
	"ΑΣ Β",          // space ends the word: final
	"ΑΣ-Β",          // '-' inside a word: not final
	"ΑΣ:Β",          // ':' ends the word: final
	"ΑΣ'Β",          // apostrophe inside a word: not final
	"ΑΣ_Β",          // '_' inside a word: not final
	"ΑΣ漢",           // Han makes a word of its own: final
	"ΑΣ--Β",         // two dashes end the word: final
	"Α1Σ",           // digits are in the word: final
	"ΑΣ1Β",          // so: not final
	"KELVIN-\u212A", // Kelvin sign → k
	"ǅ-TITLE",       // title case → ǆ
	"𐐀-DESERET",     // supplementary upper case
	"🔑-KEY-Ü",       // supplementary, no case
	"ẞ-SHARP",       // capital sharp s → ß
	"NUL\x00MID",    // C0 80 in modified UTF-8
	"plain-ascii",
}

// FoldAlias agrees with Java's alias.toLowerCase(Locale.ENGLISH): keytool
// -importkeystore of a PKCS#12 whose friendly names are foldCases writes a
// JKS (Java folds PKCS#12 aliases on load, and JKS aliases on store) whose
// aliases are exactly their FoldAlias.
func TestFoldAliasAgreesWithJava(t *testing.T) {
	judge.Require(t, "keytool")
	_, trusted := judgeMaterial(t)
	cert, err := x509.ParseCertificate(trusted)
	if err != nil {
		t.Fatal(err)
	}
	var contents pkcs12.Contents
	want := map[string]bool{}
	for _, a := range foldCases {
		contents.Certs = append(contents.Certs, pkcs12.CertBag{Cert: cert,
			Attrs: pkcs12.Attributes{FriendlyName: a, HasFriendlyName: true, JavaTrusted: true}})
		want[FoldAlias(a)] = true
	}
	if len(want) != len(foldCases) {
		t.Fatalf("folds collide: %v", want)
	}
	p12, err := pkcs12.Encode(&contents, "changeit1", pkcs12.Modern(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "aliases.p12"), filepath.Join(dir, "aliases.jks")
	if err := os.WriteFile(src, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("UCCERT_TEST_STOREPASS", "changeit1")
	if out, err := judge.Keytool(t, "-importkeystore", "-noprompt",
		"-srckeystore", src, "-srcstoretype", "PKCS12", "-srcstorepass:env", "UCCERT_TEST_STOREPASS",
		"-destkeystore", dst, "-deststoretype", "JKS", "-deststorepass:env", "UCCERT_TEST_STOREPASS"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	entries, err := Decode(testfs.ReadFile(t, dst), "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Alias] = true
		if !want[e.Alias] {
			t.Errorf("keytool wrote %q (%+q), which is no FoldAlias", e.Alias, e.Alias)
		}
	}
	for _, a := range foldCases {
		if f := FoldAlias(a); !got[f] {
			t.Errorf("FoldAlias(%q) = %q (%+q), which keytool did not write", a, f, f)
		}
	}
}

// Java reaches every entry that Encode writes, whatever the alias given:
// Encode folds it, and Java's lookups fold the alias again. This also
// checks that Java reads our modified UTF-8 (NUL, supplementary characters).
func TestJavaReachesEncodedAliases(t *testing.T) {
	jvm := judge.Java(t)
	_, trusted := judgeMaterial(t)
	var entries []Entry
	want := map[string]bool{}
	for _, a := range foldCases {
		entries = append(entries, Entry{Alias: a, Created: time.Unix(1700000000, 0), Chain: [][]byte{trusted}})
		want[FoldAlias(a)] = true
	}
	file := filepath.Join(t.TempDir(), "aliases.jks")
	data, err := Encode(entries, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	list := jvm.ListStore(t, file, "JKS", "changeit1")
	if len(list) != len(foldCases) {
		t.Fatalf("Java lists %d entries, want %d", len(list), len(foldCases))
	}
	for _, e := range list {
		if !want[e.Alias] || e.Kind != "trustedCertEntry" || e.SHA256 != fingerprint(trusted) {
			t.Errorf("Java: %+v (%+q)", e, e.Alias)
		}
	}
}

// What Encode guards against: Java lists an entry whose alias is not
// folded, but cannot reach it (getCertificate returns null), and keytool
// -list fails on it.
func TestJavaCannotReachUnfoldedAlias(t *testing.T) {
	jvm := judge.Java(t)
	_, trusted := judgeMaterial(t)
	data, err := Encode([]Entry{{Alias: "ucc-cert", Chain: [][]byte{trusted}}}, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	// Spell the alias in capitals and fix the digest.
	i := bytes.Index(data, []byte("ucc-cert"))
	copy(data[i:], "UCC-CERT")
	data = withDigest(data, "changeit1")
	entries, err := Decode(data, "changeit1")
	if err != nil || entries[0].Alias != "UCC-CERT" {
		t.Fatalf("Decode: %v %+v", err, entries)
	}
	file := filepath.Join(t.TempDir(), "unfolded.jks")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	list := jvm.ListStore(t, file, "JKS", "changeit1")
	if len(list) != 1 || list[0].Alias != "UCC-CERT" || list[0].SHA256 != "-" {
		t.Fatalf("Java: %+v; want the entry listed under UCC-CERT but unreachable", list)
	}
	t.Setenv("UCCERT_TEST_STOREPASS", "changeit1")
	if out, err := judge.Keytool(t, "-list", "-keystore", file, "-storetype", "JKS", "-storepass:env", "UCCERT_TEST_STOREPASS"); err == nil {
		t.Fatalf("keytool -list succeeded:\n%s", out)
	}
}
