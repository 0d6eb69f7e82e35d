package keystore

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/judge"
)

// What we write is judged by Java (KeyStore.load, getKey with the store
// password, a signature verified with the leaf), keytool and OpenSSL.
func TestWrittenStoresJudgedByJavaKeytoolOpenSSL(t *testing.T) {
	jvm := judge.Java(t)
	judge.Require(t, "openssl")
	p := getPKI(t)
	want := p.store(24, true)
	const pw = "changeit1"
	dir := t.TempDir()
	for _, wf := range writeFormats {
		t.Run(wf.name, func(t *testing.T) {
			path := filepath.Join(dir, wf.name+map[Format]string{FormatJKS: ".jks", FormatPKCS12: ".p12"}[wf.format])
			err := WriteFile(path, want, WriteOptions{EncodeOptions: EncodeOptions{Format: wf.format, Password: secretPW(pw), Profile: wf.profile}})
			if err != nil {
				t.Fatal(err)
			}
			javaType := map[Format]string{FormatJKS: "JKS", FormatPKCS12: "PKCS12"}[wf.format]
			got := jvm.ListStore(t, path, javaType, pw)
			if len(got) != len(want.Entries) {
				t.Fatalf("Java lists %d entries, want %d", len(got), len(want.Entries))
			}
			byAlias := map[string]judge.StoreEntry{}
			for _, g := range got {
				byAlias[g.Alias] = g
			}
			for _, e := range want.Entries {
				g, ok := byAlias[strings.ToLower(e.Alias)]
				if !ok {
					t.Errorf("Java does not list %q", e.Alias)
					continue
				}
				wantKind, wantLen := "PrivateKeyEntry", 3
				if e.Kind == KindTrusted {
					wantKind, wantLen = "trustedCertEntry", 1
				}
				if g.Kind != wantKind || g.ChainLen != wantLen || g.SHA256 != certfile.Fingerprint(e.Leaf()) || g.Status != "ok" {
					t.Errorf("Java sees %q as %+v; want %s, chain %d, sha256 %s, status ok", e.Alias, g, wantKind, wantLen, certfile.Fingerprint(e.Leaf()))
				}
			}
			aliases := judge.KeytoolList(t, path, javaType, pw)
			var wantAliases []string
			for _, e := range want.Entries {
				wantAliases = append(wantAliases, strings.ToLower(e.Alias))
			}
			sort.Strings(wantAliases)
			if strings.Join(aliases, ",") != strings.Join(wantAliases, ",") {
				t.Errorf("keytool -list shows %v, want %v", aliases, wantAliases)
			}
			if wf.format == FormatPKCS12 {
				keys, certs, err := judge.OpenSSLPKCS12Info(t, path, pw, wf.profile == ProfileLegacy)
				if err != nil {
					t.Fatalf("openssl pkcs12 -info: %v", err)
				}
				// 24 leaves + the trusted root (also the chains' root) + the issuing CA.
				if keys != 24 || certs != 26 {
					t.Errorf("openssl counts %d keys and %d certificates, want 24 and 26", keys, certs)
				}
			}
		})
	}
}

// Why CheckPassword refuses non-ASCII PKCS#12 passwords: Java 17 cannot
// open such a store, although OpenSSL made it and OpenSSL reads it.
func TestJavaRefusesNonASCIIPKCS12Password(t *testing.T) {
	jvm := judge.Java(t)
	msg := jvm.LoadError(t, filepath.Join(fixturesDir, "exports", "fe1-nonascii.pfx"), "PKCS12", "pässwörd-€")
	if !strings.Contains(msg, "ASCII") {
		t.Fatalf("Java's error %q does not mention ASCII", msg)
	}
	if err := CheckPassword(FormatPKCS12, secretPW("pässwörd-€")); !errors.Is(err, ErrPasswordEncoding) {
		t.Fatalf("CheckPassword: %v", err)
	}
	// JKS passwords are written as Java chars, beyond Latin-1 too (€ and
	// a character outside the BMP): Java opens the store and recovers the
	// keys with them, and keytool lists it.
	for _, pw := range []string{"pässwörd", "päss€word1", "🔑-päss€word1"} {
		if err := CheckPassword(FormatJKS, secretPW(pw)); err != nil {
			t.Fatalf("CheckPassword JKS %q: %v", pw, err)
		}
		path := filepath.Join(t.TempDir(), "nonascii.jks")
		opts := WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW(pw)}}
		if err := WriteFile(path, getPKI(t).store(2, true), opts); err != nil {
			t.Fatal(err)
		}
		entries := jvm.ListStore(t, path, "JKS", pw)
		if len(entries) != 3 {
			t.Errorf("Java lists %d entries: %+v", len(entries), entries)
		}
		for _, e := range entries {
			if e.Status != "ok" {
				t.Errorf("Java, password %q: %+v", pw, e)
			}
		}
		if aliases := judge.KeytoolList(t, path, "JKS", pw); len(aliases) != 3 {
			t.Errorf("keytool, password %q: %v", pw, aliases)
		}
	}
}
