package pkcs12

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// Bytes after the PFX: zero padding (Windows and .NET tools) is ignored
// with a note; other bytes only when the MAC vouches for the structure.
// OpenSSL 3.0 ignores any trailing bytes, even without a MAC
// (TestTrailingDataOpenSSL); without a MAC we refuse them.
func TestTrailingData(t *testing.T) {
	const pw = "fe1-export"
	withMAC := fixture(t, "exports/fe1-openssl.pfx")
	noMAC := withMacData(t, withMAC, nil)
	cat := func(a []byte, b ...byte) []byte { return append(bytes.Clone(a), b...) }
	tests := []struct {
		name, password string
		data           []byte
		wantErr        error
		wantText       string // in the note, or in the error
	}{
		{"nothing after", pw, withMAC, nil, ""},
		{"3 zero bytes", pw, cat(withMAC, 0, 0, 0), nil, "3 zero bytes after the PKCS#12 structure ignored"},
		{"garbage, MAC verifies", pw, cat(withMAC, []byte("garbage!")...), nil, "8 bytes of other data after the PKCS#12 structure ignored"},
		{"a second copy, MAC verifies", pw, cat(withMAC, withMAC...), nil, "bytes of other data after the PKCS#12 structure ignored"},
		{"garbage, wrong password", "wrong", cat(withMAC, []byte("garbage!")...), ErrIncorrectPassword, "8 bytes of other data follow"},
		{"zero bytes, wrong password", "wrong", cat(withMAC, 0, 0), ErrIncorrectPassword, ""},
		{"no MAC, nothing after", pw, noMAC, nil, ""},
		{"no MAC, zero bytes", pw, cat(noMAC, 0, 0, 0, 0), nil, "4 zero bytes after the PKCS#12 structure ignored"},
		{"no MAC, garbage", pw, cat(noMAC, 0, 1), ErrMalformed, "2 bytes of other data follow the PKCS#12 structure, and the file has no MAC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode(tt.data, tt.password, 0)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantText) {
					t.Errorf("error %q does not say %q", err, tt.wantText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Keys) != 1 || len(c.Certs) != 3 {
				t.Errorf("%d keys, %d certificates", len(c.Keys), len(c.Certs))
			}
			switch {
			case tt.wantText == "" && len(c.Notes) != 0:
				t.Errorf("notes %q, want none", c.Notes)
			case tt.wantText != "" && (len(c.Notes) != 1 || !strings.Contains(c.Notes[0], tt.wantText)):
				t.Errorf("notes %q, want one saying %q", c.Notes, tt.wantText)
			}
		})
	}
}

// What OpenSSL 3.0 does with the same files: "openssl pkcs12 -info"
// ignores whatever follows the PFX (it reads one structure from its
// input), MAC or not, without a word. We accept the same files, except
// non-zero bytes after a file without a MAC.
func TestTrailingDataOpenSSL(t *testing.T) {
	const pw = "fe1-export"
	withMAC := fixture(t, "exports/fe1-openssl.pfx")
	noMAC := withMacData(t, withMAC, nil)
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		data   []byte
		weRead bool
	}{
		{"zeros", append(bytes.Clone(withMAC), 0, 0, 0), true},
		{"garbage", append(bytes.Clone(withMAC), "garbage!"...), true},
		{"no-mac-zeros", append(bytes.Clone(noMAC), 0, 0, 0), true},
		{"no-mac-garbage", append(bytes.Clone(noMAC), "garbage!"...), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, tt.name+".p12")
			if err := os.WriteFile(f, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			keys, certs, err := judge.OpenSSLPKCS12Info(t, f, pw, false)
			if err != nil || keys != 1 || certs != 3 {
				t.Fatalf("openssl: %d keys, %d certificates, %v", keys, certs, err)
			}
			if _, err := Decode(tt.data, pw, 0); (err == nil) != tt.weRead {
				t.Errorf("Decode: %v, want success %v", err, tt.weRead)
			}
		})
	}
}
