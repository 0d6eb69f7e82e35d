package verify

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/secret"
)

// uccert verify and connector.Load agree on the stores and passwords: for
// every combination of a present, missing, misnamed or unopenable cert
// store and key store, verify reports an error exactly when Load fails.
// (0.1.0 passed an mtls store without a trust store that Load refused;
// 0.2.0's verify --args passed a command line naming no store.)
func TestVerifyAndLoadAgree(t *testing.T) {
	type st struct {
		name string
		args connector.StoreArgs
	}
	sa := func(file, pass string, hasPass bool) connector.StoreArgs {
		s := connector.StoreArgs{HasPass: hasPass, Pass: secret.NewPassword(pass)}
		if file != "" {
			s.File = filepath.Join(fx, file)
		}
		return s
	}
	certs := []st{
		{"keys", sa("stores/ucc-with-fes.jks", "changeit1", true)},
		{"absent", connector.StoreArgs{}},
		{"missing file", sa("stores/nope.jks", "changeit1", true)},
		{"wrong password", sa("stores/ucc-with-fes.jks", "wrong-pass", true)},
		{"no password", sa("stores/ucc-with-fes.jks", "", false)},
		{"trust store", sa("stores/truststore.jks", "trustpass1", true)},
		{"key under another password", sa("stores/trap.jks", "changeit1", true)},
	}
	keys := []st{
		{"trust", sa("stores/truststore.jks", "trustpass1", true)},
		{"absent", connector.StoreArgs{}},
		{"missing file", sa("stores/nope.jks", "trustpass1", true)},
		{"wrong password", sa("stores/truststore.jks", "wrong-pass", true)},
		{"no password", sa("stores/truststore.jks", "", false)},
		{"empty trust store", sa("stores/truststore-empty.jks", "trustpass1", true)},
		{"keys", sa("stores/ucc-with-fes.jks", "changeit1", true)},
	}
	errorsSeen := 0
	for _, c := range certs {
		for _, k := range keys {
			for _, krb := range []string{"", filepath.Join(fx, "krb5", "good.conf")} {
				name := c.name + "/" + k.name
				if krb != "" {
					name += "/krb5"
				}
				t.Run(name, func(t *testing.T) {
					a := &connector.Args{CertStore: c.args, KeyStore: k.args, KrbConf: krb}
					opts := Options{}
					if c.name == "absent" && k.name == "absent" {
						// Given as uccert's options, nothing to verify (a
						// usage error); as the connector's command line
						// (--args), a finding. Load: ErrNoStore.
						opts.Subject = "--args"
					}
					host := "ucc.uc.example.com"
					if c.name == "key under another password" {
						host = "fe1.uc.example.com"
					}
					opts.Host = host
					r := Run(context.Background(), a, opts)
					_, err := connector.Load(a, connector.LoadOptions{Host: host})
					verifyErr := len(r.Errors()) > 0
					if verifyErr != (err != nil) {
						t.Errorf("verify errors %v, Load %v", r.Errors(), err)
					}
					if verifyErr {
						errorsSeen++
					}
				})
			}
		}
	}
	if errorsSeen < 40 {
		t.Errorf("only %d failing combinations", errorsSeen)
	}
}
