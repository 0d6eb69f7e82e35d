// Package keystore is the format-agnostic model of the key and certificate
// material a UC Connector uses: key entries (private key and its chain,
// leaf first) and trusted-certificate entries, read from and written to
// JKS and PKCS#12 the way Java and OpenSSL read them.
//
// Decode reads any supported file: JKS, PKCS#12 (any number of keys,
// certificates and Java secret keys, DER or BER, modern and legacy
// encryption), and certificate files (DER, PEM with optional unencrypted
// keys, PKCS#7). One entry uccert cannot use does not fail a file: a DSA
// key, a key of an algorithm Go's crypto cannot use (GOST R 34.10, Ed448,
// ...) or a key without its certificate is an entry that says why
// (Entry.Usable), and DSA and such keys are written back as they were
// (Entry.PKCS8, Entry.Writable). Certificates are read by
// certfile.ParseCertificate: non-ASCII subjectAltNames are read (see
// certfile.MalformedNames), and negative serial numbers, which older
// Windows CAs issued, need GODEBUG=x509negativeserial=1 in the program
// (a "//go:debug x509negativeserial=1" line above the main package's
// package clause, as uccert's command line has); without it such a file
// fails with an error that wraps ErrUnsupported and
// certfile.ErrNegativeSerial and names the setting. Encode writes
// JKS and PKCS#12 (profiles ProfileModern and ProfileLegacy), and
// WriteFile writes atomically, reading the result back before it replaces
// anything. Inputs are capped (MaxInputSize, iteration counts, nesting
// depth) so hostile files fail quickly with a declared error.
package keystore

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/keystore/internal/jks"
)

// MaxInputSize is the largest file Decode and Load accept (16 MiB).
const MaxInputSize = 16 << 20

// Format is the kind of file an entry set was read from or is written to.
type Format int

// Formats. Only FormatJKS and FormatPKCS12 can be written.
const (
	FormatUnknown Format = iota
	FormatJKS
	FormatPKCS12
	FormatDER   // one DER X.509 certificate (.cer, .crt, .der)
	FormatPEM   // PEM certificates and unencrypted keys
	FormatPKCS7 // PKCS#7 certificate bundle (.p7b, .p7c), DER or PEM
)

var formatNames = [...]string{"unknown", "jks", "pkcs12", "der", "pem", "pkcs7"}

// String returns the name used in flags and JSON: "jks", "pkcs12", "der",
// "pem", "pkcs7".
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// IsStore reports whether f is a keystore format (JKS or PKCS#12).
func (f Format) IsStore() bool { return f == FormatJKS || f == FormatPKCS12 }

// AliasKey is the form under which f compares aliases: Java lower-cases
// the aliases of JKS and of PKCS#12 stores (toLowerCase(Locale.ENGLISH)),
// so two aliases that differ only in case name one entry in both. It is
// the one alias rule of the package; certificate files compare aliases as
// they are.
func (f Format) AliasKey(alias string) string {
	if f.IsStore() {
		return jks.FoldAlias(alias)
	}
	return alias
}

// StoredAlias is alias as a store of format f keeps it: Java writes JKS
// aliases in lower case (and finds no entry stored otherwise); PKCS#12
// keeps the friendlyName as given (and compares it without regard to
// case, AliasKey).
func (f Format) StoredAlias(alias string) string {
	if f == FormatJKS {
		return jks.FoldAlias(alias)
	}
	return alias
}

// ParseStoreType parses a store type as the connector reads it from
// -cert_store_type and -key_store_type (Java's KeyStore.getInstance):
// "jks" or "pkcs12", in any case. Anything else wraps ErrBadStoreType;
// uccert's own --type takes more names (ParseFormat).
func ParseStoreType(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "jks":
		return FormatJKS, nil
	case "pkcs12":
		return FormatPKCS12, nil
	}
	return FormatUnknown, fmt.Errorf("%w: %q (the connector reads jks or pkcs12)", ErrBadStoreType, s)
}

// ParseFormat parses the store type of uccert's own --type options:
// "jks", "pkcs12", "p12" or "pfx", in any case. Anything else wraps
// ErrBadStoreType.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "p12", "pfx":
		return FormatPKCS12, nil
	}
	f, err := ParseStoreType(strings.TrimSpace(s))
	if err != nil {
		return FormatUnknown, fmt.Errorf("%w: %q (want jks or pkcs12)", ErrBadStoreType, s)
	}
	return f, nil
}

// TypeError is a declared store type that the file's content contradicts
// (Err is ErrTypeMismatch), or that is no store type at all (Err is
// ErrBadStoreType; Actual is then what the file is, if known).
type TypeError struct {
	Declared string
	Actual   Format
	Err      error
}

func (e *TypeError) Error() string {
	if errors.Is(e.Err, ErrBadStoreType) {
		return fmt.Sprintf("declared store type %q is neither jks nor pkcs12", e.Declared)
	}
	return fmt.Sprintf("declared as %s, but the file is %s", strings.ToLower(e.Declared), e.Actual)
}

// Unwrap returns ErrTypeMismatch or ErrBadStoreType.
func (e *TypeError) Unwrap() error { return e.Err }

// CheckDeclaredType checks a store type declared for a file (the
// connector's -*_store_type, by ParseStoreType's rule) against the
// format its content has. An empty declaration declares nothing (nil).
// The error is a *TypeError.
func CheckDeclaredType(declared string, actual Format) error {
	if declared == "" {
		return nil
	}
	f, err := ParseStoreType(declared)
	if err != nil {
		return &TypeError{Declared: declared, Actual: actual, Err: ErrBadStoreType}
	}
	if f != actual {
		return &TypeError{Declared: declared, Actual: actual, Err: ErrTypeMismatch}
	}
	return nil
}

// FormatFromExtension guesses a store format from a file name: .jks → JKS,
// .p12/.pfx → PKCS#12, anything else FormatUnknown.
func FormatFromExtension(path string) Format {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".jks"):
		return FormatJKS
	case strings.HasSuffix(p, ".p12"), strings.HasSuffix(p, ".pfx"):
		return FormatPKCS12
	}
	return FormatUnknown
}

// Kind is the kind of an entry.
type Kind int

// Entry kinds.
const (
	// KindKey is a private key with its certificate chain (Java's PrivateKeyEntry).
	KindKey Kind = iota + 1
	// KindTrusted is a trusted certificate (Java's trustedCertEntry).
	KindTrusted
	// KindCert is a certificate that is neither: a certificate file's
	// content, or a PKCS#12 certificate that belongs to no key and lacks
	// Java's trusted-certificate attribute.
	KindCert
	// KindSecret is a secret key (Java's SecretKeyEntry: AES, HmacSHA256,
	// ...), which only PKCS#12 stores hold: Entry.SecretAlgorithm names
	// it, Entry.PKCS8 holds it as Java encodes it, and it has no
	// certificate.
	KindSecret
)

// String returns "key", "trusted", "cert" or "secret".
func (k Kind) String() string {
	switch k {
	case KindKey:
		return "key"
	case KindTrusted:
		return "trusted"
	case KindCert:
		return "cert"
	case KindSecret:
		return "secret"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Entry is one key or certificate entry.
type Entry struct {
	// Alias is the JKS alias or the PKCS#12 friendlyName; "" when the file
	// has none (Windows exports, certificate files).
	Alias string
	Kind  Kind
	// Key is the private key of a KindKey entry: what crypto/x509 parses
	// (*rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, ...) or a
	// *dsa.PrivateKey. It is nil when the key could not be recovered, or
	// when Go's crypto cannot use its algorithm (GOST R 34.10, Ed448, ...);
	// then KeyErr says why (for such an algorithm it wraps ErrUnsupported
	// and ErrKeyAlgorithm, and PKCS8 keeps the key).
	Key    crypto.PrivateKey
	KeyErr error
	// PKCS8 is the key as the file held it (a PKCS#8 PrivateKeyInfo) when
	// crypto/x509 cannot encode it: a DSA key, a key whose algorithm Go's
	// crypto cannot use, and the secret key of a KindSecret entry.
	// Encode writes these bytes back as they were, so such entries are
	// carried over by a merge (see Writable). It is nil otherwise.
	PKCS8 []byte
	// SecretAlgorithm is the algorithm of a KindSecret entry as Java names
	// it ("AES", "HmacSHA256", ...), or "OID x.y.z".
	SecretAlgorithm string
	// KeyPasswordDiffers is set when the key was recovered with one of
	// DecodeOptions.KeyPasswords rather than the store password (the
	// keytool -importkeystore trap).
	KeyPasswordDiffers bool
	// Chain is the certificate chain, leaf first; exactly one certificate
	// for KindTrusted and KindCert.
	Chain []*x509.Certificate
	// Created is the JKS creation date; zero when the format has none.
	Created time.Time
}

// Leaf returns the entry's first certificate, or nil.
func (e *Entry) Leaf() *x509.Certificate {
	if len(e.Chain) == 0 {
		return nil
	}
	return e.Chain[0]
}

// Store is an ordered set of entries and the format they came from.
type Store struct {
	Format  Format
	Entries []*Entry
	// Notes are facts the decoder saw and did not turn into entries, such
	// as skipped CRL bags, for callers to report.
	Notes []string
	// Protection describes a PKCS#12 file's integrity protection, for
	// display ("HMAC-SHA-256, 10000 iterations"); empty otherwise.
	Protection string
	// Profile is, for a PKCS#12 file read by Decode, the profile that
	// writes it again for the same readers: ProfileLegacy when nothing in
	// it needs a JRE of 8u301 or later (no PBES2 encryption, an
	// HMAC-SHA-1 MAC or none: OpenSSL 1.1, Windows and keytool 8 write
	// such files), else ProfileModern. UpdateOptions.KeepProfile uses it.
	Profile Profile
}

// Profile is a PKCS#12 encryption profile for Encode.
type Profile int

const (
	// ProfileModern is what keytool 17 writes: PBES2 AES-256-CBC with
	// PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC, 10,000 iterations. Read by Java
	// 8u301+, 11.0.12+, 17 and OpenSSL 1.1.1+.
	ProfileModern Profile = iota
	// ProfileLegacy is pbeWithSHAAnd3-KeyTripleDES-CBC for keys and
	// certificates with an HMAC-SHA1 MAC: for JREs older than 8u301.
	ProfileLegacy
)

// String returns "modern" or "legacy".
func (p Profile) String() string {
	if p == ProfileLegacy {
		return "legacy"
	}
	return "modern"
}

// ParseProfile parses "modern" or "legacy" (any case; "" is modern);
// anything else wraps ErrUnsupported.
func ParseProfile(s string) (Profile, error) {
	switch strings.ToLower(s) {
	case "modern", "":
		return ProfileModern, nil
	case "legacy":
		return ProfileLegacy, nil
	}
	return ProfileModern, fmt.Errorf("%w: PKCS#12 profile %q (want modern or legacy)", ErrUnsupported, s)
}
