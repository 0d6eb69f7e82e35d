package connector_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
)

// The daemon's start-up: parse its own command line, load the stores,
// and get one *tls.Config for its listener and its outgoing connections.
func ExampleLoad() {
	args, problems, err := connector.ParseCommandLine(`-cert_store_file ../../fixtures/stores/ucc-with-fes.jks -cert_store_pass changeit1 -cert_store_type jks ` +
		`-key_store_file ../../fixtures/stores/truststore.jks -key_store_pass trustpass1 -key_store_type jks`)
	if err != nil || len(problems) > 0 {
		fmt.Println(err, problems)
		return
	}
	m, err := connector.Load(args, connector.LoadOptions{Host: "ucc.uc.example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Mode, len(m.Keys.Entries), "key entries,", len(m.Trust.Entries), "trusted")
	// Output: mtls 3 key entries, 2 trusted
}

// The TLS configuration serves every key entry by SNI (RSA and EC alike)
// and requires client certificates from the trust store's CAs.
func ExampleMaterial_tlsConfig() {
	args := &connector.Args{
		CertStore: connector.StoreArgs{File: "../../fixtures/stores/mixed-rsa-ec.jks", Pass: secret.NewPassword("changeit1"), HasPass: true},
		KeyStore:  connector.StoreArgs{File: "../../fixtures/stores/truststore.jks", Pass: secret.NewPassword("trustpass1"), HasPass: true},
	}
	m, err := connector.Load(args, connector.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := m.TLS // for tls.Listen, and (with ServerName set) for tls.Dial
	fmt.Println(cfg.ClientAuth, cfg.GetCertificate != nil, cfg.GetClientCertificate != nil, cfg.RootCAs != nil)
	// Output: RequireAndVerifyClientCert true true true
}

// Check gives the daemon the offline report of `uccert verify` (package
// verify adds the live checks); Load refuses what the connector cannot
// start with, and errors.Is tells why.
func ExampleCheck() {
	args, problems, _ := connector.ParseCommandLine(`-cert_store_file ../../fixtures/stores/trap.jks -cert_store_pass changeit1 -cert_store_type jks ` +
		`-key_store_file ../../fixtures/stores/truststore.jks -key_store_pass trustpass1 -ket_store_type jks`)
	_, report := connector.Check(args, connector.CheckOptions{
		LoadOptions: connector.LoadOptions{Host: "fe1.uc.example.com"},
		Problems:    problems,
		Subject:     "--args",
		Now:         time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
	})
	for _, f := range report.Problems() {
		fmt.Println(f.Severity, f.Check)
	}
	_, err := connector.Load(args, connector.LoadOptions{Host: "fe1.uc.example.com"})
	fmt.Println(errors.Is(err, keystore.ErrKeyPassword))
	// Output:
	// error args-unknown-flag
	// error key-password-differs
	// true
}

// Merging Front End exports and printing the arguments for the result,
// as `uccert merge` does.
func Example_merge() {
	var inputs []merge.Input
	for _, in := range []struct{ file, pass string }{
		{"../../fixtures/exports/fe1-openssl.pfx", "fe1-export"},
		{"../../fixtures/exports/fe2-windows.pfx", "win-export"},
	} {
		s, err := keystore.Load(in.file, keystore.DecodeOptions{Password: secret.NewPassword(in.pass)})
		if err != nil {
			fmt.Println(err)
			return
		}
		inputs = append(inputs, merge.Input{Name: in.file, Store: s})
	}
	res, err := merge.Merge(inputs, merge.Options{Format: keystore.FormatPKCS12})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "uccert-example")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "ucc.p12")
	err = keystore.WriteFile(out, res.Store, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatPKCS12, Password: secret.NewPassword("changeit1")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Entries {
		fmt.Println(p.Entry.Alias)
	}
	args := connector.Args{CertStore: connector.StoreArgs{File: "C:\\ucc\\ucc.p12", Pass: secret.NewPassword("changeit1"), HasPass: true, Type: "pkcs12"}}
	line, _ := connector.FormatGenesys(connector.Redact(args.Tokens()))
	fmt.Println(line)
	// Output:
	// fe1.uc.example.com
	// fe2.uc.example.com
	// -cert_store_file C:\ucc\ucc.p12 -cert_store_pass ******** -cert_store_type pkcs12
}
