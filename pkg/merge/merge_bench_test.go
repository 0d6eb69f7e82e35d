package merge_test

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

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
	ca := testpki.SelfSigned(b, testpki.Spec{CN: "Bench Issuing CA", Org: []string{"UC Example"}, NotAfter: time.Now().AddDate(5, 0, 0), CA: true})
	inputs := make([]merge.Input, n)
	for i := range inputs {
		var key crypto.Signer = testpki.ECKey(b)
		if n <= 60 && i%2 == 0 {
			key = testpki.RSAKey(b, 2048)
		}
		host := fmt.Sprintf("fe%03d.uc.example.com", i+1)
		leaf := ca.Issue(b, testpki.Spec{CN: host, DNS: []string{host}, Serial: int64(i + 2), Key: key})
		inputs[i] = merge.Input{
			Name: fmt.Sprintf("fe%03d.pfx", i+1),
			Store: &keystore.Store{
				Format: keystore.FormatPKCS12,
				Entries: []*keystore.Entry{{
					Alias: host,
					Kind:  keystore.KindKey,
					Key:   key,
					Chain: []*x509.Certificate{leaf.Cert, ca.Cert},
				}},
			},
		}
	}
	benchSet[n] = inputs
	return inputs
}
