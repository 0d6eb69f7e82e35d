package connector

import (
	"errors"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
)

func TestProblemFindings(t *testing.T) {
	for _, c := range []struct {
		line  string
		check finding.Check
		sev   string
		hint  string
		err   error
	}{
		{"-cert_store_file a.jks -cert_store_pass x -ket_store_type jks", preflight.CheckArgsUnknownFlag, "error", "-key_store_type", ErrUnknownFlag},
		{"-cert_store_file a.jks -cert_store_pass", preflight.CheckArgsMissingValue, "error", "value", ErrMissingValue},
		{"-cert_store_file a.jks -cert_store_file b.jks", preflight.CheckArgsDuplicateFlag, "warn", "once", ErrDuplicateFlag},
	} {
		_, probs, err := ParseCommandLine(c.line)
		if err != nil {
			t.Fatal(err)
		}
		r := finding.Report{Findings: ProblemFindings(probs, "--args")}
		f := r.Problems()
		if len(f) != 1 || f[0].Check != c.check || f[0].Severity.String() != c.sev || !strings.Contains(f[0].Hint, c.hint) ||
			f[0].Subject != "--args" || !errors.Is(f[0].Err, c.err) {
			t.Errorf("%q: %+v", c.line, f)
		}
		for _, ok := range []finding.Check{preflight.CheckArgsUnknownFlag, preflight.CheckArgsMissingValue, preflight.CheckArgsDuplicateFlag} {
			if len(r.ByCheck(ok)) != 1 {
				t.Errorf("%q: %d %s findings", c.line, len(r.ByCheck(ok)), ok)
			}
		}
	}
	// A bad type is reported by Check, on its store, once.
	a, probs, err := ParseCommandLine("-cert_store_file a.jks -cert_store_type jsk")
	if err != nil {
		t.Fatal(err)
	}
	if f := ProblemFindings(probs, "--args"); len((&finding.Report{Findings: f}).Problems()) != 0 {
		t.Errorf("bad type in ProblemFindings: %+v", f)
	}
	_, r := Check(a, CheckOptions{Problems: probs, Subject: "--args"})
	if f := r.ByCheck(preflight.CheckArgsTypeMismatch); len(f) != 1 || f[0].Subject != "a.jks" || !strings.Contains(f[0].Hint, "jks") ||
		!errors.Is(f[0].Err, keystore.ErrBadStoreType) {
		t.Errorf("bad type: %+v", f)
	}
	_, probs, err = ParseBatLine(`ucc.exe -cert_store_file a&b.p12`)
	if err != nil {
		t.Fatal(err)
	}
	r = &finding.Report{Findings: ProblemFindings(probs, "startup.bat")}
	if f := r.ByCheck(preflight.CheckArgsBatSyntax); len(f) != 1 || f[0].Severity != finding.Warn {
		t.Errorf("bat syntax: %+v", r.Findings)
	}
}
