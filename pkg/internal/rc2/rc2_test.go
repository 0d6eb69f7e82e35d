package rc2

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// rfcVectors are all the test vectors of RFC 2268 section 5.
var rfcVectors = []struct {
	key        string
	effective  int
	plaintext  string
	ciphertext string
}{
	{"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
	{"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
	{"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
	{"88", 64, "0000000000000000", "61a8a244adacccf0"},
	{"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
	{"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
	{"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
	{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129, "0000000000000000", "5b78d3a43dfff1f1"},
}

func TestRFC2268Vectors(t *testing.T) {
	for _, v := range rfcVectors {
		t.Run(fmt.Sprintf("%s/%d", v.key, v.effective), func(t *testing.T) {
			key, pt, ct := mustHex(t, v.key), mustHex(t, v.plaintext), mustHex(t, v.ciphertext)
			b, err := New(key, v.effective)
			if err != nil {
				t.Fatal(err)
			}
			if b.BlockSize() != 8 {
				t.Fatalf("BlockSize() = %d, want 8", b.BlockSize())
			}
			got := make([]byte, 8)
			b.Encrypt(got, pt)
			if !bytes.Equal(got, ct) {
				t.Errorf("Encrypt = %x, want %x", got, ct)
			}
			b.Decrypt(got, ct)
			if !bytes.Equal(got, pt) {
				t.Errorf("Decrypt = %x, want %x", got, pt)
			}
			// In place.
			buf := bytes.Clone(pt)
			b.Encrypt(buf, buf)
			b.Decrypt(buf, buf)
			if !bytes.Equal(buf, pt) {
				t.Errorf("in-place round trip = %x, want %x", buf, pt)
			}
		})
	}
}

func TestPiTableIsPermutation(t *testing.T) {
	if len(piTable) != 256 {
		t.Fatalf("len(piTable) = %d", len(piTable))
	}
	var seen [256]bool
	for i := range len(piTable) {
		if seen[piTable[i]] {
			t.Fatalf("piTable[%d] = %#x repeated", i, piTable[i])
		}
		seen[piTable[i]] = true
	}
}

func TestNewRejectsBadParameters(t *testing.T) {
	tests := []struct {
		name    string
		keyLen  int
		bits    int
		wantErr error
	}{
		{"empty key", 0, 40, ErrKeySize},
		{"key too long", 129, 128, ErrKeySize},
		{"zero bits", 5, 0, ErrEffectiveKeyBits},
		{"too many bits", 5, 1025, ErrEffectiveKeyBits},
		{"min", 1, 1, nil},
		{"max", 128, 1024, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(make([]byte, tt.keyLen), tt.bits)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("New(%d bytes, %d) error = %v, want %v", tt.keyLen, tt.bits, err, tt.wantErr)
			}
		})
	}
}

func TestCBCRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		keyLen, bits int
	}{{5, 40}, {16, 128}, {8, 64}, {33, 129}} {
		key := make([]byte, tc.keyLen)
		for i := range key {
			key[i] = byte(i*37 + 11)
		}
		b, err := New(key, tc.bits)
		if err != nil {
			t.Fatal(err)
		}
		iv := []byte("initvect")
		pt := bytes.Repeat([]byte("0123456789abcdef"), 9) // 144 bytes, 18 blocks
		ct := make([]byte, len(pt))
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(ct, pt)
		if bytes.Equal(ct[:16], pt[:16]) {
			t.Fatalf("key %d/%d: ciphertext equals plaintext", tc.keyLen, tc.bits)
		}
		// Identical plaintext blocks must not give identical ciphertext blocks in CBC.
		if bytes.Equal(ct[0:8], ct[16:24]) {
			t.Fatalf("key %d/%d: CBC chaining not effective", tc.keyLen, tc.bits)
		}
		got := make([]byte, len(ct))
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(got, ct)
		if !bytes.Equal(got, pt) {
			t.Fatalf("key %d/%d: CBC round trip = %q, want %q", tc.keyLen, tc.bits, got, pt)
		}
	}
}

// TestOpenSSLInterop encrypts with OpenSSL's legacy provider and decrypts
// with this package, for the RC2 variants PKCS#12 files use.
func TestOpenSSLInterop(t *testing.T) {
	openssl := judge.Require(t, "openssl")
	plaintext := []byte("RC2 interop: a buffer that spans several 8-byte blocks, not a multiple of eight.")
	iv := mustHex(t, "a72ab19138364bb8")
	tests := []struct {
		cipherName string
		key        string
		bits       int
	}{
		{"rc2-40-cbc", "0102030405", 40},
		{"rc2-64-cbc", "f0e1d2c3b4a59687", 64},
		{"rc2-cbc", "000102030405060708090a0b0c0d0e0f", 128},
	}
	for _, tt := range tests {
		t.Run(tt.cipherName, func(t *testing.T) {
			cmd := exec.Command(openssl, "enc", "-provider", "legacy", "-provider", "default",
				"-"+tt.cipherName, "-e", "-K", tt.key, "-iv", hex.EncodeToString(iv))
			cmd.Stdin = bytes.NewReader(plaintext)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			ct, err := cmd.Output()
			if err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("openssl enc -%s failed: %v\n%s", tt.cipherName, err, stderr.String())
				}
				t.Skipf("SKIPPING: openssl enc -%s failed (legacy provider missing?): %v\n%s", tt.cipherName, err, stderr.String())
			}
			if len(ct) == 0 || len(ct)%BlockSize != 0 {
				t.Fatalf("openssl output length %d is not a positive multiple of %d", len(ct), BlockSize)
			}
			b, err := New(mustHex(t, tt.key), tt.bits)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(ct))
			cipher.NewCBCDecrypter(b, iv).CryptBlocks(got, ct)
			pad := int(got[len(got)-1])
			if pad < 1 || pad > BlockSize {
				t.Fatalf("bad PKCS#7 padding byte %d; decrypted %x", pad, got)
			}
			for _, p := range got[len(got)-pad:] {
				if int(p) != pad {
					t.Fatalf("bad PKCS#7 padding; decrypted %x", got)
				}
			}
			if got = got[:len(got)-pad]; !bytes.Equal(got, plaintext) {
				t.Fatalf("decrypted %q, want %q", got, plaintext)
			}

			// And the other direction: our encryption equals OpenSSL's.
			padded := append(bytes.Clone(plaintext), bytes.Repeat([]byte{byte(pad)}, pad)...)
			mine := make([]byte, len(padded))
			cipher.NewCBCEncrypter(b, iv).CryptBlocks(mine, padded)
			if !bytes.Equal(mine, ct) {
				t.Fatalf("our ciphertext %x differs from OpenSSL's %x", mine, ct)
			}
		})
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, err := New([]byte("0123456789abcdef"), 128)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}
