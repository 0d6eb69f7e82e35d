package verify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/uccert/uccert/pkg/verify"
)

// Run is `uccert verify --args` in process: the offline checks of the
// connector's own command line and files, then the live checks asked for
// (none here).
func ExampleRun() {
	args, problems, _ := connector.ParseCommandLine(`-cert_store_file ../../fixtures/stores/ucc-with-fes.jks -cert_store_pass changeit1 ` +
		`-cert_store_type jks -key_store_file ../../fixtures/stores/truststore.jks -key_store_pass trustpass1 -key_store_type jks`)
	opts := verify.Options{}
	opts.Host = "ucc.uc.example.com"
	opts.FEs = []string{"fe1.uc.example.com", "fe2.uc.example.com", "fe3.uc.example.com"}
	opts.Problems, opts.Subject = problems, "--args"
	opts.Now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	report := verify.Run(context.Background(), args, opts)
	for _, f := range report.Problems() {
		fmt.Println(f.Severity, f.Check, f.Message)
	}
	fmt.Println(report.Summary().Errors, "error")
	// Output:
	// error fe-identity-missing no key entry's certificate names Front End fe3.uc.example.com; did you mean fe2.uc.example.com (entry "fe2.uc.example.com")?
	// 1 error
}

// RunMaterial also returns the stores as verify read them: here the
// certificates of the key entries and of the trust store, with their
// validity, as `uccert verify --format prometheus` reports them.
func ExampleRunMaterial() {
	args := &connector.Args{
		CertStore: connector.StoreArgs{File: "../../fixtures/stores/ucc.jks", Type: "jks"},
		KeyStore:  connector.StoreArgs{File: "../../fixtures/stores/truststore.jks", Type: "jks"},
	}
	args.CertStore.Pass, args.CertStore.HasPass = secret.NewPassword("changeit1"), true
	args.KeyStore.Pass, args.KeyStore.HasPass = secret.NewPassword("trustpass1"), true
	opts := verify.Options{}
	opts.Host = "ucc.uc.example.com"
	opts.Now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	m, report := verify.RunMaterial(context.Background(), args, opts)
	for _, s := range []*keystore.Store{m.Keys, m.Trust} {
		for _, e := range s.Entries {
			for _, c := range e.Chain {
				fmt.Println(e.Alias, e.Kind, c.Subject.CommonName, c.NotAfter.Format(time.DateOnly))
			}
		}
	}
	fmt.Println("ok:", report.OK())
	// Output:
	// ucc.uc.example.com key ucc.uc.example.com 2040-06-01
	// ucc.uc.example.com key UC Test Issuing CA 2045-01-01
	// ucc.uc.example.com key UC Test Root CA 2045-01-01
	// ucc-cert trusted UC Test Root CA 2045-01-01
	// issuing trusted UC Test Issuing CA 2045-01-01
	// ok: true
}
