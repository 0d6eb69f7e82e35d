package keystore

import (
	"fmt"
	"io"
	"time"
)

// EncodeOptions say how to write a store.
type EncodeOptions struct {
	// Format is FormatJKS or FormatPKCS12.
	Format Format
	// Password protects the store and every key in it.
	Password string
	// Profile selects the PKCS#12 encryption (ignored for JKS).
	Profile Profile
	// Rand supplies salts and IVs; crypto/rand when nil. Tests inject a
	// fixed stream for reproducible output.
	Rand io.Reader
	// Now is the JKS creation date for entries that have none; time.Now
	// when zero.
	Now time.Time
}

// Encode writes s in opts.Format. Every key is protected with the store
// password, so Java's KeyManagerFactory can recover it with that password.
func Encode(s *Store, opts EncodeOptions) ([]byte, error) {
	switch opts.Format {
	case FormatJKS:
		return encodeJKS(s, opts)
	case FormatPKCS12:
		return encodePKCS12(s, opts)
	}
	return nil, fmt.Errorf("%w: cannot write format %v (want jks or pkcs12)", ErrUnsupported, opts.Format)
}
