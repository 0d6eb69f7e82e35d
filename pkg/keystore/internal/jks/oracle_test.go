package jks

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	kgo "github.com/pavlo-v-chernykh/keystore-go/v4"
)

// keystore-go (an independent JKS implementation, kept as a test oracle)
// maps each password byte b to the Java char (0,b): on Latin-1 passwords
// given as Latin-1 bytes it hashes what Java does.
const latin1Password = "pässwörd-1"

func latin1Bytes(t *testing.T, s string) []byte {
	t.Helper()
	var out []byte
	for _, r := range s {
		if r > 0xFF {
			t.Fatalf("%q is not Latin-1", s)
		}
		out = append(out, byte(r))
	}
	return out
}

// zeroReader is a random source of zeros (deterministic salts).
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func kgoChain(chain [][]byte) []kgo.Certificate {
	out := make([]kgo.Certificate, len(chain))
	for i, c := range chain {
		out[i] = kgo.Certificate{Type: "X.509", Content: c}
	}
	return out
}

// What keystore-go writes, we read: entries, chains, times, and keys that
// recover to the PKCS#8 it was given. With the same salt, its key
// protection and ours are byte-identical.
func TestReadsKeystoreGo(t *testing.T) {
	keys, trusted := judgeMaterial(t)
	pw := latin1Bytes(t, latin1Password)
	created := time.UnixMilli(1748779200123)
	ks := kgo.New(kgo.WithOrderedAliases(), kgo.WithCustomRandomNumberGenerator(zeroReader{}))
	for _, k := range keys {
		if err := ks.SetPrivateKeyEntry(k.alias, kgo.PrivateKeyEntry{CreationTime: created, PrivateKey: k.pkcs8, CertificateChain: kgoChain(k.chain)}, pw); err != nil {
			t.Fatal(err)
		}
	}
	if err := ks.SetTrustedCertificateEntry("ucc-cert", kgo.TrustedCertificateEntry{CreationTime: created, Certificate: kgo.Certificate{Type: "X.509", Content: trusted}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ks.Store(&buf, pw); err != nil {
		t.Fatal(err)
	}
	entries, err := Decode(buf.Bytes(), latin1Password)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(keys)+1 {
		t.Fatalf("%d entries", len(entries))
	}
	byAlias := map[string]Entry{}
	for _, e := range entries {
		byAlias[e.Alias] = e
		if !e.Created.Equal(created) {
			t.Errorf("%q created %v", e.Alias, e.Created)
		}
	}
	if e := byAlias["ucc-cert"]; e.IsKey() || !bytes.Equal(e.Chain[0], trusted) {
		t.Errorf("trusted entry %+v", e)
	}
	for _, k := range keys {
		e, ok := byAlias[k.alias]
		if !ok || !e.IsKey() || !equalChains(e.Chain, k.chain) {
			t.Fatalf("%q: %+v", k.alias, e)
		}
		got, err := RecoverKey(e.Protected, latin1Password)
		if err != nil || !bytes.Equal(got, k.pkcs8) {
			t.Fatalf("%q: RecoverKey: %v", k.alias, err)
		}
		ours, err := ProtectKey(k.pkcs8, latin1Password, zeroReader{})
		if err != nil || !bytes.Equal(ours, e.Protected) {
			t.Errorf("%q: our protection differs from keystore-go's with the same salt (%v)", k.alias, err)
		}
	}
}

// What we write, keystore-go reads: it verifies the store digest and
// recovers every key to the PKCS#8 we protected.
func TestKeystoreGoReadsOurs(t *testing.T) {
	keys, trusted := judgeMaterial(t)
	created := time.UnixMilli(1748779200123)
	var entries []Entry
	for _, k := range keys {
		p, err := ProtectKey(k.pkcs8, latin1Password, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, Entry{Alias: k.alias, Created: created, Protected: p, Chain: k.chain})
	}
	entries = append(entries, Entry{Alias: "ucc-cert", Created: created, Chain: [][]byte{trusted}})
	data, err := Encode(entries, latin1Password)
	if err != nil {
		t.Fatal(err)
	}
	pw := latin1Bytes(t, latin1Password)
	ks := kgo.New(kgo.WithCaseExactAliases())
	if err := ks.Load(bytes.NewReader(data), pw); err != nil {
		t.Fatal(err)
	}
	if err := kgo.New().Load(bytes.NewReader(data), []byte("päss")); err == nil {
		t.Fatal("keystore-go accepts a wrong password")
	}
	for _, k := range keys {
		pke, err := ks.GetPrivateKeyEntry(k.alias, pw)
		if err != nil {
			t.Fatalf("%q: %v", k.alias, err)
		}
		var chain [][]byte
		for _, c := range pke.CertificateChain {
			chain = append(chain, c.Content)
		}
		if !bytes.Equal(pke.PrivateKey, k.pkcs8) || !equalChains(chain, k.chain) || !pke.CreationTime.Equal(created) {
			t.Errorf("%q: keystore-go reads something else", k.alias)
		}
	}
	tce, err := ks.GetTrustedCertificateEntry("ucc-cert")
	if err != nil || !bytes.Equal(tce.Certificate.Content, trusted) {
		t.Fatalf("trusted entry: %v", err)
	}
}

func equalChains(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// keystore-go cannot express a password beyond Latin-1: neither the UTF-8
// bytes nor anything else opens a store we wrote with €.
func TestKeystoreGoCannotReadEuro(t *testing.T) {
	data, err := Encode([]Entry{{Alias: "ca", Chain: [][]byte{testCert}}}, passEuro)
	if err != nil {
		t.Fatal(err)
	}
	err = kgo.New().Load(bytes.NewReader(data), []byte(passEuro))
	if err == nil {
		t.Fatal("keystore-go opened a € store with the UTF-8 bytes")
	}
	t.Logf("keystore-go: %v", err)
}
