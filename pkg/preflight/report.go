// Package preflight runs the checks of `uccert verify`: everything that
// would stop a UC Connector at start-up or break its TLS, MTLS or
// Kerberos — unreadable stores, keys under the wrong password, expired or
// weak certificates, untrusted chains, missing host identities, krb5.conf
// mistakes, mistyped connector arguments — as small functions that return
// findings. Run returns a Report that the CLI prints and the daemon can
// inspect. Check names are stable: automation relies on them.
package preflight

import (
	"fmt"
	"sort"
)

// Severity of a finding.
type Severity int

// Severities, from harmless to fatal.
const (
	OK Severity = iota
	Info
	Warn
	Error
)

var severityNames = [...]string{"ok", "info", "warn", "error"}

// String returns "ok", "info", "warn" or "error".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the severity's name (JSON).
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if n == string(b) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q", b)
}

// Finding is one result of one check on one subject.
type Finding struct {
	// Check is one of the stable check names (CheckStoreUnreadable, ...).
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	// Subject names what was checked: a file, "file#alias" or "file:line".
	Subject string `json:"subject"`
	Message string `json:"message"`
	// Hint says how to fix a problem ("" for ok findings).
	Hint string `json:"hint"`
}

// Summary counts findings: Passed are ok and info findings.
type Summary struct {
	Passed   int `json:"passed"`
	Warnings int `json:"warnings"`
	Errors   int `json:"errors"`
}

// Report is the result of Run.
type Report struct {
	Findings []Finding
}

// Summary counts the findings by severity.
func (r *Report) Summary() Summary {
	var s Summary
	for _, f := range r.Findings {
		switch f.Severity {
		case Warn:
			s.Warnings++
		case Error:
			s.Errors++
		default:
			s.Passed++
		}
	}
	return s
}

// OK reports whether the report passes: no error, and with strict no
// warning either.
func (r *Report) OK(strict bool) bool {
	s := r.Summary()
	return s.Errors == 0 && (!strict || s.Warnings == 0)
}

// Problems returns the findings of severity warn or error.
func (r *Report) Problems() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity >= Warn {
			out = append(out, f)
		}
	}
	return out
}

// ByCheck returns the findings of one check.
func (r *Report) ByCheck(check string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

// collector accumulates findings; ensure adds an ok finding for a check
// that reported nothing on a subject.
type collector struct {
	findings []Finding
}

func (c *collector) add(check string, sev Severity, subject, msg, hint string) {
	c.findings = append(c.findings, Finding{Check: check, Severity: sev, Subject: subject, Message: msg, Hint: hint})
}

func (c *collector) errorf(check, subject, hint, format string, args ...any) {
	c.add(check, Error, subject, fmt.Sprintf(format, args...), hint)
}

func (c *collector) warnf(check, subject, hint, format string, args ...any) {
	c.add(check, Warn, subject, fmt.Sprintf(format, args...), hint)
}

// since marks the current end, for passed.
func (c *collector) since() int { return len(c.findings) }

// passed adds an ok finding for each of checks that added nothing since
// mark.
func (c *collector) passed(mark int, subject string, oks map[string]string) {
	seen := map[string]bool{}
	for _, f := range c.findings[mark:] {
		seen[f.Check] = true
	}
	names := make([]string, 0, len(oks))
	for n := range oks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !seen[n] {
			c.add(n, OK, subject, oks[n], "")
		}
	}
}
