package jks

import "errors"

// Sentinel errors. Every error of Decode, DecodeUnverified and RecoverKey
// wraps exactly one of ErrIncorrectPassword, ErrKeyPassword, ErrMalformed,
// ErrUnsupported or ErrPasswordEncoding; Encode and ProtectKey return
// ErrInvalid, ErrDuplicateAlias or ErrPasswordEncoding (ProtectKey also
// the error of its random source). No message contains a password.
var (
	// ErrIncorrectPassword: the store's integrity digest does not match the
	// password (Java: "Keystore was tampered with, or password was
	// incorrect").
	ErrIncorrectPassword = errors.New("wrong password (JKS integrity check failed)")
	// ErrKeyPassword: a protected key's digest does not match the password
	// (Java: UnrecoverableKeyException "Cannot recover key").
	ErrKeyPassword = errors.New("the key cannot be recovered with this password")
	// ErrMalformed: truncated, garbage or structurally invalid input.
	ErrMalformed = errors.New("malformed JKS keystore")
	// ErrUnsupported: a well-formed store uses something this package does
	// not read (JCEKS, secret-key entries, certificate types other than
	// X.509, key protection other than Sun's KeyProtector, ...).
	ErrUnsupported = errors.New("unsupported JKS content")
	// ErrPasswordEncoding: the password is not valid UTF-8 and so has no
	// Java (UTF-16) form.
	ErrPasswordEncoding = errors.New("password is not valid UTF-8 text")
	// ErrInvalid: Encode or ProtectKey was given something that cannot be
	// written as a JKS entry.
	ErrInvalid = errors.New("cannot write this JKS entry")
	// ErrDuplicateAlias: Encode was given two aliases that Java treats as
	// one (JKS aliases are case-insensitive, see FoldAlias).
	ErrDuplicateAlias = errors.New("duplicate alias")
)
