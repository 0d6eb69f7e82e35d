package keystore

import (
	"errors"

	"github.com/uccert/uccert/pkg/atomicfile"
)

// Sentinel errors. Every error from Decode, Load, Encode and WriteFile
// wraps one of them (errors.Is), with the file and the cause in its text.
var (
	// ErrIncorrectPassword: the store password is wrong (JKS digest,
	// PKCS#12 MAC or decryption check).
	ErrIncorrectPassword = errors.New("wrong password")
	// ErrKeyPassword: a key entry is protected by a password other than
	// the ones given (set in Entry.KeyErr; the store itself was read).
	ErrKeyPassword = errors.New("the key is protected by a different password than the store")
	// ErrMalformed: truncated, garbage or structurally invalid input.
	ErrMalformed = errors.New("malformed file")
	// ErrUnknownFormat: the content is none of the supported formats.
	ErrUnknownFormat = errors.New("unrecognised file format (not JKS, PKCS#12, DER, PEM or PKCS#7)")
	// ErrUnsupported: a recognised file uses something uccert does not
	// implement (JCEKS, RC4, public-key privacy mode, ...).
	ErrUnsupported = errors.New("unsupported")
	// ErrTooLarge: the input exceeds MaxInputSize.
	ErrTooLarge = errors.New("file too large")
	// ErrLimit: an iteration count or nesting depth beyond the limits.
	ErrLimit = errors.New("limit exceeded")
	// ErrPasswordEncoding: the password cannot be represented in the
	// format (see CheckPassword).
	ErrPasswordEncoding = errors.New("password cannot be used with this store type")
	// ErrDuplicateAlias: two entries would share one alias (see
	// Format.AliasKey).
	ErrDuplicateAlias = errors.New("duplicate alias")
	// ErrNoAlias: an entry to be written has no alias.
	ErrNoAlias = errors.New("entry has no alias")
	// ErrKeyAlgorithm: a key whose algorithm Go's crypto or TLS cannot use
	// (DSA, GOST R 34.10, Ed448, ...). The entry is read and written back
	// as it was (Entry.PKCS8, Entry.Writable) but cannot serve TLS
	// (Entry.Usable). Such errors also wrap ErrUnsupported.
	ErrKeyAlgorithm = errors.New("key algorithm unusable for TLS")
	// ErrNoKey: a key entry has no private key.
	ErrNoKey = errors.New("key entry has no private key")
	// ErrNoCertificate: a key entry has no certificate.
	ErrNoCertificate = errors.New("key entry has no certificate")
	// ErrKeyMismatch: a key entry's private key does not belong to its
	// certificate.
	ErrKeyMismatch = errors.New("the private key does not match its certificate")
	// ErrExists: the output file exists and overwriting was not allowed.
	// It is atomicfile.ErrExists.
	ErrExists = atomicfile.ErrExists
	// ErrReadBack: what was written did not read back identically.
	ErrReadBack = errors.New("written file did not read back identically")
	// ErrBadStoreType: a store type that is neither jks nor pkcs12.
	ErrBadStoreType = errors.New("unknown store type")
	// ErrTypeMismatch: a declared store type contradicts the file.
	ErrTypeMismatch = errors.New("store type does not match the file")
)

// kindError carries a sentinel (kind) and the underlying cause: its text
// is the cause's, and errors.Is matches both.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

func wrapKind(kind, err error) error {
	if err == nil {
		return nil
	}
	return &kindError{kind: kind, err: err}
}
