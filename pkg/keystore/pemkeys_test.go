package keystore

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// Encrypted PEM private keys as OpenSSL 3 writes them
// (fixtures/make-pem-fixtures.sh: PKCS#8 with PBES2 AES/3DES and a PKCS#12
// PBE scheme, OpenSSL's traditional DEK-Info blocks, openssl pkcs12's
// output without -nodes; RSA and EC) decrypt with their password to the
// key openssl decrypts, and pair with their certificate and chain. A
// wrong or no password is ErrIncorrectPassword, and NeedsPassword says a
// password is needed.
func TestEncryptedPEMKeys(t *testing.T) {
	judge.Require(t, "openssl")
	files, err := filepath.Glob(filepath.Join(fixturesDir, "pem", "*.pem"))
	if err != nil || len(files) != 9 {
		t.Fatalf("%d files in fixtures/pem (%v): run fixtures/make-pem-fixtures.sh", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !NeedsPassword(data) {
				t.Error("NeedsPassword: false")
			}
			s, err := Decode(data, DecodeOptions{Password: secretPW("pem-export1")})
			if err != nil {
				t.Fatal(err)
			}
			var keys []*Entry
			for _, e := range s.Entries {
				if e.Kind == KindKey {
					keys = append(keys, e)
				}
			}
			if len(keys) != 1 || len(keys[0].Chain) != 3 || keys[0].Usable() != nil {
				t.Fatalf("%d key entries: %+v", len(keys), s.Entries)
			}
			out, err := judge.OpenSSL(t, nil, "pkey", "-in", f, "-passin", "pass:pem-export1")
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode([]byte(out))
			want, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !want.(interface{ Equal(crypto.PrivateKey) bool }).Equal(keys[0].Key) {
				t.Error("the key is not the one openssl decrypts")
			}
			for _, pw := range []string{"wrong-pass1", ""} {
				_, err := Decode(data, DecodeOptions{Password: secretPW(pw)})
				if !errors.Is(err, ErrIncorrectPassword) || !strings.Contains(err.Error(), "PEM block") || pw != "" && strings.Contains(err.Error(), pw) {
					t.Errorf("password %q: %v", pw, err)
				}
			}
		})
	}
	for _, f := range []string{"pki/fe1.key.pem", "pki/chain.pem", "pki/root.cer", "pki/chain.p7b"} {
		data, err := os.ReadFile(filepath.Join(fixturesDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if NeedsPassword(data) {
			t.Errorf("%s: NeedsPassword: true", f)
		}
	}
}

// A traditional encrypted PEM key with a cipher crypto/x509 does not
// decrypt is refused as unsupported, naming the DEK-Info and the way out.
func TestEncryptedPEMKeyUnknownCipher(t *testing.T) {
	data := []byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: CAMELLIA-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAAAAAAAAAAAAAAAAAAAA==\n-----END RSA PRIVATE KEY-----\n")
	_, err := Decode(data, DecodeOptions{Password: secretPW("pem-export1")})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `DEK-Info "CAMELLIA-256-CBC`) || !strings.Contains(err.Error(), "openssl pkcs8 -topk8") {
		t.Fatalf("%v", err)
	}
}
