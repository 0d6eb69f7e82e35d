package testpki

import (
	"crypto/x509"
	"testing"
)

func TestIssue(t *testing.T) {
	ca := SelfSigned(t, Spec{CN: "Test CA", Org: []string{"UC Example"}, CA: true})
	leaf := ca.Issue(t, Spec{CN: "fe1.uc.example.com", DNS: []string{"fe1.uc.example.com"}, Serial: 7, Key: RSAKey(t, 2048)})
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "fe1.uc.example.com"}); err != nil {
		t.Fatal(err)
	}
	if leaf.Cert.SerialNumber.Int64() != 7 || leaf.Cert.KeyUsage&x509.KeyUsageKeyEncipherment == 0 || ca.Cert.Subject.Organization[0] != "UC Example" {
		t.Fatalf("leaf %v, usage %v", leaf.Cert.SerialNumber, leaf.Cert.KeyUsage)
	}
	self := SelfSigned(t, Spec{CN: "ec.uc.example.com"})
	if err := self.Cert.CheckSignatureFrom(self.Cert); err == nil || self.Cert.IsCA {
		// a self-signed end-entity certificate: not a CA, so Go refuses it as a parent
		t.Fatalf("self-signed leaf: IsCA %v, %v", self.Cert.IsCA, err)
	}
}
