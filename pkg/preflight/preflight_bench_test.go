package preflight_test

import (
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/secret"
)

// BenchmarkRun is `uccert verify` without the process: a 3-entry key store
// (host and two Front Ends), the trust store and a krb5.conf, mtls mode.
func BenchmarkRun(b *testing.B) {
	fx := filepath.Join("..", "..", "fixtures")
	cert := &preflight.StoreSpec{
		Path: filepath.Join(fx, "stores", "ucc-with-fes.jks"), Password: secret.NewPassword("changeit1"), HasPassword: true,
	}
	key := &preflight.StoreSpec{
		Path: filepath.Join(fx, "stores", "truststore.jks"), Password: secret.NewPassword("trustpass1"), HasPassword: true,
	}
	run := func() *preflight.Result {
		return preflight.Run(preflight.Options{
			Host:      "ucc.uc.example.com",
			CertStore: preflight.Open(cert),
			KeyStore:  preflight.Open(key),
			Krb5:      filepath.Join(fx, "krb5", "good.conf"),
		})
	}
	r := run()
	if len(r.Report.Findings) == 0 {
		b.Fatal("no findings: nothing was checked")
	}
	for _, f := range r.Report.Problems() {
		b.Logf("finding: %s %s", f.Check, f.Severity)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		run()
	}
}
