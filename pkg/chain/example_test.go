package chain_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/uccert/uccert/pkg/chain"
)

func load(name string) *x509.Certificate {
	b, _ := os.ReadFile("../../fixtures/pki/" + name)
	blk, _ := pem.Decode(b)
	c, _ := x509.ParseCertificate(blk.Bytes)
	return c
}

// Build completes a Front End's chain from the certificates at hand, and,
// with anchors and Verify, proves it leads to the trust store.
func ExampleBuild() {
	fe1, issuing, root := load("fe1.pem"), load("issuing.pem"), load("root.pem")
	res := chain.Build(fe1, chain.Options{Pool: chain.NewPool(issuing, root)})
	for _, c := range res.Chain {
		fmt.Println(c.Subject.CommonName)
	}
	res = chain.Build(fe1, chain.Options{Anchors: chain.NewPool(load("other-root.pem")), Verify: true})
	fmt.Println(res.Anchored, res.Problem)
	// Output:
	// fe1.uc.example.com
	// UC Test Issuing CA
	// UC Test Root CA
	// false issuer not found
}
