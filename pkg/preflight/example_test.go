package preflight_test

import (
	"context"
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/preflight"
)

// Run checks the stores a connector would open and reports every problem.
func ExampleRun() {
	report := preflight.Run(context.Background(), preflight.Options{
		Host:      "fe1.uc.example.com",
		CertStore: &preflight.StoreSpec{Path: "../../fixtures/stores/trap.jks", Password: "changeit1", HasPassword: true},
		KeyStore:  &preflight.StoreSpec{Path: "../../fixtures/stores/truststore.jks", Password: "trustpass1", HasPassword: true},
		Now:       time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
	})
	for _, f := range report.Problems() {
		fmt.Println(f.Severity, f.Check, f.Subject)
	}
	fmt.Println("ok:", report.OK(false))
	// Output:
	// error key-password-differs ../../fixtures/stores/trap.jks#fe1.uc.example.com
	// ok: false
}

// The connector's own command line, typos included, is checked too.
func ExampleRun_arguments() {
	_, problems, _ := connector.ParseCommandLine(`-cert_store_file keys.p12 -cert_store_pass x -ket_store_type jks`)
	report := preflight.Run(context.Background(), preflight.Options{
		ArgFindings: connector.ProblemFindings(problems, "--args"),
		ArgsSubject: "--args",
	})
	for _, f := range report.Problems() {
		fmt.Printf("%s: %s (%s)\n", f.Check, f.Message, f.Hint)
	}
	// Output:
	// args-unknown-flag: unknown flag "-ket_store_type"; did you mean -key_store_type? (write -key_store_type instead)
}
