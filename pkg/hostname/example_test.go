package hostname_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/uccert/uccert/pkg/hostname"
)

// exampleCert returns a self-signed certificate with the given CN and DNS
// subjectAltNames.
func exampleCert(cn string, dns ...string) *x509.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now(),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     dns,
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	return cert
}

func ExampleMatch() {
	fe1 := exampleCert("fe1.uc.example.com", "fe1.uc.example.com", "pool.uc.example.com")
	wildcard := exampleCert("*.uc.example.com", "*.uc.example.com")
	cnOnly := exampleCert("cnonly.uc.example.com")

	fmt.Println(hostname.Match(fe1, "POOL.uc.example.com."))
	fmt.Println(hostname.Match(fe1, "fe2.uc.example.com"))
	fmt.Println(hostname.Match(wildcard, "fe9.uc.example.com"))
	fmt.Println(hostname.Match(wildcard, "a.b.uc.example.com"))
	if hostname.Match(cnOnly, "cnonly.uc.example.com") == hostname.MatchCN {
		fmt.Println("fqdn-cn-only: served by the CN only; Java accepts it, Go and browsers do not")
	}
	fmt.Println(hostname.Names(fe1))
	// Output:
	// san
	// none
	// wildcard
	// none
	// fqdn-cn-only: served by the CN only; Java accepts it, Go and browsers do not
	// [fe1.uc.example.com pool.uc.example.com]
}

func ExampleNormalize() {
	for _, name := range []string{"FE1.UC.Example.COM.", "ucc01", "fe_1.uc.example.com"} {
		fqdn, err := hostname.Normalize(name)
		switch {
		case err == nil:
			fmt.Println(fqdn, "domain", hostname.Domain(fqdn))
		case errors.Is(err, hostname.ErrNotFQDN):
			fmt.Println("not an FQDN:", err)
		default:
			fmt.Println("invalid:", err)
		}
	}
	// Output:
	// fe1.uc.example.com domain uc.example.com
	// not an FQDN: "ucc01": not a fully qualified domain name: name the host by its FQDN (ucc01.<DNS domain>), the name its certificate is issued for (Request-CsCertificate -ComputerFQDN)
	// invalid: "fe_1.uc.example.com": invalid host name: label "fe_1" contains '_'; only letters, digits and '-' are allowed
}

// exampleDNS answers as a DNS server whose search domain holds ucc01.
type exampleDNS struct{}

func (exampleDNS) LookupCNAME(_ context.Context, host string) (string, error) {
	if host == "ucc01" {
		return "ucc01.uc.example.com.", nil
	}
	return "", errors.New("no such host")
}

func (exampleDNS) LookupHost(context.Context, string) ([]string, error) {
	return nil, errors.New("no such host")
}

func (exampleDNS) LookupAddr(context.Context, string) ([]string, error) {
	return nil, errors.New("no such host")
}

func ExampleLocalFQDN() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// In a program: hostname.LocalFQDN(ctx, os.Hostname, net.DefaultResolver),
	// or nil, nil for the same defaults.
	shortName := func() (string, error) { return "UCC01", nil }
	fqdn, err := hostname.LocalFQDN(ctx, shortName, exampleDNS{})
	fmt.Println(fqdn, err)

	unknown := func() (string, error) { return "lab7", nil }
	_, err = hostname.LocalFQDN(ctx, unknown, exampleDNS{})
	fmt.Println(errors.Is(err, hostname.ErrNotFQDN))
	fmt.Println(err)
	// Output:
	// ucc01.uc.example.com <nil>
	// true
	// this machine's host name "lab7": not a fully qualified domain name, and DNS (CNAME, reverse lookup) gave no lab7.<domain> name for it (no such host)
}

// An Index answers "which certificates serve this name" with map lookups,
// whatever the number of certificates (a TLS server's choice per
// handshake), by Match's rules.
func ExampleIndex() {
	certs := []*x509.Certificate{
		exampleCert("fe1.uc.example.com", "fe1.uc.example.com", "pool.uc.example.com"),
		exampleCert("UC wildcard", "*.uc.example.com"),
		exampleCert("cnonly.uc.example.com"),
	}
	ix := hostname.NewIndex(certs)
	for _, name := range []string{"pool.uc.example.com", "fe9.uc.example.com", "CNONLY.uc.example.com", "mail.example.org"} {
		fmt.Println(name, ix.Lookup(name))
	}
	// Output:
	// pool.uc.example.com [{0 san} {1 wildcard}]
	// fe9.uc.example.com [{1 wildcard}]
	// CNONLY.uc.example.com [{1 wildcard} {2 cn}]
	// mail.example.org []
}
