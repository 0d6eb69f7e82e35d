package secret

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"unicode/utf8"
)

// MinStorePasswordLen is the shortest store password CheckStorePassword
// accepts, in characters; keytool refuses shorter ones.
const MinStorePasswordLen = 6

const redacted = "[redacted]"

// Password holds a secret. Its zero value is the empty password.
//
// It prints as "[redacted]" with every fmt verb, in slog and as text or
// JSON; only Reveal returns the secret. The secret sits behind a pointer,
// so even a Password nested in another struct and printed by reflection
// shows an address, not the text.
type Password struct {
	// A pointer to a string (not to a struct, which fmt would follow)
	// prints as an address even through fmt's %!verb(...) fallback.
	p *string
}

// NewPassword returns a Password holding s exactly (no trimming, no
// Unicode normalization).
func NewPassword(s string) Password {
	return Password{p: &s}
}

// Reveal returns the password text. Call it only where the password is
// used (key derivation) or deliberately shown (uccert args).
func (p Password) Reveal() string {
	if p.p == nil {
		return ""
	}
	return *p.p
}

// Len returns the length of the password in characters (Unicode code
// points), not bytes.
func (p Password) Len() int { return utf8.RuneCountInString(p.Reveal()) }

// Equal reports whether p and q hold the same text, in constant time for
// equal lengths.
func (p Password) Equal(q Password) bool {
	return subtle.ConstantTimeCompare([]byte(p.Reveal()), []byte(q.Reveal())) == 1
}

// String returns "[redacted]".
func (Password) String() string { return redacted }

// GoString returns "[redacted]", for %#v.
func (Password) GoString() string { return redacted }

// Format writes "[redacted]" for every verb and flag.
func (Password) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

// LogValue makes log/slog print "[redacted]".
func (Password) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[redacted]", so encoding/json and friends never
// write the secret.
func (Password) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// CheckStorePassword returns an error wrapping ErrTooShort when p has
// fewer than MinStorePasswordLen characters (code points, not bytes).
// Output stores are refused such passwords; input stores are not checked.
func CheckStorePassword(p Password) error {
	if p.Len() < MinStorePasswordLen {
		return ErrTooShort
	}
	return nil
}
