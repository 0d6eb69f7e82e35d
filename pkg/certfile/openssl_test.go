package certfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestOpenSSLFiles decodes files written by the openssl command line and
// compares the certificates' fingerprints with the ones OpenSSL computes.
func TestOpenSSLFiles(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	o := func(args ...string) { openssl(t, dir, nil, args...) }
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
	days := []string{"-days", "2"}
	caExt := []string{"-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"}

	o(slices.Concat([]string{"req", "-x509"}, ec, []string{"-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=uccert Test Root"}, days, caExt)...)
	o(slices.Concat([]string{"req", "-x509"}, ec, []string{"-keyout", "inter.key", "-out", "inter.pem", "-subj", "/CN=uccert Test Intermediate",
		"-CA", "root.pem", "-CAkey", "root.key"}, days, caExt)...)
	o("genrsa", "-traditional", "-out", "leaf.rsa.key", "2048")
	o(slices.Concat([]string{"req", "-x509", "-new", "-key", "leaf.rsa.key", "-out", "leaf.pem", "-subj", "/CN=fe1.example.com",
		"-addext", "subjectAltName=DNS:fe1.example.com", "-CA", "inter.pem", "-CAkey", "inter.key"}, days)...)
	concatFiles(t, dir, "chain.pem", "leaf.pem", "inter.pem", "root.pem")
	o("x509", "-in", "root.pem", "-outform", "DER", "-out", "root.cer")
	o("x509", "-in", "leaf.pem", "-text", "-out", "leaf.text.pem")
	o("x509", "-in", "root.pem", "-trustout", "-addtrust", "serverAuth", "-out", "root.trusted.pem")
	o("crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "chain.p7b")
	o("crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain-pem.p7b")
	o("crl2pkcs7", "-nocrl", "-outform", "DER", "-out", "empty.p7b")
	o("pkcs7", "-inform", "DER", "-in", "chain.p7b", "-print_certs", "-out", "printed.pem")
	o("pkey", "-in", "leaf.rsa.key", "-out", "leaf.pk8.pem")
	o("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key.pem") // EC PARAMETERS + EC PRIVATE KEY
	o("pkcs8", "-topk8", "-v2", "aes256", "-in", "leaf.rsa.key", "-passout", "pass:secret", "-out", "leaf.enc.pk8.pem")
	o("rsa", "-in", "leaf.rsa.key", "-aes256", "-traditional", "-passout", "pass:secret", "-out", "leaf.enc.rsa.pem")
	concatFiles(t, dir, "bundle.pem", "leaf.pk8.pem", "leaf.pem", "inter.pem", "root.pem")
	concatFiles(t, dir, "cas.pem", "inter.pem", "root.pem")
	if err := os.WriteFile(filepath.Join(dir, "msg"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	// BER (indefinite lengths) SignedData with a signer and certificates.
	o("cms", "-sign", "-stream", "-nodetach", "-in", "msg", "-signer", "leaf.pem", "-inkey", "leaf.rsa.key",
		"-certfile", "cas.pem", "-outform", "DER", "-out", "signed.p7m")

	tests := []struct {
		file   string
		format Format
		kind   string   // for opensslFingerprints; empty: no certificates
		keys   []string // key types
		enc    int      // encrypted keys
		err    error
	}{
		{file: "root.cer", format: FormatDER, kind: "der"},
		{file: "root.pem", format: FormatPEM, kind: "pem"},
		{file: "chain.pem", format: FormatPEM, kind: "pem"},
		{file: "leaf.text.pem", format: FormatPEM, kind: "pem"},
		{file: "printed.pem", format: FormatPEM, kind: "pem"},
		{file: "chain.p7b", format: FormatPKCS7, kind: "p7b"},
		{file: "chain-pem.p7b", format: FormatPKCS7, kind: "p7b-pem"},
		{file: "signed.p7m", format: FormatPKCS7, kind: "p7b"},
		{file: "bundle.pem", format: FormatPEM, kind: "pem", keys: []string{"rsa"}},
		{file: "leaf.rsa.key", format: FormatPEM, keys: []string{"rsa"}},
		{file: "leaf.pk8.pem", format: FormatPEM, keys: []string{"rsa"}},
		{file: "ec.key.pem", format: FormatPEM, keys: []string{"ecdsa"}},
		{file: "empty.p7b", err: ErrNoCertificates},
		{file: "leaf.enc.pk8.pem", format: FormatPEM, enc: 1},
		{file: "leaf.enc.rsa.pem", format: FormatPEM, enc: 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			f, err := Load(path)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(f.Encrypted) != tt.enc {
				t.Errorf("%d encrypted keys, want %d", len(f.Encrypted), tt.enc)
			}
			checkFile(t, dir, path, f, tt.format, tt.kind, tt.keys)
		})
	}

	t.Run("root.trusted.pem", func(t *testing.T) {
		f, err := Load(filepath.Join(dir, "root.trusted.pem"))
		if err != nil {
			t.Fatal(err)
		}
		want := opensslFingerprints(t, dir, "root.pem", "pem")
		if got := fingerprints(f.Certificates); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

// checkFile compares a decoded file with what OpenSSL sees in it.
func checkFile(t *testing.T, dir, path string, f *File, format Format, kind string, keys []string) {
	t.Helper()
	if f.Format != format {
		t.Errorf("Format = %v, want %v", f.Format, format)
	}
	var want []string
	if kind != "" {
		want = opensslFingerprints(t, dir, path, kind)
	}
	if got := fingerprints(f.Certificates); !slices.Equal(got, want) {
		t.Errorf("fingerprints\n got %v\nwant %v (openssl)", got, want)
	}
	var got []string
	for _, k := range f.Keys {
		switch k.(type) {
		case *rsa.PrivateKey:
			got = append(got, "rsa")
		case *ecdsa.PrivateKey:
			got = append(got, "ecdsa")
		default:
			got = append(got, "other")
		}
		// A key that comes with certificates belongs to one of them.
		if len(f.Certificates) > 0 && !matchesAny(k, f) {
			t.Errorf("key %T matches none of the certificates", k)
		}
	}
	if !slices.Equal(got, keys) {
		t.Errorf("keys = %v, want %v", got, keys)
	}
}

func matchesAny(k crypto.PrivateKey, f *File) bool {
	s, ok := k.(crypto.Signer)
	if !ok {
		return false
	}
	pub, ok := s.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return false
	}
	for _, c := range f.Certificates {
		if pub.Equal(c.PublicKey) {
			return true
		}
	}
	return false
}

func concatFiles(t *testing.T, dir, out string, in ...string) string {
	t.Helper()
	var data []byte
	for _, name := range in {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b...)
	}
	p := filepath.Join(dir, out)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
