package preflight_test

import (
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/secret"
)

// Run checks the stores a connector would open and reports every problem.
func ExampleRun() {
	res := preflight.Run(preflight.Options{
		Host: "fe1.uc.example.com",
		CertStore: preflight.Open(&preflight.StoreSpec{
			Path: "../../fixtures/stores/trap.jks", Password: secret.NewPassword("changeit1"), HasPassword: true,
		}),
		KeyStore: preflight.Open(&preflight.StoreSpec{
			Path: "../../fixtures/stores/truststore.jks", Password: secret.NewPassword("trustpass1"), HasPassword: true,
		}),
		Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
	})
	for _, f := range res.Report.Problems() {
		fmt.Println(f.Severity, f.Check, f.Subject)
	}
	fmt.Println("ok:", res.Report.OK())
	// Output:
	// error key-password-differs ../../fixtures/stores/trap.jks#fe1.uc.example.com
	// ok: false
}

// Open reads a store once and says why it cannot be used.
func ExampleOpen() {
	o := preflight.Open(&preflight.StoreSpec{
		Path: "../../fixtures/stores/ucc.jks", Password: secret.NewPassword("not-the-password"), HasPassword: true,
		Type: "pkcs12", TypeFromArgs: true,
	})
	for _, f := range o.Findings {
		fmt.Println(f.Severity, f.Check)
	}
	fmt.Println(o.Store == nil, o.Format)
	// Output:
	// error args-type-mismatch
	// error store-wrong-password
	// true jks
}

// CheckTrustStore is what `uccert truststore` warns with.
func ExampleCheckTrustStore() {
	o := preflight.Open(&preflight.StoreSpec{
		Path: "../../fixtures/stores/truststore-leaf.jks", Password: secret.NewPassword("trustpass1"), HasPassword: true,
	})
	for _, f := range preflight.CheckTrustStore("truststore-leaf.jks", o.Store, preflight.Options{}) {
		if f.Severity != 0 {
			fmt.Println(f.Severity, f.Check, f.Message)
		}
	}
	// Output:
	// warn truststore-not-ca CN=fe1.uc.example.com is not a CA certificate: it trusts only itself
}
