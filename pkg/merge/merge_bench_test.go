package merge_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
)

// BenchmarkMerge measures the merge job without file I/O: n decoded Front
// End exports (one key entry each, chain leaf → CA) through merge.Merge and
// keystore.Encode, for n = 2 and 60 (RSA 2048 and EC P-256 alternating) and
// n = 500 (EC P-256, so the setup stays fast).
func BenchmarkMerge(b *testing.B) {
	for _, n := range []int{2, 60, 500} {
		for _, f := range []keystore.Format{keystore.FormatJKS, keystore.FormatPKCS12} {
			b.Run(fmt.Sprintf("%d/%s", n, f), func(b *testing.B) {
				inputs := benchInputs(b, n)
				opts := keystore.EncodeOptions{Format: f, Password: secret.NewPassword("changeit1"), Profile: keystore.ProfileModern}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					res, err := merge.Merge(inputs, merge.Options{Format: f})
					if err != nil {
						b.Fatal(err)
					}
					if got := len(res.Store.Entries); got != n {
						b.Fatalf("%d entries, want %d", got, n)
					}
					if _, err := keystore.Encode(res.Store, opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

var (
	benchMu  sync.Mutex
	benchSet = map[int][]merge.Input{}
)

// benchInputs returns n single-key inputs, made once per n.
func benchInputs(b *testing.B, n int) []merge.Input {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if in, ok := benchSet[n]; ok {
		return in
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Bench Issuing CA", Organization: []string{"UC Example"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		b.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		b.Fatal(err)
	}
	inputs := make([]merge.Input, n)
	for i := range inputs {
		var key crypto.Signer
		if n <= 60 && i%2 == 0 {
			key, err = rsa.GenerateKey(rand.Reader, 2048)
		} else {
			key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		}
		if err != nil {
			b.Fatal(err)
		}
		host := fmt.Sprintf("fe%03d.uc.example.com", i+1)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 2)),
			Subject:      pkix.Name{CommonName: host},
			DNSNames:     []string{host},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.AddDate(1, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
		if err != nil {
			b.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			b.Fatal(err)
		}
		inputs[i] = merge.Input{
			Name: fmt.Sprintf("fe%03d.pfx", i+1),
			Store: &keystore.Store{
				Format: keystore.FormatPKCS12,
				Entries: []*keystore.Entry{{
					Alias: host,
					Kind:  keystore.KindKey,
					Key:   key,
					Chain: []*x509.Certificate{leaf, ca},
				}},
			},
		}
	}
	benchSet[n] = inputs
	return inputs
}
