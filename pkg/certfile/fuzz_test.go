package certfile

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/internal/fixtures"
)

func FuzzDecode(f *testing.F) {
	m := newMaterial(f)
	sec1, _ := x509.MarshalECPrivateKey(m.ecKey)
	for _, seed := range [][]byte{
		m.leaf,
		pemOf("CERTIFICATE", m.leaf),
		cat(pemOf("EC PRIVATE KEY", sec1), pemOf("CERTIFICATE", m.leaf), pemOf("CERTIFICATE", m.root)),
		degenerate(m.leaf, m.root),
		berTLV(0x30, derSignedDataOID, berTLV(0xa0, berTLV(0x30, tlv(0x02, []byte{1}), berTLV(0x31),
			berTLV(0x30, derDataOID), berTLV(0xa0, m.leaf), berTLV(0x31)))),
		pemOf("PKCS7", degenerate(m.inter)),
		pemOf("ENCRYPTED PRIVATE KEY", []byte{0x30, 0x00}),
		[]byte("-----BEGIN CERTIFICATE-----\n"),
	} {
		f.Add(seed)
	}
	// The committed fixtures, when they have been generated.
	for _, pattern := range []string{"pki/*.cer", "pki/*.p7b", "pki/chain.pem", "pki/fe2.bundle.pem", "pki/fe4.ec.key.pem"} {
		files, _ := filepath.Glob(filepath.Join(fixturesDir, pattern))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		format, ok := Detect(data)
		if err != nil {
			if file != nil {
				t.Fatalf("File with an error: %v", err)
			}
			if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrNoCertificates) && !errors.Is(err, ErrEncryptedKey) &&
				!errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNegativeSerial) {
				t.Fatalf("undeclared error: %v", err)
			}
			if raw := fixtures.LibraryText(err, data); raw != "" {
				t.Fatalf("library text %q in %q", raw, err)
			}
			if !ok && !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("Detect rejects, but Decode says %v", err)
			}
			return
		}
		if !ok || format != file.Format {
			t.Fatalf("Detect = %v, %v; Decode = %v", format, ok, file.Format)
		}
		if len(file.Certificates) == 0 && len(file.Keys) == 0 && len(file.Encrypted) == 0 {
			t.Fatalf("success without certificates or keys")
		}
		for _, c := range file.Certificates {
			if c == nil || len(Fingerprint(c)) != 64 {
				t.Fatalf("bad certificate")
			}
		}
	})
}
