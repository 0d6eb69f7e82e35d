package request_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/uccert/uccert/pkg/request"
)

// Generate makes the key, the request for the CA and the placeholder that
// holds the key's place until the CA's reply.
func ExampleGenerate() {
	r, err := request.Generate(request.Options{
		Host:     "ucc01.uc.example.com",
		DNSNames: []string{"ucc.uc.example.com"},
		KeyType:  request.ECP256,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	block, _ := pem.Decode(r.CSR)
	csr, _ := x509.ParseCertificateRequest(block.Bytes)
	fmt.Println(block.Type)
	fmt.Println(r.Subject, csr.DNSNames, csr.SignatureAlgorithm)
	fmt.Println(r.PendingStore().Entries[0].Alias)
	// Output:
	// CERTIFICATE REQUEST
	// CN=ucc01.uc.example.com [ucc01.uc.example.com ucc.uc.example.com] ECDSA-SHA256
	// pending: ucc01.uc.example.com
}

// IsPending tells the pending entry from an ordinary key entry.
func ExampleIsPending() {
	r, _ := request.Generate(request.Options{Host: "ucc01.uc.example.com", KeyType: request.ECP256})
	e := r.PendingStore().Entries[0]
	fmt.Println(request.IsPending(e), request.PendingName(e))
	// Output: true ucc01.uc.example.com
}

// INF writes the request as Windows' certreq reads policy files.
func ExampleRequest_INF() {
	r, _ := request.Generate(request.Options{Host: "ucc01.uc.example.com", KeyType: request.ECP256})
	for _, line := range strings.Split(string(r.INF()), "\r\n") {
		if strings.HasPrefix(line, "Subject") || strings.HasPrefix(line, "_continue_") || strings.HasPrefix(line, "OID") {
			fmt.Println(line)
		}
	}
	// Output:
	// Subject = "CN=ucc01.uc.example.com"
	// _continue_ = "dns=ucc01.uc.example.com"
	// OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication
	// OID = 1.3.6.1.5.5.7.3.2 ; Client Authentication
}
