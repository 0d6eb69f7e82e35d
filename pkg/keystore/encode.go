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

// CheckPassword reports whether password can protect a store of format f
// that Java will open: JKS takes characters up to U+00FF (keystore-go
// writes Java chars from Latin-1), and Java 17 refuses to open a PKCS#12
// store whose password is not ASCII ("Password is not ASCII"), although
// OpenSSL would. Length rules are the caller's (secret.CheckStorePassword).
func CheckPassword(f Format, password string) error {
	for _, r := range password {
		switch {
		case f == FormatJKS && r > 0xFF:
			return fmt.Errorf("%w: a JKS password may only hold characters up to U+00FF", ErrPasswordEncoding)
		case f == FormatPKCS12 && r > 0x7E:
			return fmt.Errorf("%w: Java cannot open a PKCS#12 store whose password is not ASCII; choose an ASCII password (or JKS for Latin-1)", ErrPasswordEncoding)
		}
	}
	return nil
}
