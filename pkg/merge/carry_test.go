package merge

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/secret"
)

// carryInputs are a store with a DSA entry among four RSA ones, a store
// with two Java secret keys (and fe2 again), and the DSA export again.
func carryInputs(t *testing.T) []Input {
	return []Input{
		in(t, "stores/four-rsa-one-dsa.p12", "changeit1"),
		in(t, "stores/secret-keys.p12", "changeit1"),
		in(t, "exports/dsa.pfx", "dsa-export"),
	}
}

// Nothing uccert cannot use is lost: the DSA entry is carried over with
// its key as the input held it (and reported as key-weak), the secret
// keys go into PKCS#12, each duplicate is kept once with a note.
func TestMergeCarriesDSAAndSecretKeys(t *testing.T) {
	r, err := Merge(carryInputs(t), Options{Format: keystore.FormatPKCS12})
	if err != nil {
		t.Fatal(err)
	}
	got := aliases(r)
	want := []string{"key:fe1.uc.example.com", "key:fe2.uc.example.com", "key:dsa.uc.example.com", "key:fe3.uc.example.com",
		"key:ucc.uc.example.com", "secret:aes-key", "secret:hmac-key"}
	if !slices.Equal(got, want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
	var dsaEntry *keystore.Entry
	for _, p := range r.Entries {
		if p.Entry.Alias == "dsa.uc.example.com" {
			dsaEntry = p.Entry
		}
	}
	if dsaEntry.Key == nil || len(dsaEntry.PKCS8) == 0 || dsaEntry.Writable() != nil || !errors.Is(dsaEntry.Usable(), keystore.ErrKeyAlgorithm) {
		t.Fatalf("DSA entry: key %T, %d PKCS#8 bytes, writable %v, usable %v", dsaEntry.Key, len(dsaEntry.PKCS8), dsaEntry.Writable(), dsaEntry.Usable())
	}
	if !hasNote(r, "exports/dsa.pfx", "same certificate", "dsa.uc.example.com") || !hasNote(r, "secret-keys.p12", "fe2.uc.example.com", "kept once") {
		t.Errorf("notes %q", r.Notes)
	}
	weak := false
	for _, f := range r.Findings {
		weak = weak || f.Check == preflight.CheckKeyWeak && strings.Contains(f.Subject, "dsa.uc.example.com") && strings.Contains(f.Message, "DSA 2048")
	}
	if !weak {
		t.Errorf("no key-weak finding for the DSA entry: %+v", r.Findings)
	}
	// The same secret key twice is kept once.
	r, err = Merge([]Input{in(t, "stores/secret-keys.p12", "changeit1"), in(t, "stores/secret-keys.p12", "changeit1")}, Options{Format: keystore.FormatPKCS12})
	if err != nil {
		t.Fatal(err)
	}
	if got := aliases(r); len(got) != 3 || !hasNote(r, "aes-key", "same secret key") || !hasNote(r, "hmac-key", "same secret key") {
		t.Errorf("entries %v, notes %q", got, r.Notes)
	}
}

// JKS holds no secret keys: the merge refuses, naming each, unless told
// to drop them, and then each dropped one is named in a note.
func TestMergeSecretKeysIntoJKS(t *testing.T) {
	_, err := Merge(carryInputs(t), Options{Format: keystore.FormatJKS})
	if !errors.Is(err, ErrSecretKeys) {
		t.Fatalf("got %v, want ErrSecretKeys", err)
	}
	for _, s := range []string{"secret-keys.p12", `"aes-key" (AES 128)`, `"hmac-key" (HmacSHA256 256)`, "PKCS#12"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	r, err := Merge(carryInputs(t), Options{Format: keystore.FormatJKS, DropSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Entries {
		if p.Entry.Kind == keystore.KindSecret {
			t.Errorf("secret entry %q in a JKS result", p.Entry.Alias)
		}
	}
	for _, name := range []string{`"aes-key" (AES 128)`, `"hmac-key" (HmacSHA256 256)`} {
		if !hasNote(r, "secret-keys.p12", name, "dropped") {
			t.Errorf("no note names the dropped %s: %q", name, r.Notes)
		}
	}
}

// A key without its certificate cannot be merged: the error names the
// file and the key.
func TestMergeRefusesKeyWithoutCertificate(t *testing.T) {
	_, err := Merge([]Input{in(t, "exports/ucc-keyonly.pfx", "keyonly-export")}, Options{Format: keystore.FormatJKS})
	var ue *keystore.UnusableKeyError
	if !errors.Is(err, ErrUnusableKey) || !errors.Is(err, keystore.ErrNoCertificate) || !errors.As(err, &ue) {
		t.Fatalf("got %v", err)
	}
	if ue.File != "exports/ucc-keyonly.pfx" || ue.Alias != "ucc.uc.example.com" || !strings.Contains(err.Error(), "ucc-keyonly.pfx") {
		t.Errorf("error %q names %q, %q", err, ue.File, ue.Alias)
	}
}

// A trust store takes certificates: the secret keys of an input are left
// out, each named in a note.
func TestTrustStoreNamesSecretKeys(t *testing.T) {
	r, err := TrustStore([]Input{in(t, "stores/secret-keys.p12", "changeit1")}, TrustOptions{Format: keystore.FormatPKCS12})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Entries {
		if p.Entry.Kind != keystore.KindTrusted {
			t.Errorf("entry %q is %v", p.Entry.Alias, p.Entry.Kind)
		}
	}
	for _, name := range []string{`"aes-key" (AES 128)`, `"hmac-key" (HmacSHA256 256)`} {
		if !hasNote(r, "secret-keys.p12", name, "left out") {
			t.Errorf("no note names %s: %q", name, r.Notes)
		}
	}
}

// Java judges what a merge carries over: the DSA entry is a
// PrivateKeyEntry whose key Java recovers and signs with (SHA256withDSA,
// verified by the certificate), in JKS and in both PKCS#12 profiles; the
// secret keys are SecretKeyEntries with their algorithms; keytool lists
// every alias; OpenSSL decrypts every key of the PKCS#12 files.
func TestCarriedEntriesJudgedByJava(t *testing.T) {
	jvm := judge.Java(t)
	dir := t.TempDir()
	for _, c := range []struct {
		file     string
		format   keystore.Format
		javaType string
		profile  keystore.Profile
	}{
		{"carried.jks", keystore.FormatJKS, "JKS", keystore.ProfileModern},
		{"carried.p12", keystore.FormatPKCS12, "PKCS12", keystore.ProfileModern},
		{"carried-legacy.p12", keystore.FormatPKCS12, "PKCS12", keystore.ProfileLegacy},
	} {
		t.Run(c.file, func(t *testing.T) {
			res, err := Merge(carryInputs(t), Options{Format: c.format, DropSecrets: true})
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, c.file)
			opts := keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: c.format, Password: secret.NewPassword("changeit1"), Profile: c.profile}}
			if err := keystore.WriteFile(out, res.Store, opts); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{ // alias → kind and key algorithm
				"fe1.uc.example.com": "PrivateKeyEntry RSA", "fe2.uc.example.com": "PrivateKeyEntry RSA",
				"fe3.uc.example.com": "PrivateKeyEntry RSA", "ucc.uc.example.com": "PrivateKeyEntry RSA",
				"dsa.uc.example.com": "PrivateKeyEntry DSA",
			}
			if c.format == keystore.FormatPKCS12 {
				want["aes-key"], want["hmac-key"] = "SecretKeyEntry AES", "SecretKeyEntry HmacSHA256"
			}
			entries := jvm.ListStore(t, out, c.javaType, "changeit1")
			if len(entries) != len(want) {
				t.Fatalf("Java lists %+v", entries)
			}
			var listed []string
			for _, e := range entries {
				listed = append(listed, e.Alias)
				if got := e.Kind + " " + e.KeyAlg; got != want[e.Alias] || e.Status != "ok" {
					t.Errorf("Java: %+v, want %s ok", e, want[e.Alias])
				}
				if e.Kind == "PrivateKeyEntry" && e.ChainLen != 3 {
					t.Errorf("%s: chain %d", e.Alias, e.ChainLen)
				}
			}
			if got := judge.KeytoolList(t, out, c.javaType, "changeit1"); !slices.Equal(got, listed) {
				t.Errorf("keytool lists %q, Java %q", got, listed)
			}
			if c.format == keystore.FormatPKCS12 {
				// OpenSSL decrypts every key, the DSA one included, and
				// every certificate (5 leaves, issuing CA, root).
				keys, certs, err := judge.OpenSSLPKCS12Info(t, out, "changeit1", false)
				if err != nil || keys != 5 || certs != 7 {
					t.Errorf("openssl: %d keys, %d certificates, %v", keys, certs, err)
				}
			}
			// uccert reads back what it wrote, the DSA key byte for byte.
			back, err := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
			if err != nil {
				t.Fatal(err)
			}
			if err := keystore.Compare(res.Store, back); err != nil {
				t.Error(err)
			}
		})
	}
}
