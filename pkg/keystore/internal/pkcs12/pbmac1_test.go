package pkcs12

import (
	"crypto"
	"errors"
	"strings"
	"testing"
)

// RFC 9579 appendix A: three valid files and three that must fail, with
// the password "1234". OpenSSL 3.0 cannot read any of them.
func TestPBMAC1RFC9579Vectors(t *testing.T) {
	tests := []struct {
		file, password string
		wantErr        error
		wantMAC        string
		wantText       string
	}{
		{"rfc9579-a1.b64", "1234", nil, "PBMAC1 HMAC-SHA-256, key from PBKDF2-HMAC-SHA-256, 2048 iterations", ""},
		{"rfc9579-a2.b64", "1234", nil, "PBMAC1 HMAC-SHA-256, key from PBKDF2-HMAC-SHA-512, 2048 iterations", ""},
		{"rfc9579-a3.b64", "1234", nil, "PBMAC1 HMAC-SHA-512, key from PBKDF2-HMAC-SHA-512, 2048 iterations", ""},
		{"rfc9579-a4.b64", "1234", ErrIncorrectPassword, "", ""},
		{"rfc9579-a5.b64", "1234", ErrIncorrectPassword, "", ""},
		{"rfc9579-a6.b64", "1234", ErrMalformed, "", "without a key length"},
		{"rfc9579-a1.b64", "1235", ErrIncorrectPassword, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.password, func(t *testing.T) {
			c, err := Decode(testdata(t, tt.file), tt.password, 0)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || c != nil {
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
			if c.MAC != tt.wantMAC {
				t.Errorf("MAC = %q, want %q", c.MAC, tt.wantMAC)
			}
			if len(c.Keys) != 1 || len(c.Certs) != 1 {
				t.Fatalf("%d keys, %d certificates; want 1 and 1", len(c.Keys), len(c.Certs))
			}
			pub, ok := c.Keys[0].Key.(crypto.Signer)
			if !ok || !pub.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(c.Certs[0].Cert.PublicKey) {
				t.Error("the key does not belong to the certificate")
			}
		})
	}
}

// PBMAC1's key length is the file's choice; a short one makes the MAC
// forgeable without the password (256 tries for 1 byte), so a file whose
// MAC verifies under a short key is refused, not trusted. The MACs below
// are all computed correctly with the password: only the rule refuses.
func TestPBMAC1KeyLengthRule(t *testing.T) {
	a1 := testdata(t, "rfc9579-a1.b64")
	_, authSafe, _ := pfxParts(t, a1)
	sha256, sha512 := digestNamed(t, "SHA-256"), digestNamed(t, "SHA-512")
	salt := []byte("saltsalt")
	tests := []struct {
		name              string
		prf, mac          digest
		keyLen, macKeyLen int
		wantErr           error
		wantText          string
	}{
		{"1-byte key", sha256, sha256, 1, 1, ErrUnsupported, "1-byte key"},
		{"19-byte key", sha256, sha256, 19, 19, ErrUnsupported, "19-byte key"},
		{"20-byte key", sha256, sha256, 20, 20, nil, ""},
		{"32-byte key, HMAC-SHA-512", sha256, sha512, 32, 32, nil, ""},
		{"64-byte key", sha512, sha512, 64, 64, nil, ""},
		{"65-byte key", sha512, sha512, 65, 65, ErrUnsupported, "65-byte key"},
		{"no key length", sha256, sha256, 0, 32, ErrMalformed, "RFC 9579 requires"},
		{"key length says 32, MAC made with 16", sha256, sha256, 32, 16, ErrIncorrectPassword, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := withMacData(t, a1, pbmac1MacData(authSafe, "1234", salt, 1000, 0, tt.prf, tt.mac, tt.keyLen, tt.macKeyLen))
			c, st, err := decode(data, "1234", 0, derivationBudget)
			if tt.wantErr == nil {
				if err != nil || len(c.Keys) != 1 {
					t.Fatalf("got %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
			if tt.wantErr != ErrIncorrectPassword && st.derivations != 0 {
				t.Errorf("%d derivations before refusing the MAC", st.derivations)
			}
		})
	}
}

// PBMAC1's PBKDF2 goes through the same caps as every other derivation.
func TestPBMAC1IterationCaps(t *testing.T) {
	a1 := testdata(t, "rfc9579-a1.b64")
	_, authSafe, _ := pfxParts(t, a1)
	sha512 := digestNamed(t, "SHA-512")
	tests := []struct {
		name  string
		data  []byte
		limit int
	}{
		{"below the caller's limit", a1, 2047},
		// Its MAC was made with 1 iteration: the cap must refuse it
		// before deriving anything.
		{"above MaxIterations", withMacData(t, a1, pbmac1MacData(authSafe, "1234", []byte("s"), 1, MaxIterations+1, sha512, sha512, 64, 64)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st, err := decode(tt.data, "1234", tt.limit, derivationBudget)
			if !errors.Is(err, ErrIterationCount) {
				t.Fatalf("got %v, want ErrIterationCount", err)
			}
			if st.derivations != 0 {
				t.Errorf("%d derivations before refusing", st.derivations)
			}
		})
	}
}
