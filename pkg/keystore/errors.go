package keystore

import "errors"

// Sentinel errors. Every error from Decode, Load, Encode and WriteFile
// wraps one of them (errors.Is), with the file and the cause in its text.
var (
	// ErrIncorrectPassword: the store password is wrong (JKS digest,
	// PKCS#12 MAC or decryption check).
	ErrIncorrectPassword = errors.New("wrong password")
	// ErrKeyPassword: a key entry is protected by a password other than
	// the ones given (set in Entry.KeyErr; the store itself was read).
	ErrKeyPassword = errors.New("key is protected by a different password")
	// ErrMalformed: truncated, garbage or structurally invalid input.
	ErrMalformed = errors.New("malformed file")
	// ErrUnknownFormat: the content is none of the supported formats.
	ErrUnknownFormat = errors.New("unrecognised file format (not JKS, PKCS#12, DER, PEM or PKCS#7)")
	// ErrUnsupported: a recognised file uses something uccert does not
	// implement (JCEKS, RC4, public-key privacy mode, ...).
	ErrUnsupported = errors.New("unsupported")
	// ErrTooLarge: the input exceeds MaxInputSize.
	ErrTooLarge = errors.New("file too large (limit 16 MiB)")
	// ErrLimit: an iteration count or nesting depth beyond the limits.
	ErrLimit = errors.New("limit exceeded")
	// ErrPasswordEncoding: the password cannot be represented in the
	// format (JKS takes characters up to U+00FF).
	ErrPasswordEncoding = errors.New("password cannot be represented in this format")
	// ErrDuplicateAlias: two entries would share one alias.
	ErrDuplicateAlias = errors.New("duplicate alias")
	// ErrNoKey: a key entry without a usable private key cannot be written.
	ErrNoKey = errors.New("key entry has no private key")
	// ErrExists: the output file exists and overwriting was not allowed.
	ErrExists = errors.New("file exists")
	// ErrReadBack: what was written did not read back identically.
	ErrReadBack = errors.New("written file did not read back identically")
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
