package preflight_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/preflight"
)

// BenchmarkRun is `uccert verify` without the process: a 3-entry key store
// (host and two Front Ends), the trust store and a krb5.conf, mtls mode.
func BenchmarkRun(b *testing.B) {
	fx := filepath.Join("..", "..", "fixtures")
	opts := preflight.Options{
		Host: "ucc.uc.example.com",
		CertStore: &preflight.StoreSpec{
			Path: filepath.Join(fx, "stores", "ucc-with-fes.jks"), Password: "changeit1", HasPassword: true,
		},
		KeyStore: &preflight.StoreSpec{
			Path: filepath.Join(fx, "stores", "truststore.jks"), Password: "trustpass1", HasPassword: true,
		},
		Krb5: filepath.Join(fx, "krb5", "good.conf"),
	}
	ctx := context.Background()
	r := preflight.Run(ctx, opts)
	if len(r.Findings) == 0 {
		b.Fatal("no findings: nothing was checked")
	}
	for _, f := range r.Problems() {
		b.Logf("finding: %s %s", f.Check, f.Severity)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		preflight.Run(ctx, opts)
	}
}
