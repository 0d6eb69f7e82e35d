package hostname_test

import (
	"crypto/x509"
	"net"
	"testing"

	"github.com/uccert/uccert/pkg/internal/testpki"
)

// certSpec describes the identity of a test certificate.
type certSpec struct {
	cn  string
	dns []string
	ips []string
}

// newCert creates a self-signed certificate for spec and parses it back,
// so that Match sees what a real certificate file yields.
func newCert(t testing.TB, spec certSpec) *x509.Certificate {
	t.Helper()
	var ips []net.IP
	for _, s := range spec.ips {
		ip := net.ParseIP(s)
		if ip == nil {
			t.Fatalf("bad IP %q in test spec", s)
		}
		ips = append(ips, ip)
	}
	return testpki.SelfSigned(t, testpki.Spec{CN: spec.cn, DNS: spec.dns, IPs: ips}).Cert
}
