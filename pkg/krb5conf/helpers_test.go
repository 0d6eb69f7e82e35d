package krb5conf

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/finding"
)

// fixturesDir holds the krb5.conf fixtures (see its README.md).
const fixturesDir = "../../fixtures/krb5"

// testHost is the connector host every fixture is checked for.
const testHost = "fe1.uc.example.com"

// w is an expected finding: check, severity and line.
type w struct {
	check finding.Check
	sev   finding.Severity
	line  int
}

func (x w) String() string { return fmt.Sprintf("%s/%s/L%d", x.check, x.sev, x.line) }

func keys(fs []finding.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = w{f.Check, f.Severity, f.Line}.String()
	}
	slices.Sort(out)
	return out
}

func wantKeys(ws []w) []string {
	out := make([]string, len(ws))
	for i, x := range ws {
		out[i] = x.String()
	}
	slices.Sort(out)
	return out
}

// lint runs Parse then Check, verifies the invariants every result must
// hold, and returns all findings.
func lint(t testing.TB, data []byte, host string) (*File, []finding.Finding) {
	t.Helper()
	f, syntax, err := Parse(data)
	if f == nil {
		t.Fatalf("Parse returned no File: %v", err)
	}
	assertSyntaxErr(t, syntax, err)
	all := append(slices.Clone(syntax), Check(f, CheckOptions{Host: host})...)
	assertWellFormed(t, f, all)
	return f, all
}

// assertSyntaxErr: err is the first error-severity syntax finding, as a
// *SyntaxError wrapping ErrSyntax, or nil when there is none.
func assertSyntaxErr(t testing.TB, syntax []finding.Finding, err error) {
	t.Helper()
	var first *finding.Finding
	for i := range syntax {
		if syntax[i].Check != CheckSyntax {
			t.Errorf("Parse returned a %s finding", syntax[i].Check)
		}
		if first == nil && syntax[i].Severity == finding.Error {
			first = &syntax[i]
		}
	}
	if first == nil {
		if err != nil {
			t.Fatalf("no syntax error finding, but err = %v", err)
		}
		return
	}
	var se *SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
		t.Fatalf("err = %v, want a *SyntaxError wrapping ErrSyntax", err)
	}
	if se.Line != first.Line || se.Msg != first.Message {
		t.Fatalf("SyntaxError = line %d %q, first error finding = line %d %q", se.Line, se.Msg, first.Line, first.Message)
	}
}

// assertWellFormed: known checks and severities, lines within the file,
// messages present, findings in line order.
func assertWellFormed(t testing.TB, f *File, fs []finding.Finding) {
	t.Helper()
	known := Checks()
	for _, x := range fs {
		if !slices.Contains(known, x.Check) {
			t.Errorf("unknown check %q", x.Check)
		}
		if x.Severity != finding.Error && x.Severity != finding.Warn {
			t.Errorf("%s: bad severity %d", x.Check, x.Severity)
		}
		if x.Line < 1 || x.Line > f.NumLines+1 {
			t.Errorf("%s: line %d outside 1..%d", x.Check, x.Line, f.NumLines+1)
		}
		if strings.TrimSpace(x.Message) == "" {
			t.Errorf("%s: empty message", x.Check)
		}
	}
}
