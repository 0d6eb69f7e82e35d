package certfile

import (
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/fixtures"
)

var fixturesDir = filepath.Join("..", "..", "fixtures")

func loadExpected(t *testing.T) []fixtures.File { return fixtures.Load(t) }

// TestFixtures decodes the committed certificate files listed in
// fixtures/expected.json and checks them against both expected.json and
// what OpenSSL sees in them (fingerprints in file order).
func TestFixtures(t *testing.T) {
	files := loadExpected(t)
	formats := map[string]Format{"der": FormatDER, "pem": FormatPEM, "pkcs7": FormatPKCS7}
	seen := 0
	for _, e := range files {
		format, ok := formats[e.Type]
		if !ok {
			continue
		}
		seen++
		t.Run(e.File, func(t *testing.T) {
			path := filepath.Join(fixturesDir, filepath.FromSlash(e.File))
			if strings.Contains(e.File, "negserial") && !strings.HasSuffix(e.File, ".key.pem") {
				// Go refuses negative serials unless the program sets
				// GODEBUG=x509negativeserial=1 (uccert's main package
				// does): first the refusal, naming the setting, then the
				// file as the tools read it.
				t.Setenv("GODEBUG", "x509negativeserial=0")
				_, err := Load(path)
				if !errors.Is(err, ErrNegativeSerial) || !strings.Contains(err.Error(), "GODEBUG=x509negativeserial=1") {
					t.Errorf("without the setting: %v, want ErrNegativeSerial naming GODEBUG=x509negativeserial=1", err)
				}
				t.Setenv("GODEBUG", "x509negativeserial=1")
			}
			f, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if f.Format != format {
				t.Errorf("Format = %v, want %v", f.Format, format)
			}
			// expected.json: the set of certificates and the keys.
			var want, keys []string
			for _, en := range e.Entries {
				if en.Kind == "key" {
					want = append(want, en.ChainSHA256...)
					if en.Key != nil {
						keys = append(keys, strings.Fields(*en.Key)[0])
					}
				} else if en.SHA256 != nil {
					want = append(want, *en.SHA256)
				}
			}
			got := fingerprints(f.Certificates)
			if !slices.Equal(sorted(got), sorted(want)) {
				t.Errorf("certificates\n got %v\nwant %v (expected.json)", got, want)
			}
			var gotKeys []string
			for _, k := range f.Keys {
				switch k.(type) {
				case *rsa.PrivateKey:
					gotKeys = append(gotKeys, "RSA")
				case *ecdsa.PrivateKey:
					gotKeys = append(gotKeys, "EC")
				case *dsa.PrivateKey:
					gotKeys = append(gotKeys, "DSA")
				default:
					gotKeys = append(gotKeys, "other")
				}
				if len(f.Certificates) > 0 && !matchesAny(k, f) {
					t.Errorf("key %T matches none of the certificates", k)
				}
			}
			if !slices.Equal(gotKeys, keys) {
				t.Errorf("keys = %v, want %v (expected.json)", gotKeys, keys)
			}
			// OpenSSL: the same certificates in the same order.
			if len(f.Certificates) > 0 {
				needOpenSSL(t)
				kind := map[Format]string{FormatDER: "der", FormatPEM: "pem", FormatPKCS7: "p7b"}[format]
				if format == FormatPKCS7 && strings.HasPrefix(readHead(t, path), "-----") {
					kind = "p7b-pem"
				}
				if ossl := opensslFingerprints(t, ".", path, kind); !slices.Equal(got, ossl) {
					t.Errorf("certificates\n got %v\nwant %v (openssl)", got, ossl)
				}
			}
		})
	}
	if seen == 0 {
		t.Skip("expected.json lists no certificate files yet")
	}
}

// TestFixturesOtherFiles checks that the key stores, PKCS#12 exports and
// hostile files are refused with a declared error, never a panic, and that
// no PKCS#12 file is mistaken for a certificate file.
func TestFixturesOtherFiles(t *testing.T) {
	var files []string
	for _, pattern := range []string{"exports/*", "stores/*", "hostile/*"} {
		m, _ := filepath.Glob(filepath.Join(fixturesDir, pattern))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("fixtures not generated yet")
	}
	for _, path := range files {
		t.Run(filepath.ToSlash(path[len(fixturesDir)+1:]), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if format, ok := Detect(data); ok {
				t.Errorf("Detect = %v for a file that is not a certificate file", format)
			}
			if _, err := Load(path); !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("Load: %v, want ErrUnknownFormat", err)
			}
		})
	}
}

func readHead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:min(len(b), 16)])
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
