package krb5conf

import (
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/finding"
)

// Check names (stable: tests and automation rely on them).
const (
	CheckSyntax                finding.Check = "krb5-syntax"
	CheckNoDefaultRealm        finding.Check = "krb5-no-default-realm"
	CheckDefaultRealmUndefined finding.Check = "krb5-default-realm-undefined"
	CheckRealmNoKDC            finding.Check = "krb5-realm-no-kdc"
	CheckRealmLowercase        finding.Check = "krb5-realm-lowercase"
	CheckDomainRealmUndefined  finding.Check = "krb5-domain-realm-undefined"
	CheckHostRealmMismatch     finding.Check = "krb5-host-realm-mismatch"
	CheckWeakEnctype           finding.Check = "krb5-weak-enctype"
	CheckWeakChecksum          finding.Check = "krb5-weak-checksum"
)

// Checks returns the checks of this package, in the order Lint reports
// them when they pass.
func Checks() []finding.Check {
	return []finding.Check{
		CheckSyntax, CheckNoDefaultRealm, CheckDefaultRealmUndefined, CheckRealmNoKDC,
		CheckRealmLowercase, CheckDomainRealmUndefined, CheckHostRealmMismatch,
		CheckWeakEnctype, CheckWeakChecksum,
	}
}

// passed is the message of the ok finding of check on f.
func passed(check finding.Check, f *File) string {
	switch check {
	case CheckSyntax:
		return "syntax is correct"
	case CheckNoDefaultRealm, CheckDefaultRealmUndefined:
		if DefaultRealm(f) == "" {
			return "no default_realm to look for in [realms]"
		}
		return "default_realm " + DefaultRealm(f) + " is set and defined"
	case CheckRealmNoKDC:
		return "every realm has a kdc"
	case CheckRealmLowercase:
		return "realm names are upper-case"
	case CheckDomainRealmUndefined:
		return "every [domain_realm] mapping names a defined realm"
	case CheckHostRealmMismatch:
		return "the connector host maps to the default realm"
	case CheckWeakEnctype:
		return "no DES encryption type"
	case CheckWeakChecksum:
		return "no weak checksum type"
	}
	return "ok"
}

// Sentinel errors.
var (
	// ErrSyntax: the file has a syntax error (see SyntaxError).
	ErrSyntax = errors.New("krb5.conf syntax error")
	// ErrTooLarge: the input is larger than MaxSize.
	ErrTooLarge = errors.New("krb5.conf too large")
	// ErrUnreadable: the krb5.conf could not be read (Lint's finding
	// wraps it with the cause).
	ErrUnreadable = errors.New("krb5.conf cannot be read")
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
