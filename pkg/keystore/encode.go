package keystore

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/secret"
)

// EncodeOptions say how to write a store.
type EncodeOptions struct {
	// Format is FormatJKS or FormatPKCS12.
	Format Format
	// Password protects the store and every key in it.
	Password secret.Password
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
//
// Keys crypto/x509 cannot encode (DSA, algorithms Go's crypto cannot use)
// are written as the file they came from held them (Entry.PKCS8); secret
// keys go into PKCS#12 as Java writes them.
//
// Errors wrap ErrUnsupported (a format that cannot be written, an entry
// kind the format cannot hold: a secret key in JKS), ErrPasswordEncoding
// (CheckPassword), ErrNoAlias, ErrDuplicateAlias (Format.AliasKey),
// ErrMalformed (a trusted entry without exactly one certificate) or an
// *UnusableKeyError (Entry.Writable).
func Encode(s *Store, opts EncodeOptions) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: no store to encode", ErrMalformed)
	}
	if err := CheckPassword(opts.Format, opts.Password); err != nil {
		return nil, err
	}
	if err := checkLimits(s, opts.Format); err != nil {
		return nil, err
	}
	switch opts.Format {
	case FormatJKS:
		return encodeJKS(s, opts)
	case FormatPKCS12:
		return encodePKCS12(s, opts)
	}
	return nil, fmt.Errorf("%w: cannot write format %v (want jks or pkcs12)", ErrUnsupported, opts.Format)
}

// checkEntries checks what every writer needs of s's entries before it
// encodes anything: each has an alias, no two aliases are the same for f
// (Format.AliasKey), key and secret entries can be written
// (Entry.Writable), certificate entries hold exactly one certificate, and
// f can hold each kind (JKS: key and trusted; PKCS#12 also cert and
// secret).
func checkEntries(s *Store, f Format) error {
	seen := make(map[string]string, len(s.Entries))
	for _, e := range s.Entries {
		if e == nil {
			return fmt.Errorf("%w: a nil entry", ErrMalformed)
		}
		if e.Alias == "" {
			return fmt.Errorf("%w (a %v entry)", ErrNoAlias, e.Kind)
		}
		k := f.AliasKey(e.Alias)
		if prev, dup := seen[k]; dup {
			if prev == e.Alias {
				return fmt.Errorf("%w: %q", ErrDuplicateAlias, e.Alias)
			}
			return fmt.Errorf("%w: %q and %q (Java reads %s aliases without regard to case)", ErrDuplicateAlias, prev, e.Alias, f)
		}
		seen[k] = e.Alias
		switch e.Kind {
		case KindKey:
			if err := e.Writable(); err != nil {
				return &UnusableKeyError{Alias: e.Alias, Err: err}
			}
		case KindSecret:
			if f != FormatPKCS12 {
				return fmt.Errorf("%w: secret key %q (%s): %s stores cannot hold secret keys, only PKCS#12 can", ErrUnsupported, e.Alias, e.KeyDescription(), f)
			}
			if err := e.Writable(); err != nil {
				return &UnusableKeyError{Alias: e.Alias, Err: err}
			}
		case KindTrusted, KindCert:
			if f == FormatJKS && e.Kind == KindCert {
				return fmt.Errorf("%w: a JKS entry must be a key or a trusted certificate (%q is a %v entry)", ErrUnsupported, e.Alias, e.Kind)
			}
			if len(e.Chain) != 1 || e.Chain[0] == nil {
				return fmt.Errorf("%w: %v entry %q has %d certificates, want 1", ErrMalformed, e.Kind, e.Alias, len(e.Chain))
			}
		default:
			return fmt.Errorf("%w: entry %q of kind %v", ErrUnsupported, e.Alias, e.Kind)
		}
	}
	return nil
}

// CheckPassword reports whether password can protect a store of format f
// that Java will open; it is the one password-charset rule per format.
// JKS takes any text (Java hashes it as UTF-16 chars, as keytool does);
// Java 17 refuses to open a PKCS#12 store whose password is not ASCII
// ("Password is not ASCII"), although OpenSSL would. The error wraps
// ErrPasswordEncoding. Length rules are secret.CheckStorePassword's.
func CheckPassword(f Format, password secret.Password) error {
	p := password.Reveal()
	if !utf8.ValidString(p) {
		return fmt.Errorf("%w: the password is not valid UTF-8 text", ErrPasswordEncoding)
	}
	for _, r := range p {
		if f == FormatPKCS12 && r > 0x7E {
			return fmt.Errorf("%w: Java cannot open a PKCS#12 store whose password is not ASCII; choose an ASCII password, or JKS", ErrPasswordEncoding)
		}
	}
	return nil
}
