package request

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// OpenSSL judges the request (its signature and what it asks for), and an
// OpenSSL CA with the fixtures' issuing CA issues a certificate from it
// that serves the host for TLS servers and clients.
func TestOpenSSLJudgesRequest(t *testing.T) {
	for _, kt := range []KeyType{RSA2048, ECP256} {
		t.Run(kt.String(), func(t *testing.T) {
			dir := t.TempDir()
			r, err := Generate(Options{Host: "ucc.uc.example.com", DNSNames: []string{"ucc-pool.uc.example.com"}, KeyType: kt,
				Subject: "CN=ucc.uc.example.com,OU=UC,O=UC Example"})
			if err != nil {
				t.Fatal(err)
			}
			csr := filepath.Join(dir, "ucc.csr")
			if err := os.WriteFile(csr, r.CSR, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := judge.OpenSSL(t, nil, "req", "-in", csr, "-verify", "-noout"); err != nil {
				t.Fatalf("openssl req -verify: %v", err)
			}
			text, err := judge.OpenSSL(t, nil, "req", "-in", csr, "-noout", "-text", "-nameopt", "RFC2253")
			if err != nil {
				t.Fatal(err)
			}
			keyUsage := "Digital Signature, Key Encipherment"
			sig := "sha256WithRSAEncryption"
			if kt == ECP256 {
				keyUsage, sig = "Digital Signature", "ecdsa-with-SHA256"
			}
			for _, want := range []string{
				"Subject: CN=ucc.uc.example.com,OU=UC,O=UC Example",
				"Requested Extensions:",
				"DNS:ucc.uc.example.com, DNS:ucc-pool.uc.example.com",
				"X509v3 Key Usage: critical\n                    " + keyUsage + "\n",
				"TLS Web Server Authentication, TLS Web Client Authentication",
				"Signature Algorithm: " + sig,
			} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl req -text lacks %q:\n%s", want, text)
				}
			}

			certPEM, err := judge.OpenSSLSignCSR(t, csr, fixturePath("pki", "issuing.pem"), fixturePath("pki", "issuing.key.pem"), 365)
			if err != nil {
				t.Fatalf("openssl x509 -req: %v", err)
			}
			block, _ := pem.Decode([]byte(certPEM))
			if block == nil {
				t.Fatalf("no certificate: %q", certPEM)
			}
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !keystore.KeyMatchesCert(r.Key, cert) {
				t.Error("the issued certificate is not for the request's key")
			}
			if want := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}; !reflect.DeepEqual(cert.ExtKeyUsage, want) {
				t.Errorf("EKU %v", cert.ExtKeyUsage)
			}
			if hostname.Match(cert, "ucc.uc.example.com") != hostname.MatchSAN || hostname.Match(cert, "ucc-pool.uc.example.com") != hostname.MatchSAN {
				t.Errorf("DNS names %v", cert.DNSNames)
			}
		})
	}
}

// The pending key file, written as uccert request writes it, is what
// OpenSSL, keytool and Java read: one key, its placeholder, the pending
// name; mode 0600.
func TestPendingStoreJudged(t *testing.T) {
	dir := t.TempDir()
	r, err := Generate(Options{Host: "ucc.uc.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	const pass = "pending-pass"
	file := filepath.Join(dir, "pending.p12")
	err = keystore.WriteFile(file, r.PendingStore(), keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{
		Format: keystore.FormatPKCS12, Password: secret.NewPassword(pass), Profile: keystore.ProfileModern}})
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v (%v), want 0600", fi.Mode().Perm(), err)
		}
	}
	keys, certs, err := judge.OpenSSLPKCS12Info(t, file, pass, false)
	if err != nil || keys != 1 || certs != 1 {
		t.Errorf("openssl pkcs12 -info: %d keys, %d certificates, %v; want 1 and 1", keys, certs, err)
	}
	if got := judge.KeytoolList(t, file, "PKCS12", pass); !reflect.DeepEqual(got, []string{"pending: ucc.uc.example.com"}) {
		t.Errorf("keytool -list: %q", got)
	}
	entries := judge.Java(t).ListStore(t, file, "PKCS12", pass)
	if len(entries) != 1 || entries[0].Kind != "PrivateKeyEntry" || entries[0].ChainLen != 1 || entries[0].Status != "ok" || entries[0].KeyAlg != "RSA" {
		t.Errorf("Java sees %+v", entries)
	}
	// Read back, the entry is still recognised as pending.
	s, err := keystore.Load(file, keystore.DecodeOptions{Password: secret.NewPassword(pass)})
	if err != nil || len(s.Entries) != 1 || !IsPending(s.Entries[0]) {
		t.Fatalf("read back: %v %+v", err, s)
	}
}
