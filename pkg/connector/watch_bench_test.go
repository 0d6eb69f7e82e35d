package connector

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

	"github.com/uccert/uccert/pkg/keystore"
)

// BenchmarkWatchReload is the cost of one rotation of a 60-entry cert
// store (RSA 2048 and EC P-256 alternating, chain leaf → CA) beside a
// trust store: reading both files, Load's checks on those bytes, the TLS
// configuration, the swap (Watcher.Update, the path a rotation takes
// after its Stat). PKCS#12 as uccert merge writes it by default (PBES2,
// 10000 iterations per key and for the MAC), and JKS.
func BenchmarkWatchReload(b *testing.B) {
	keys, trust := benchStores(b, 60)
	for _, f := range []keystore.Format{keystore.FormatPKCS12, keystore.FormatJKS} {
		b.Run(fmt.Sprintf("60/%s", f), func(b *testing.B) {
			dir := b.TempDir()
			a := &Args{
				CertStore: StoreArgs{File: filepath.Join(dir, "ucc."+f.String()), Pass: pw("changeit1"), HasPass: true},
				KeyStore:  StoreArgs{File: filepath.Join(dir, "trust.jks"), Pass: pw("trustpass1"), HasPass: true},
			}
			write := func(path string, s *keystore.Store, f keystore.Format, pass string) {
				data, err := keystore.Encode(s, keystore.EncodeOptions{Format: f, Password: pw(pass), Profile: keystore.ProfileModern})
				if err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o600); err != nil {
					b.Fatal(err)
				}
			}
			write(a.CertStore.File, keys, f, "changeit1")
			write(a.KeyStore.File, trust, keystore.FormatJKS, "trustpass1")
			w, err := watch(context.Background(), a, WatchOptions{
				LoadOptions: LoadOptions{Host: "fe001.uc.example.com"},
				Interval:    time.Hour,
			}, watchConfig{noNotify: true})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			if n := len(w.Current().Keys.Entries); n != 60 {
				b.Fatalf("%d key entries", n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := w.Update(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchStores returns a key store of n entries issued by one CA, and a
// trust store holding that CA.
func benchStores(b *testing.B, n int) (keys, trust *keystore.Store) {
	b.Helper()
	ca := testpki.SelfSigned(b, testpki.Spec{CN: "Bench Issuing CA", Org: []string{"UC Example"}, NotAfter: time.Now().AddDate(5, 0, 0), CA: true})
	keys = &keystore.Store{}
	for i := range n {
		var key crypto.Signer = testpki.ECKey(b)
		if i%2 == 0 {
			key = testpki.RSAKey(b, 2048)
		}
		host := fmt.Sprintf("fe%03d.uc.example.com", i+1)
		leaf := ca.Issue(b, testpki.Spec{CN: host, DNS: []string{host}, Serial: int64(i + 2), Key: key})
		keys.Entries = append(keys.Entries, &keystore.Entry{Alias: host, Kind: keystore.KindKey, Key: key, Chain: []*x509.Certificate{leaf.Cert, ca.Cert}})
	}
	trust = &keystore.Store{Entries: []*keystore.Entry{{Alias: "ucc-cert", Kind: keystore.KindTrusted, Chain: []*x509.Certificate{ca.Cert}}}}
	return keys, trust
}
