package keystore_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
)

// The benchmarks decode and encode a 24-entry store (m01…m24, RSA 2048 and
// EC P-256 alternating, chains of 3) in every format and profile uccert
// writes: keytool's many.jks and many.p12 as shipped, and the legacy
// PKCS#12 profile encoded from the same entries in memory.

const benchPass = "changeit1"

type benchStores struct {
	jks, modern, legacy []byte          // encoded stores
	store               *keystore.Store // the decoded entries, for Encode
	err                 error
}

var (
	benchOnce sync.Once
	benchData benchStores
)

func loadBenchStores(b *testing.B) *benchStores {
	b.Helper()
	benchOnce.Do(func() {
		d := &benchData
		dir := filepath.Join("..", "..", "fixtures", "stores")
		if d.jks, d.err = os.ReadFile(filepath.Join(dir, "many.jks")); d.err != nil {
			return
		}
		if d.modern, d.err = os.ReadFile(filepath.Join(dir, "many.p12")); d.err != nil {
			return
		}
		if d.store, d.err = keystore.Decode(d.jks, keystore.DecodeOptions{Password: secret.NewPassword(benchPass)}); d.err != nil {
			return
		}
		d.legacy, d.err = keystore.Encode(d.store, keystore.EncodeOptions{
			Format: keystore.FormatPKCS12, Password: secret.NewPassword(benchPass), Profile: keystore.ProfileLegacy,
		})
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	if n := len(benchData.store.Entries); n != 24 {
		b.Fatalf("many.jks has %d entries, want 24", n)
	}
	return &benchData
}

func BenchmarkDecode(b *testing.B) {
	d := loadBenchStores(b)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"jks", d.jks},
		{"pkcs12-modern", d.modern},
		{"pkcs12-legacy", d.legacy},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				s, err := keystore.Decode(c.data, keystore.DecodeOptions{Password: secret.NewPassword(benchPass)})
				if err != nil {
					b.Fatal(err)
				}
				if len(s.Entries) != 24 {
					b.Fatalf("%d entries, want 24", len(s.Entries))
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	d := loadBenchStores(b)
	for _, c := range []struct {
		name    string
		format  keystore.Format
		profile keystore.Profile
	}{
		{"jks", keystore.FormatJKS, keystore.ProfileModern},
		{"pkcs12-modern", keystore.FormatPKCS12, keystore.ProfileModern},
		{"pkcs12-legacy", keystore.FormatPKCS12, keystore.ProfileLegacy},
	} {
		b.Run(c.name, func(b *testing.B) {
			opts := keystore.EncodeOptions{Format: c.format, Password: secret.NewPassword(benchPass), Profile: c.profile}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := keystore.Encode(d.store, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
