// Package finding is the one model of a check result that every uccert
// check shares: the offline checks of package preflight, the krb5.conf
// lint of package krb5conf, the command-line checks of package connector
// and the live checks of package verify all report a [Finding], and a
// [Report] collects them. `uccert verify --json` prints a Report as it
// marshals; a daemon can marshal one the same way.
//
// A [Check] names a check. Names are stable: automation and tests rely on
// them. Each package that runs checks declares its own Check constants and
// lists them (preflight.Checks, krb5conf.Checks, connector.Checks,
// verify.Checks).
//
// The package prints nothing and keeps no state.
package finding

import (
	"encoding/json"
	"fmt"
)

// Check is the stable name of a check, such as "store-wrong-password".
type Check string

// String returns the check's name.
func (c Check) String() string { return string(c) }

// Severity says how bad a finding is.
type Severity int

// Severities, from harmless to fatal. The zero Severity is OK.
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
func (s Severity) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(severityNames) {
		return nil, fmt.Errorf("finding: invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if n == string(b) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("finding: unknown severity %q", b)
}

// Finding is one result of one check on one subject.
type Finding struct {
	// Check is the stable name of the check.
	Check    Check    `json:"check"`
	Severity Severity `json:"severity"`
	// Subject names what was checked: a file, "file#alias", "file:line",
	// "--args" or "host:port".
	Subject string `json:"subject"`
	// Message says what was found, for people. It may quote text from
	// the files checked as it is: escape it before showing it in a
	// terminal.
	Message string `json:"message"`
	// Hint says how to fix a problem ("" for ok findings).
	Hint string `json:"hint"`
	// Line is the 1-based line a krb5.conf finding is about (0 when the
	// finding is not about a line). Subject already names it.
	Line int `json:"-"`
	// Err is the error behind a failure, when there is one (a wrong
	// password is keystore.ErrIncorrectPassword), for errors.Is and
	// errors.As. It is not part of the JSON.
	Err error `json:"-"`
}

// String formats the finding as "severity check subject: message".
func (f Finding) String() string {
	return fmt.Sprintf("%s %s %s: %s", f.Severity, f.Check, f.Subject, f.Message)
}

// Summary counts findings: Passed are ok and info findings.
type Summary struct {
	Passed   int `json:"passed"`
	Warnings int `json:"warnings"`
	Errors   int `json:"errors"`
}

// Report is the result of a run of checks, in the order they ran.
type Report struct {
	Findings []Finding
	// Strict makes warnings fail the report (OK and the JSON "ok").
	Strict bool
}

// Add appends findings to r.
func (r *Report) Add(fs ...Finding) { r.Findings = append(r.Findings, fs...) }

// Addf appends a finding whose message is formatted.
func (r *Report) Addf(check Check, sev Severity, subject, hint, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Check: check, Severity: sev, Subject: subject, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Fail appends an error finding with the error behind it.
func (r *Report) Fail(check Check, subject, hint string, err error, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Check: check, Severity: Error, Subject: subject, Message: fmt.Sprintf(format, args...), Hint: hint, Err: err})
}

// Summary counts the findings by severity.
func (r *Report) Summary() Summary {
	var s Summary
	if r == nil {
		return s
	}
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

// OK reports whether the report passes: no error, and with Strict no
// warning either.
func (r *Report) OK() bool {
	s := r.Summary()
	return s.Errors == 0 && (!r.strict() || s.Warnings == 0)
}

func (r *Report) strict() bool { return r != nil && r.Strict }

// Problems returns the findings of severity warn or error.
func (r *Report) Problems() []Finding {
	return r.Filter(func(f Finding) bool { return f.Severity >= Warn })
}

// Errors returns the findings of severity error.
func (r *Report) Errors() []Finding {
	return r.Filter(func(f Finding) bool { return f.Severity == Error })
}

// ByCheck returns the findings of one check.
func (r *Report) ByCheck(check Check) []Finding {
	return r.Filter(func(f Finding) bool { return f.Check == check })
}

// Filter returns the findings for which keep is true.
func (r *Report) Filter(keep func(Finding) bool) []Finding {
	if r == nil {
		return nil
	}
	var out []Finding
	for _, f := range r.Findings {
		if keep(f) {
			out = append(out, f)
		}
	}
	return out
}

// MarshalJSON writes {"ok":bool,"summary":{...},"findings":[...]}, the
// shape of `uccert verify --json`.
func (r *Report) MarshalJSON() ([]byte, error) {
	findings := []Finding{}
	if r != nil && r.Findings != nil {
		findings = r.Findings
	}
	return json.Marshal(struct {
		OK       bool      `json:"ok"`
		Summary  Summary   `json:"summary"`
		Findings []Finding `json:"findings"`
	}{r.OK(), r.Summary(), findings})
}

// UnmarshalJSON reads what MarshalJSON writes (the findings; "ok" and
// "summary" follow from them).
func (r *Report) UnmarshalJSON(b []byte) error {
	var doc struct {
		Findings []Finding `json:"findings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	r.Findings = doc.Findings
	return nil
}

// Failed is the error form of a set of failed findings: its message lists
// them, and Unwrap gives the errors behind them (Finding.Err), so that
// errors.Is finds, say, keystore.ErrIncorrectPassword.
type Failed struct {
	Findings []Finding
}

// Error lists the findings' subjects and messages.
func (e *Failed) Error() string {
	switch len(e.Findings) {
	case 0:
		return "no finding"
	case 1:
		f := e.Findings[0]
		return f.Subject + ": " + f.Message
	}
	s := Count(len(e.Findings), "problem", "problems") + ":"
	for _, f := range e.Findings {
		s += " " + f.Subject + ": " + f.Message + ";"
	}
	return s[:len(s)-1]
}

// Unwrap returns the errors behind the findings.
func (e *Failed) Unwrap() []error {
	var out []error
	for _, f := range e.Findings {
		if f.Err != nil {
			out = append(out, f.Err)
		}
	}
	return out
}
