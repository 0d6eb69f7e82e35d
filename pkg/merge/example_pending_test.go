package merge_test

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/request"
)

// caIssue plays the CA: the fixtures' issuing CA signs the request,
// copying the extensions it asks for.
func caIssue(csrPEM []byte) *x509.Certificate {
	block, _ := pem.Decode(csrPEM)
	csr, _ := x509.ParseCertificateRequest(block.Bytes)
	ca := load("pki/issuing.pem", "").Store.Entries[0].Leaf()
	keyPEM, _ := os.ReadFile("../../fixtures/pki/issuing.key.pem")
	kb, _ := pem.Decode(keyPEM)
	caKey, _ := x509.ParsePKCS8PrivateKey(kb.Bytes)
	now := time.Now()
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()),
		RawSubject: csr.RawSubject, NotBefore: now, NotAfter: now.AddDate(1, 0, 0), ExtraExtensions: csr.Extensions},
		ca, csr.PublicKey, caKey)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// Merge pairs the pending key of uccert request with the certificate the
// CA issued for it, completing the chain from the other inputs; the
// placeholder does not reach the result. Without the reply, the merge
// stops.
func ExampleMerge_pendingKey() {
	r, err := request.Generate(request.Options{Host: "ucc.uc.example.com", KeyType: request.ECP256})
	if err != nil {
		fmt.Println(err)
		return
	}
	pending := merge.Input{Name: "pending.p12", Store: r.PendingStore()}
	reply, _ := keystore.Decode(caIssue(r.CSR).Raw, keystore.DecodeOptions{}) // ucc.cer, DER
	res, err := merge.Merge([]merge.Input{
		pending,
		{Name: "ucc.cer", Store: reply},
		load("pki/chain.p7b", ""), // the CA chain from AD CS web enrollment
	}, merge.Options{Format: keystore.FormatJKS})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Entries {
		fmt.Println(p.Entry.Alias, len(p.Entry.Chain), request.IsPending(p.Entry))
	}

	_, err = merge.Merge([]merge.Input{pending}, merge.Options{Format: keystore.FormatJKS})
	fmt.Println(errors.Is(err, merge.ErrReplyMissing))
	// Output:
	// ucc.uc.example.com 3 false
	// true
}
