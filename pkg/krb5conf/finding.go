package krb5conf

import (
	"errors"
	"fmt"
)

// Check names (stable: tests and automation rely on them).
const (
	CheckSyntax                = "krb5-syntax"
	CheckNoDefaultRealm        = "krb5-no-default-realm"
	CheckDefaultRealmUndefined = "krb5-default-realm-undefined"
	CheckRealmNoKDC            = "krb5-realm-no-kdc"
	CheckRealmLowercase        = "krb5-realm-lowercase"
	CheckDomainRealmUndefined  = "krb5-domain-realm-undefined"
	CheckHostRealmMismatch     = "krb5-host-realm-mismatch"
	CheckWeakEnctype           = "krb5-weak-enctype"
	CheckWeakChecksum          = "krb5-weak-checksum"
)

// Severity says how bad a finding is. The zero value is not a valid
// severity.
type Severity int

// Severities, in increasing order of gravity.
const (
	SeverityWarning Severity = iota + 1
	SeverityError
)

// String returns "warn" or "error", the words of `uccert verify`'s JSON.
func (s Severity) String() string {
	switch s {
	case SeverityWarning:
		return "warn"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText encodes the severity as its String.
func (s Severity) MarshalText() ([]byte, error) {
	if s != SeverityWarning && s != SeverityError {
		return nil, fmt.Errorf("krb5conf: invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// Finding is one problem in a krb5.conf.
type Finding struct {
	// Check is one of the Check* constants.
	Check    string
	Severity Severity
	// Line is where the problem is (1-based); a problem about something
	// missing points at the section where it belongs, or at line 1.
	Line    int
	Message string
	// Hint says how to fix it; it may be empty.
	Hint string
}

// String formats the finding as "line N: check: message".
func (f Finding) String() string {
	return fmt.Sprintf("line %d: %s: %s", f.Line, f.Check, f.Message)
}

// Sentinel errors.
var (
	// ErrSyntax: the file has a syntax error (see SyntaxError).
	ErrSyntax = errors.New("krb5.conf syntax error")
	// ErrTooLarge: the input is larger than MaxSize.
	ErrTooLarge = errors.New("krb5.conf too large (limit 1 MiB)")
)

// MaxSize is the largest krb5.conf Parse and Load accept.
const MaxSize = 1 << 20

// SyntaxError locates the first error-severity syntax finding of a file.
// It wraps ErrSyntax.
type SyntaxError struct {
	// Line and Col are 1-based; Col is 0 when only the line is known.
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("krb5.conf line %d, column %d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("krb5.conf line %d: %s", e.Line, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }
