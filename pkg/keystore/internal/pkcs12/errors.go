package pkcs12

import "errors"

// MaxIterations is the largest iteration count (of a KDF or of the MAC)
// that Decode accepts. NSS writes 600,000; larger counts are a denial of
// service (docs/dependencies.md: go-pkcs12 spends minutes on a 5 KB file with 2^31-1).
const MaxIterations = 10_000_000

// totalIterationFactor bounds the iterations of one whole file (MAC and
// every encrypted bag together) to this many times MaxIterations, so that
// a file of many bags at the limit cannot cost hours.
const totalIterationFactor = 4

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
	ErrMalformed = errors.New("pkcs12: malformed PKCS#12 structure")
	// ErrUnsupported: a well-formed file uses an algorithm or a content
	// type this package does not implement.
	ErrUnsupported = errors.New("pkcs12: unsupported")
	// ErrIterationCount: an iteration count above MaxIterations or below 1.
	ErrIterationCount = errors.New("pkcs12: iteration count out of range")
	// ErrPasswordEncoding: the password cannot be expressed in the form
	// the chosen encryption needs.
	ErrPasswordEncoding = errors.New("pkcs12: password cannot be encoded")
)
