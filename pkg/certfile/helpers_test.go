package certfile

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// material is a three-certificate chain and some keys made in-test.
type material struct {
	root, inter, leaf []byte // DER certificates
	ecKey             *ecdsa.PrivateKey
	rsaKey            *rsa.PrivateKey
	edKey             ed25519.PrivateKey
}

func newMaterial(t testing.TB) *material {
	t.Helper()
	m := &material{}
	var err error
	if m.ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if m.rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if _, m.edKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	interKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	root := template(1, "Test Root", true)
	inter := template(2, "Test Intermediate", true)
	leaf := template(3, "fe1.example.com", false)
	leaf.DNSNames = []string{"fe1.example.com"}
	m.root = mustCreate(t, root, root, &rootKey.PublicKey, rootKey)
	rootCert, _ := x509.ParseCertificate(m.root)
	m.inter = mustCreate(t, inter, rootCert, &interKey.PublicKey, rootKey)
	interCert, _ := x509.ParseCertificate(m.inter)
	m.leaf = mustCreate(t, leaf, interCert, &m.rsaKey.PublicKey, interKey)
	return m
}

func template(serial int64, cn string, ca bool) *x509.Certificate {
	now := time.Now()
	c := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  ca,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if ca {
		c.KeyUsage |= x509.KeyUsageCertSign
	}
	return c
}

func mustCreate(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, priv crypto.Signer) []byte {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// tlv is a DER value with a single-octet identifier.
func tlv(tag byte, contents ...[]byte) []byte {
	c := cat(contents...)
	n := len(c)
	var l []byte
	switch {
	case n < 0x80:
		l = []byte{byte(n)}
	case n < 0x100:
		l = []byte{0x81, byte(n)}
	case n < 0x10000:
		l = []byte{0x82, byte(n >> 8), byte(n)}
	default:
		l = []byte{0x83, byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return cat([]byte{tag}, l, c)
}

// berTLV is a BER value with an indefinite length.
func berTLV(tag byte, contents ...[]byte) []byte {
	return cat([]byte{tag | 0x20, 0x80}, cat(contents...), []byte{0, 0})
}

var (
	derSignedDataOID = tlv(0x06, oidSignedData)
	derDataOID       = tlv(0x06, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01})
)

// degenerate is a certs-only SignedData ContentInfo, as openssl crl2pkcs7
// writes it. certs nil omits the certificates field.
func degenerate(certs ...[]byte) []byte {
	sd := [][]byte{tlv(0x02, []byte{1}), tlv(0x31), tlv(0x30, derDataOID)}
	if certs != nil {
		sd = append(sd, tlv(0xa0, certs...))
	}
	sd = append(sd, tlv(0x31))
	return tlv(0x30, derSignedDataOID, tlv(0xa0, tlv(0x30, sd...)))
}

// needOpenSSL returns the openssl command (judge.Require: fatal in CI,
// a loud skip elsewhere).
func needOpenSSL(t *testing.T) string {
	t.Helper()
	return judge.Require(t, "openssl")
}

// openssl runs openssl in dir with stdin and returns its standard output.
func openssl(t *testing.T, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(needOpenSSL(t), args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// opensslFingerprints lists, in file order, the SHA-256 fingerprints that
// OpenSSL computes for the certificates of path (lowercase hex, no colons).
// kind is "der" (one DER certificate), "pem" (PEM certificates), "p7b" (DER
// PKCS#7) or "p7b-pem".
func opensslFingerprints(t *testing.T, dir, path, kind string) []string {
	t.Helper()
	var certsPEM []byte
	switch kind {
	case "der":
		certsPEM = openssl(t, dir, nil, "x509", "-inform", "DER", "-in", path)
	case "pem":
		p7 := openssl(t, dir, nil, "crl2pkcs7", "-nocrl", "-certfile", path)
		certsPEM = openssl(t, dir, p7, "pkcs7", "-print_certs")
	case "p7b":
		certsPEM = openssl(t, dir, nil, "pkcs7", "-inform", "DER", "-in", path, "-print_certs")
	case "p7b-pem":
		certsPEM = openssl(t, dir, nil, "pkcs7", "-in", path, "-print_certs")
	default:
		t.Fatalf("unknown kind %q", kind)
	}
	var fps []string
	for rest := certsPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		out := openssl(t, dir, pem.EncodeToMemory(b), "x509", "-noout", "-fingerprint", "-sha256")
		// "sha256 Fingerprint=AB:CD:…" (OpenSSL 3) or "SHA256 Fingerprint=…".
		_, fp, ok := strings.Cut(strings.TrimSpace(string(out)), "=")
		if !ok {
			t.Fatalf("unexpected openssl fingerprint output %q", out)
		}
		fps = append(fps, strings.ToLower(strings.ReplaceAll(fp, ":", "")))
	}
	if len(fps) == 0 {
		t.Fatalf("openssl found no certificates in %s", path)
	}
	return fps
}

func fingerprints(certs []*x509.Certificate) []string {
	var fps []string
	for _, c := range certs {
		fps = append(fps, Fingerprint(c))
	}
	return fps
}

func derFingerprints(t testing.TB, ders ...[]byte) []string {
	t.Helper()
	var fps []string
	for _, d := range ders {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			t.Fatal(err)
		}
		fps = append(fps, Fingerprint(c))
	}
	return fps
}
