package keystore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/secret"
)

// Store.Profile of files made by keytool, OpenSSL and Windows-style
// exports: legacy when an old JRE reads everything in them.
func TestProfileAsRead(t *testing.T) {
	pw := fixtures.Passwords(t)
	for file, want := range map[string]Profile{
		"stores/frontends-legacy.p12": ProfileLegacy, // keytool 17 -J-Dkeystore.pkcs12.legacy
		"stores/frontends.p12":        ProfileModern, // keytool 17
		"exports/fe2-legacy.pfx":      ProfileLegacy, // openssl -legacy (RC2 certificates, 3DES key)
		"exports/fe1-windows.pfx":     ProfileLegacy, // 3DES throughout, as Windows exports
		"exports/fe1-openssl.pfx":     ProfileModern, // OpenSSL 3 (PBES2 AES-256)
	} {
		s, err := Load(fixtures.Path(file), DecodeOptions{Password: secret.NewPassword(pw[file])})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if s.Profile != want {
			t.Errorf("%s: Profile %s, want %s", file, s.Profile, want)
		}
	}
}

// Update with KeepProfile writes a legacy store back as legacy (OpenSSL
// judges the algorithms), and without it with EncodeOptions.Profile.
func TestUpdateKeepProfile(t *testing.T) {
	judge.Require(t, "openssl")
	const file = "stores/frontends-legacy.p12"
	pass := fixtures.Passwords(t)[file]
	src, err := os.ReadFile(fixtures.Path(file))
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "store.p12")
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		opts := UpdateOptions{KeepProfile: keep}
		opts.Format, opts.Password, opts.Profile = FormatPKCS12, secret.NewPassword(pass), ProfileModern
		if err := Update(context.Background(), path, opts, func(current *Store) (*Store, error) { return current, nil }); err != nil {
			t.Fatalf("keep %v: %v", keep, err)
		}
		out, err := judge.OpenSSLPKCS12Algorithms(t, path, pass)
		if err != nil {
			t.Fatalf("keep %v: openssl: %v", keep, err)
		}
		legacy := strings.Contains(out, "MAC: sha1") && strings.Contains(out, "pbeWithSHA1And3-KeyTripleDES-CBC") && !strings.Contains(out, "PBES2")
		modern := strings.Contains(out, "MAC: sha256") && strings.Contains(out, "PBES2, PBKDF2, AES-256-CBC")
		if keep && !legacy || !keep && !modern {
			t.Errorf("KeepProfile %v: openssl -info says\n%s", keep, out)
		}
	}
}
