package verify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/connector"
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
