package pkcs12

import (
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/internal/ber"
)

// MaxIterations is the largest iteration count (of a KDF or of the MAC)
// that Decode accepts. NSS writes 600,000; larger counts are a denial of
// service (docs/dependencies.md: go-pkcs12 spends minutes on a 5 KB file with 2^31-1).
const MaxIterations = 10_000_000

// MaxBags bounds the bags of one file (keys are paired with certificates
// pairwise, so the work grows with the square of their number).
const MaxBags = 5000

// maxSafeContentsNesting bounds safeContentsBag recursion.
const maxSafeContentsNesting = 8

var (
	// ErrIncorrectPassword: the MAC did not verify, or a decryption with
	// the given password failed its padding check.
	ErrIncorrectPassword = errors.New("wrong password (PKCS#12 integrity or decryption check failed)")
	// ErrMalformed: the bytes are not a well-formed PKCS#12 structure.
	ErrMalformed = errors.New("malformed PKCS#12 file")
	// ErrUnsupported: a well-formed file uses an algorithm or a content
	// type this package does not implement (the message names it).
	ErrUnsupported = errors.New("unsupported PKCS#12 content")
	// ErrIterationCount: an iteration count above MaxIterations or below
	// 1, or key derivations that add up to more than a file may cost.
	ErrIterationCount = errors.New("PKCS#12 iteration count over the limit")
	// ErrPasswordEncoding: the password cannot be expressed in the form
	// the chosen encryption needs.
	ErrPasswordEncoding = errors.New("password cannot be encoded for PKCS#12")
)

// problem is an error whose text is written for people ("<kind>: <what>")
// while errors.Is still finds the sentinel kind and the underlying cause,
// whose own text (ber:, asn1:, x509: ...) is left out of the message.
type problem struct {
	msg  string
	errs []error
}

func (p *problem) Error() string   { return p.msg }
func (p *problem) Unwrap() []error { return p.errs }

// newError returns "<kind>: <format...>" that matches kind and, when not
// nil, cause.
func newError(kind, cause error, format string, args ...any) error {
	p := &problem{msg: kind.Error() + ": " + fmt.Sprintf(format, args...), errs: []error{kind}}
	if cause != nil {
		p.errs = append(p.errs, cause)
	}
	return p
}

// malformed is newError(ErrMalformed, nil, ...).
func malformed(format string, args ...any) error {
	return newError(ErrMalformed, nil, format, args...)
}

// unsupported is newError(ErrUnsupported, nil, ...).
func unsupported(format string, args ...any) error {
	return newError(ErrUnsupported, nil, format, args...)
}

// berError says in words why ber.ToDER refused what, and keeps the cause.
func berError(what string, err error) error {
	return newError(ErrMalformed, err, "%s", ber.Words(what, err))
}
