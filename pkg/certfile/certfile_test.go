package certfile

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/ber"
)

func TestDecode(t *testing.T) {
	m := newMaterial(t)
	pkcs8RSA, _ := x509.MarshalPKCS8PrivateKey(m.rsaKey)
	pkcs8Ed, _ := x509.MarshalPKCS8PrivateKey(m.edKey)
	sec1, _ := x509.MarshalECPrivateKey(m.ecKey)
	pkcs1 := x509.MarshalPKCS1PrivateKey(m.rsaKey)
	all := derFingerprints(t, m.leaf, m.inter, m.root)
	leafFP := all[:1]

	// BER: indefinite lengths everywhere, as Windows and streaming
	// encoders write.
	berP7 := berTLV(0x30, derSignedDataOID, berTLV(0xa0, berTLV(0x30,
		tlv(0x02, []byte{1}), berTLV(0x31), berTLV(0x30, derDataOID),
		berTLV(0xa0, m.leaf, m.inter, m.root), berTLV(0x31))))
	// SignedData with CRLs, an attribute certificate choice and a signer.
	busyP7 := tlv(0x30, derSignedDataOID, tlv(0xa0, tlv(0x30,
		tlv(0x02, []byte{1}), tlv(0x31), tlv(0x30, derDataOID),
		tlv(0xa0, m.leaf, tlv(0xa2, tlv(0x30)), m.inter),
		tlv(0xa1, tlv(0x30)), tlv(0x31, tlv(0x30, tlv(0x02, []byte{1}))))))
	netscape := tlv(0x30, tlv(0x06, oidNetscapeCertSequence), tlv(0xa0, tlv(0x30, m.leaf, m.inter)))
	trusted := cat(m.root, tlv(0x30, tlv(0x30, tlv(0x06, []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01}))))
	ecParams := pemOf("EC PARAMETERS", []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07})

	tests := []struct {
		name   string
		in     []byte
		format Format
		fps    []string
		keys   []string // key types, in order
	}{
		{"DER certificate", m.leaf, FormatDER, leafFP, nil},
		{"PEM certificate", pemOf("CERTIFICATE", m.leaf), FormatPEM, leafFP, nil},
		{"PEM bundle with text around the blocks",
			cat([]byte("subject=CN=fe1\nissuer=CN=Test Intermediate\n"), pemOf("CERTIFICATE", m.leaf),
				[]byte("\nsubject=CN=Test Intermediate\n"), pemOf("CERTIFICATE", m.inter),
				[]byte("# comment -----BEGIN not at a line start\n"), pemOf("CERTIFICATE", m.root), []byte("trailing text")),
			FormatPEM, all, nil},
		{"PEM with CRLF line ends",
			[]byte(strings.ReplaceAll(string(cat(pemOf("CERTIFICATE", m.leaf), pemOf("CERTIFICATE", m.root))), "\n", "\r\n")),
			FormatPEM, derFingerprints(t, m.leaf, m.root), nil},
		{"X509 CERTIFICATE label", pemOf("X509 CERTIFICATE", m.inter), FormatPEM, all[1:2], nil},
		{"TRUSTED CERTIFICATE", pemOf("TRUSTED CERTIFICATE", trusted), FormatPEM, all[2:], nil},
		{"key and certificates",
			cat(pemOf("PRIVATE KEY", pkcs8RSA), pemOf("CERTIFICATE", m.leaf), pemOf("CERTIFICATE", m.inter), pemOf("CERTIFICATE", m.root)),
			FormatPEM, all, []string{"rsa"}},
		{"every key form", cat(pemOf("RSA PRIVATE KEY", pkcs1), ecParams, pemOf("EC PRIVATE KEY", sec1), pemOf("PRIVATE KEY", pkcs8Ed)),
			FormatPEM, nil, []string{"rsa", "ecdsa", "ed25519"}},
		{"other blocks are ignored", cat(pemOf("CERTIFICATE REQUEST", []byte{1}), pemOf("X509 CRL", []byte{2}), pemOf("CERTIFICATE", m.leaf)),
			FormatPEM, leafFP, nil},
		{"PKCS#7 DER keeps file order", degenerate(m.root, m.leaf, m.inter), FormatPKCS7, derFingerprints(t, m.root, m.leaf, m.inter), nil},
		{"PKCS#7 BER", berP7, FormatPKCS7, all, nil},
		{"PKCS#7 with CRLs, signer and an attribute certificate", busyP7, FormatPKCS7, all[:2], nil},
		{"Netscape certificate sequence", netscape, FormatPKCS7, all[:2], nil},
		{"PKCS#7 PEM", pemOf("PKCS7", degenerate(m.leaf, m.inter, m.root)), FormatPKCS7, all, nil},
		{"PKCS#7 PEM, BER inside", pemOf("PKCS7", berP7), FormatPKCS7, all, nil},
		{"CMS PEM label", pemOf("CMS", degenerate(m.leaf)), FormatPKCS7, leafFP, nil},
		{"UTF-8 byte order mark", cat([]byte("\xef\xbb\xbf"), pemOf("CERTIFICATE", m.leaf)), FormatPEM, leafFP, nil},
		{"damaged block of another type is ignored",
			cat([]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ!!\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"), pemOf("CERTIFICATE", m.leaf)),
			FormatPEM, leafFP, nil},
		{"PKCS#7 and certificate PEM blocks", cat(pemOf("PKCS7", degenerate(m.leaf, m.inter)), pemOf("CERTIFICATE", m.root)),
			FormatPEM, all, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.in)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if f.Format != tt.format {
				t.Errorf("Format = %v, want %v", f.Format, tt.format)
			}
			if got := fingerprints(f.Certificates); !slices.Equal(got, tt.fps) {
				t.Errorf("certificates\n got %v\nwant %v", got, tt.fps)
			}
			var keys []string
			for _, k := range f.Keys {
				switch k.(type) {
				case *rsa.PrivateKey:
					keys = append(keys, "rsa")
				case *ecdsa.PrivateKey:
					keys = append(keys, "ecdsa")
				case ed25519.PrivateKey:
					keys = append(keys, "ed25519")
				default:
					keys = append(keys, fmt.Sprintf("%T", k))
				}
			}
			if !slices.Equal(keys, tt.keys) {
				t.Errorf("keys = %v, want %v", keys, tt.keys)
			}
			if d, ok := Detect(tt.in); !ok || d != tt.format {
				t.Errorf("Detect = %v, %v; want %v, true", d, ok, tt.format)
			}
		})
	}
}

func TestDecodeKeysMatch(t *testing.T) {
	m := newMaterial(t)
	pkcs1 := x509.MarshalPKCS1PrivateKey(m.rsaKey)
	sec1, _ := x509.MarshalECPrivateKey(m.ecKey)
	f, err := Decode(cat(pemOf("RSA PRIVATE KEY", pkcs1), pemOf("EC PRIVATE KEY", sec1)))
	if err != nil {
		t.Fatal(err)
	}
	if !m.rsaKey.Equal(f.Keys[0]) || !m.ecKey.Equal(f.Keys[1]) {
		t.Errorf("decoded keys differ from the encoded ones")
	}
}

func TestDecodeErrors(t *testing.T) {
	m := newMaterial(t)
	deep := cat(bytes.Repeat([]byte{0x30, 0x80}, 1), derSignedDataOID, bytes.Repeat([]byte{0xa0, 0x80}, 100))
	badCertP7 := degenerate(m.leaf, tlv(0x30, tlv(0x02, []byte{1})), m.root)
	enveloped := tlv(0x30, tlv(0x06, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03}), tlv(0xa0, tlv(0x30)))
	certPEM := string(pemOf("CERTIFICATE", m.leaf))
	damaged := strings.Replace(certPEM, "M", "!", 3)
	legacyEncrypted := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"

	tests := []struct {
		name string
		in   []byte
		want []error
		msg  string // a part of the message
	}{
		{"empty", nil, []error{ErrUnknownFormat}, ""},
		{"garbage", []byte{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01}, []error{ErrUnknownFormat}, ""},
		{"text without PEM blocks", []byte("hello\nthis is not a certificate\n"), []error{ErrUnknownFormat}, ""},
		{"PKCS#12 is not a certificate file", tlv(0x30, tlv(0x02, []byte{3}), tlv(0x30)), []error{ErrUnknownFormat}, ""},
		{"PKCS#8 DER key is not a certificate file", func() []byte { b, _ := x509.MarshalPKCS8PrivateKey(m.ecKey); return b }(),
			[]error{ErrUnknownFormat}, ""},
		{"truncated DER certificate", m.leaf[:len(m.leaf)/2], []error{ErrMalformed}, "DER certificate"},
		{"DER certificate with trailing data", cat(m.leaf, []byte{0}), []error{ErrMalformed}, "trailing"},
		{"damaged PEM base64", []byte(damaged), []error{ErrMalformed}, "PEM block 1 (CERTIFICATE) is damaged"},
		{"damaged block before a good one", []byte(damaged + certPEM), []error{ErrMalformed}, "PEM block 1 (CERTIFICATE)"},
		{"PEM without END line", []byte(certPEM[:len(certPEM)-30]), []error{ErrMalformed}, "PEM block 1"},
		{"PEM with other blocks only", pemOf("CERTIFICATE REQUEST", []byte{1, 2, 3}), []error{ErrNoCertificates}, ""},
		{"PEM certificate block with garbage", cat(pemOf("CERTIFICATE", m.leaf), pemOf("CERTIFICATE", []byte("garbage"))),
			[]error{ErrMalformed}, "PEM block 2 (CERTIFICATE)"},
		{"PEM RSA key with garbage", pemOf("RSA PRIVATE KEY", []byte{0x30, 0x03, 0x02, 0x01, 0x00}),
			[]error{ErrMalformed}, "PEM block 1 (RSA PRIVATE KEY)"},
		{"PEM EC key with garbage", cat(pemOf("CERTIFICATE", m.leaf), pemOf("EC PRIVATE KEY", []byte{1})),
			[]error{ErrMalformed}, "PEM block 2 (EC PRIVATE KEY)"},
		{"PEM PKCS#8 key with garbage", pemOf("PRIVATE KEY", []byte{1}), []error{ErrMalformed}, "PEM block 1 (PRIVATE KEY)"},
		{"encrypted certificate", []byte(strings.ReplaceAll(legacyEncrypted, "RSA PRIVATE KEY", "CERTIFICATE")), []error{ErrMalformed}, "only a private key"},
		{"empty PKCS#7", degenerate(), []error{ErrNoCertificates}, ""},
		{"PKCS#7 with an empty certificate set", degenerate([]byte{}), []error{ErrNoCertificates}, ""},
		{"PKCS#7 PEM without certificates", pemOf("PKCS7", degenerate()), []error{ErrNoCertificates}, "PEM block 1"},
		{"PKCS#7 with a bad certificate", badCertP7, []error{ErrMalformed}, "certificate 2"},
		{"truncated PKCS#7", degenerate(m.leaf)[:100], []error{ErrMalformed, ber.ErrTruncated}, "PKCS#7"},
		{"PKCS#7 nested too deep", deep, []error{ErrMalformed, ber.ErrTooDeep}, "PKCS#7"},
		{"PKCS#7 without content", tlv(0x30, derSignedDataOID), []error{ErrMalformed}, "without content"},
		{"PKCS#7 SignedData not a SEQUENCE", tlv(0x30, derSignedDataOID, tlv(0xa0, tlv(0x31))), []error{ErrMalformed}, "SignedData"},
		{"PKCS#7 ContentInfo without a type", pemOf("PKCS7", tlv(0x30, tlv(0x02, []byte{1}))), []error{ErrMalformed}, "no content type"},
		{"PKCS#7 ContentInfo with two contents", tlv(0x30, derSignedDataOID, tlv(0xa0, tlv(0x30), tlv(0x30))), []error{ErrMalformed}, "2 values"},
		{"PKCS#7 ContentInfo with extra fields", tlv(0x30, derSignedDataOID, tlv(0xa0, tlv(0x30)), tlv(0x05)), []error{ErrMalformed}, "ContentInfo"},
		{"PKCS#7 primitive certificates field", tlv(0x30, derSignedDataOID, tlv(0xa0, tlv(0x30,
			tlv(0x02, []byte{1}), tlv(0x31), tlv(0x30, derDataOID), tlv(0x80, []byte{1}), tlv(0x31)))), []error{ErrMalformed}, "not constructed"},
		{"PKCS#7 unexpected field in SignedData", tlv(0x30, derSignedDataOID, tlv(0xa0, tlv(0x30,
			tlv(0x02, []byte{1}), tlv(0x31), tlv(0x30, derDataOID), tlv(0xa5), tlv(0x31)))), []error{ErrMalformed}, "unexpected [5]"},
		{"PKCS#7 certificate that is not a SEQUENCE", degenerate(tlv(0x31)), []error{ErrMalformed}, "certificate 1 is not a SEQUENCE"},
		{"empty Netscape certificate sequence", tlv(0x30, tlv(0x06, oidNetscapeCertSequence)), []error{ErrNoCertificates}, "Netscape"},
		{"PKCS#7 envelopedData in PEM", pemOf("PKCS7", enveloped), []error{ErrUnknownFormat}, "1.2.840.113549.1.7.3"},
		{"too large", make([]byte, MaxSize+1), []error{ErrTooLarge}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.in)
			if err == nil {
				t.Fatalf("Decode succeeded: %+v", f)
			}
			if f != nil {
				t.Errorf("Decode returned a File with an error")
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("error %q is not %q", err, want)
				}
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	m := newMaterial(t)
	tests := []struct {
		name string
		in   []byte
		want Format
		ok   bool
	}{
		{"DER certificate", m.leaf, FormatDER, true},
		{"DER certificate, first bytes only", m.leaf[:12], FormatDER, true},
		{"DER PKCS#7", degenerate(m.leaf), FormatPKCS7, true},
		{"BER PKCS#7", cat([]byte{0x30, 0x80}, derSignedDataOID), FormatPKCS7, true},
		{"PEM", pemOf("CERTIFICATE", m.leaf), FormatPEM, true},
		{"PEM key only", pemOf("EC PRIVATE KEY", []byte{1}), FormatPEM, true},
		{"PEM PKCS#7", pemOf("PKCS7", []byte{1}), FormatPKCS7, true},
		{"PEM with a UTF-8 byte order mark", cat([]byte("\xef\xbb\xbf"), pemOf("CERTIFICATE", m.leaf)), FormatPEM, true},
		{"empty", nil, 0, false},
		{"garbage", []byte("garbage"), 0, false},
		{"BEGIN inside a line", []byte("x -----BEGIN CERTIFICATE-----\n"), 0, false},
		{"PKCS#7 data", tlv(0x30, derDataOID), 0, false},
		{"huge long-form length", []byte{0x30, 0x88, 1, 2, 3, 4, 5, 6, 7, 8, 0x30}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Detect(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Detect = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{FormatDER: "der", FormatPEM: "pem", FormatPKCS7: "pkcs7", 0: "Format(0)", 9: "Format(9)"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", int(f), got, want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	m := newMaterial(t)
	c, _ := x509.ParseCertificate(m.root)
	sum := sha256.Sum256(m.root)
	if got, want := Fingerprint(c), hex.EncodeToString(sum[:]); got != want || strings.ToLower(got) != got || len(got) != 64 {
		t.Errorf("Fingerprint = %q, want %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	m := newMaterial(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("ok", func(t *testing.T) {
		p := write("chain.pem", cat(pemOf("CERTIFICATE", m.leaf), pemOf("CERTIFICATE", m.root)))
		f, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Certificates) != 2 || f.Format != FormatPEM {
			t.Errorf("got %d certificates, format %v", len(f.Certificates), f.Format)
		}
	})
	t.Run("too large", func(t *testing.T) {
		p := filepath.Join(dir, "big.cer")
		fh, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := fh.Truncate(17 << 20); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		start := time.Now()
		_, err = Load(p)
		if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("err = %v, want ErrTooLarge prefixed with the path", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("refusing a 17 MiB file took %v", d)
		}
	})
	t.Run("exactly MaxSize is read", func(t *testing.T) {
		p := write("max.bin", make([]byte, MaxSize))
		if _, err := Load(p); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("err = %v, want ErrUnknownFormat", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		p := filepath.Join(dir, "missing.pem")
		_, err := Load(p)
		if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("decode error names the file", func(t *testing.T) {
		p := write("garbage.cer", []byte("garbage"))
		_, err := Load(p)
		if !errors.Is(err, ErrUnknownFormat) || err.Error() != p+": "+ErrUnknownFormat.Error() {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := Load(dir); err == nil {
			t.Errorf("Load(directory) succeeded")
		}
	})
}

// TestPEMFormatMatchesDetect pins that Decode and Detect agree on PEM files.
func TestPEMFormatMatchesDetect(t *testing.T) {
	m := newMaterial(t)
	for _, in := range [][]byte{
		pemOf("PKCS7", degenerate(m.leaf)),
		cat(pemOf("PKCS7", degenerate(m.leaf)), pemOf("PKCS7", degenerate(m.root))),
		cat(pemOf("PKCS7", degenerate(m.leaf)), pemOf("X509 CRL", []byte{1})),
	} {
		f, err := Decode(in)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := Detect(in); d != f.Format {
			t.Errorf("Detect = %v, Decode = %v", d, f.Format)
		}
	}
	if !reflect.DeepEqual(pemBlocks([]byte("-----BEGIN A-----\n-----BEGIN B-----  \r\n")),
		[]pemBlock{{0, "A"}, {18, "B"}}) {
		t.Errorf("pemBlocks = %+v", pemBlocks([]byte("-----BEGIN A-----\n-----BEGIN B-----  \r\n")))
	}
}

// Encrypted private keys are listed, with their block numbers, for the
// caller that has the password (package keystore decrypts them; its
// TestEncryptedPEMKeys has openssl's files).
func TestDecodeListsEncryptedKeys(t *testing.T) {
	m := newMaterial(t)
	legacy := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"
	f, err := Decode(cat(pemOf("CERTIFICATE", m.leaf), pemOf("ENCRYPTED PRIVATE KEY", []byte{0x30, 0x00}), []byte(legacy)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Certificates) != 1 || len(f.Keys) != 0 || len(f.Encrypted) != 2 ||
		f.Encrypted[0].Block != 2 || f.Encrypted[0].PEM.Type != "ENCRYPTED PRIVATE KEY" ||
		f.Encrypted[1].Block != 3 || f.Encrypted[1].PEM.Headers["DEK-Info"] == "" {
		t.Fatalf("%+v", f)
	}
	// An encrypted key alone is content too.
	if f, err := Decode([]byte(legacy)); err != nil || len(f.Encrypted) != 1 {
		t.Fatalf("%+v %v", f, err)
	}
}
