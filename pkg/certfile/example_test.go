package certfile_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
)

// selfSigned returns a PEM certificate for the examples.
func selfSigned(cn string) []byte {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now(),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func ExampleDecode() {
	// A bundle as "openssl pkcs7 -print_certs" writes it: text lines
	// around the PEM blocks.
	data := append([]byte("subject=CN=fe1.example.com\n"), selfSigned("fe1.example.com")...)
	data = append(data, "\nsubject=CN=Example Root\n"...)
	data = append(data, selfSigned("Example Root")...)

	f, err := certfile.Decode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("format:", f.Format)
	for _, c := range f.Certificates {
		fmt.Println(c.Subject.CommonName, len(certfile.Fingerprint(c)))
	}

	// Errors are sentinel errors.
	_, err = certfile.Decode([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	fmt.Println(errors.Is(err, certfile.ErrMalformed))

	// Encrypted private keys are listed for the caller with the password
	// (package keystore decrypts them).
	f, err = certfile.Decode([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	fmt.Println(len(f.Encrypted), f.Encrypted[0].PEM.Type, err)
	// Output:
	// format: pem
	// fe1.example.com 64
	// Example Root 64
	// true
	// 1 ENCRYPTED PRIVATE KEY <nil>
}

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "certfile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "root.cer")
	block, _ := pem.Decode(selfSigned("Example Root"))
	if err := os.WriteFile(path, block.Bytes, 0o600); err != nil { // DER
		fmt.Println(err)
		return
	}

	f, err := certfile.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Format, len(f.Certificates), f.Certificates[0].Subject.CommonName)

	_, err = certfile.Load(filepath.Join(dir, "missing.cer"))
	fmt.Println(errors.Is(err, os.ErrNotExist))
	// Output:
	// der 1 Example Root
	// true
}

// A certificate whose dNSName holds raw UTF-8 (OpenSSL copies what it is
// given; crypto/x509 refuses the certificate) is read, and
// MalformedNames says which names no TLS client will match.
func ExampleParseCertificate() {
	f, err := certfile.Load("../../fixtures/pki/idn.cer")
	if err != nil {
		fmt.Println(err)
		return
	}
	c := f.Certificates[0]
	again, err := certfile.ParseCertificate(c.Raw)
	fmt.Println(err, again.DNSNames)
	for _, n := range certfile.MalformedNames(c) {
		fmt.Printf("%s %+q\n", n.Type, n.Value)
	}
	// Output:
	// <nil> [bücher.uc.example.com]
	// dNSName "b\u00fccher.uc.example.com"
}
