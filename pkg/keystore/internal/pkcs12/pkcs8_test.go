package pkcs12

import (
	"encoding/pem"
	"errors"
	"os"
	"testing"
)

// The PKCS#8 key of an OpenSSL PEM file (fixtures/pem/) decrypts with its
// password, not with another; an iteration count over the limit is
// refused before any derivation, and so are derivations over the file's
// budget (one KeyDecrypter per file).
func TestKeyDecrypter(t *testing.T) {
	data, err := os.ReadFile("../../../../fixtures/pem/fe1-pkcs8-aes256.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "ENCRYPTED PRIVATE KEY" {
		t.Fatalf("%v", block)
	}
	if _, err := NewKeyDecrypter("pem-export1", 0).Decrypt(block.Bytes); err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeyDecrypter("wrong-pass1", 0).Decrypt(block.Bytes); !errors.Is(err, ErrIncorrectPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	// OpenSSL 3 writes 2048 iterations.
	if _, err := NewKeyDecrypter("pem-export1", 2047).Decrypt(block.Bytes); !errors.Is(err, ErrIterationCount) {
		t.Fatalf("limit 2047: %v", err)
	}
	k := NewKeyDecrypter("pem-export1", 0)
	if _, err := k.Decrypt(block.Bytes); err != nil || k.spent <= 0 {
		t.Fatal(err, k.spent)
	}
	k.budget = k.spent + k.spent/2 // one and a half derivations
	if _, err := k.Decrypt(block.Bytes); !errors.Is(err, ErrIterationCount) {
		t.Fatalf("over the budget: %v", err)
	}
}
