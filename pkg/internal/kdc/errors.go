package kdc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
)

// Sentinel errors of Login. A *KDCError also matches the sentinel of its
// code with errors.Is (see KDCError.Is), so that
// errors.Is(err, ErrWrongPassword) holds for both ways a KDC tells a wrong
// password.
var (
	// ErrWrongPassword: the password is wrong. Either the KDC rejected the
	// pre-authentication (a *KDCError with KDC_ERR_PREAUTH_FAILED or
	// KRB_AP_ERR_BAD_INTEGRITY), or it answered without pre-authentication
	// and its reply does not decrypt with the key derived from the password.
	ErrWrongPassword = errors.New("wrong password: the KDC's reply does not decrypt with the key derived from the password")
	// ErrUnknownPrincipal: the KDC has no such account
	// (KDC_ERR_C_PRINCIPAL_UNKNOWN).
	ErrUnknownPrincipal = errors.New("the KDC has no such principal")
	// ErrNoEtype: no encryption type both sides can use: the configuration
	// lists none that this client supports (DES is not supported), the KDC
	// offers none of those requested, or the KDC answered
	// KDC_ERR_ETYPE_NOSUPP.
	ErrNoEtype = errors.New("no usable encryption type")
	// ErrClockSkew: this host's clock and the KDC's differ by more than the
	// allowed skew (KRB_AP_ERR_SKEW from the KDC, or a *ClockSkewError).
	ErrClockSkew = errors.New("clock skew too large")
	// ErrNoKDC: the configuration names no KDC for the realm and DNS (when
	// dns_lookup_kdc is on) has no SRV record for it.
	ErrNoKDC = errors.New("no KDC for the realm")
	// ErrBadReply: a KDC's reply is not a valid Kerberos message, does not
	// answer the request, or asks for unsafe parameters.
	ErrBadReply = errors.New("invalid reply from the KDC")
	// ErrBadPrincipal: the user or realm given to Login is empty or
	// malformed.
	ErrBadPrincipal = errors.New("invalid principal name")
)

// KDCError is a KRB-ERROR message from a KDC: it refused the request.
type KDCError struct {
	// KDC is the address that answered ("dc1.example.com:88").
	KDC string
	// Code is the Kerberos error code (gokrb5/v8/iana/errorcode).
	Code int32
	// Text is the KDC's e-text, often empty; it comes from the network.
	Text string
	// ServerTime is the KDC's clock when it answered (stime, susec).
	ServerTime time.Time
}

func (e *KDCError) Error() string {
	s := "the KDC " + e.KDC + " refused the request: " + errorcode.Lookup(e.Code)
	if e.Text != "" {
		s += ": " + quoteText(e.Text)
	}
	return s
}

// Is makes the sentinel errors match the codes that mean them:
// KDC_ERR_PREAUTH_FAILED and KRB_AP_ERR_BAD_INTEGRITY → ErrWrongPassword,
// KDC_ERR_C_PRINCIPAL_UNKNOWN → ErrUnknownPrincipal, KDC_ERR_ETYPE_NOSUPP
// → ErrNoEtype, KRB_AP_ERR_SKEW → ErrClockSkew.
func (e *KDCError) Is(target error) bool {
	switch e.Code {
	case errorcode.KDC_ERR_PREAUTH_FAILED, errorcode.KRB_AP_ERR_BAD_INTEGRITY:
		return target == ErrWrongPassword
	case errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN:
		return target == ErrUnknownPrincipal
	case errorcode.KDC_ERR_ETYPE_NOSUPP:
		return target == ErrNoEtype
	case errorcode.KRB_AP_ERR_SKEW:
		return target == ErrClockSkew
	}
	return false
}

// quoteText quotes text from the network, at most 200 bytes of it.
func quoteText(s string) string {
	const max = 200
	if len(s) > max {
		return strconv.QuoteToGraphic(s[:max]) + "…"
	}
	return strconv.QuoteToGraphic(s)
}

// ClockSkewError: the KDC's reply says it issued the ticket at a time
// further from this host's clock than the configured clockskew.
type ClockSkewError struct {
	KDC       string
	KDCTime   time.Time // the ticket's authtime
	LocalTime time.Time // this host's clock when the reply arrived
	Max       time.Duration
}

func (e *ClockSkewError) Error() string {
	d := e.KDCTime.Sub(e.LocalTime)
	dir := "ahead of"
	if d < 0 {
		d, dir = -d, "behind"
	}
	return fmt.Sprintf("clock skew too large: the KDC %s is %v %s this host (%s against %s; at most %v allowed)",
		e.KDC, d.Round(time.Second), dir, e.KDCTime.UTC().Format(time.RFC3339), e.LocalTime.UTC().Format(time.RFC3339), e.Max)
}

// Is makes errors.Is(err, ErrClockSkew) hold.
func (e *ClockSkewError) Is(target error) bool { return target == ErrClockSkew }

// ReplyTooLargeError: a KDC announced (TCP) or sent (UDP) a reply larger
// than Options.MaxReply. Over TCP nothing of the reply is read or allocated.
type ReplyTooLargeError struct {
	KDC     string
	Network string // "tcp" or "udp"
	Size    uint64 // the announced length (TCP) or datagram size (UDP)
	Max     int
}

func (e *ReplyTooLargeError) Error() string {
	verb := "announced"
	if e.Network == "udp" {
		verb = "sent"
	}
	return fmt.Sprintf("the KDC %s %s a reply of %d bytes over %s, more than the %d bytes allowed", e.KDC, verb, e.Size, e.Network, e.Max)
}

// AttemptError is why one exchange with one KDC over one transport failed.
type AttemptError struct {
	KDC     string // "host:port" as configured or found in DNS
	Network string // "udp" or "tcp"; "" for a failure before any transport (a DNS SRV lookup)
	Err     error
}

func (e *AttemptError) Error() string {
	if e.Network == "" {
		return e.KDC + ": " + e.Err.Error()
	}
	return e.KDC + " (" + e.Network + "): " + e.Err.Error()
}

func (e *AttemptError) Unwrap() error { return e.Err }

// UnreachableError: no KDC gave a usable answer: every attempt failed
// (connection refused, no answer in time, DNS failure, not a Kerberos
// reply).
type UnreachableError struct {
	Realm string
	// Attempts are the failures in the order they happened, each an
	// *AttemptError.
	Attempts []error
	// Timeout is non-zero when Login ran out of time (Options.Timeout)
	// before a KDC answered; it is that timeout.
	Timeout time.Duration
}

func (e *UnreachableError) Error() string {
	var sb strings.Builder
	sb.WriteString("no KDC of " + e.Realm + " answered")
	if e.Timeout > 0 {
		sb.WriteString(" within " + e.Timeout.String())
	}
	for i, a := range e.Attempts {
		if i == 0 {
			sb.WriteString(": ")
		} else {
			sb.WriteString("; ")
		}
		sb.WriteString(a.Error())
	}
	return sb.String()
}

// Unwrap returns the attempts, for errors.Is and errors.As.
func (e *UnreachableError) Unwrap() []error { return e.Attempts }

// noAnswerError: a KDC did not answer within the time given to it.
type noAnswerError struct{ after time.Duration }

func (e *noAnswerError) Error() string {
	return "no answer within " + e.after.Round(time.Millisecond).String()
}

// Timeout reports true, as a net.Error does on a timeout.
func (e *noAnswerError) Timeout() bool { return true }
