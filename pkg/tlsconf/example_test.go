package tlsconf_test

import (
	"fmt"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/tlsconf"
)

// New turns a key store and a trust store into one TLS configuration for
// a mutual-TLS server and client.
func ExampleNew() {
	keys, _ := keystore.Load("../../fixtures/stores/mixed-rsa-ec.jks", keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	trust, _ := keystore.Load("../../fixtures/stores/truststore.jks", keystore.DecodeOptions{Password: secret.NewPassword("trustpass1")})
	cfg, err := tlsconf.New(keys, trust, tlsconf.Options{ClientName: "fe1.uc.example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	certs, _ := tlsconf.Certificates(keys, trust)
	for _, c := range certs {
		fmt.Println(c.Leaf.Subject.CommonName, c.Leaf.PublicKeyAlgorithm)
	}
	fmt.Println(cfg.ClientAuth)
	// Output:
	// fe4.uc.example.com ECDSA
	// fe1.uc.example.com RSA
	// RequireAndVerifyClientCert
}
