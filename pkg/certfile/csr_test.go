package certfile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// A certificate request given where a certificate is expected (the CSR
// instead of the CA's reply) is named as such.
func TestDecodeCertificateRequest(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "ucc.uc.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"} {
		_, err := Decode(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der}))
		if !errors.Is(err, ErrNoCertificates) || !strings.Contains(err.Error(), "it is a certificate request (CSR)") {
			t.Errorf("%s: %v", label, err)
		}
	}
}
