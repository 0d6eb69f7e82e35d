package connector

import (
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/preflight"
)

func TestProblemFindings(t *testing.T) {
	for _, c := range []struct{ line, check, sev, hint string }{
		{"-cert_store_file a.jks -cert_store_pass x -ket_store_type jks", preflight.CheckArgsUnknownFlag, "error", "-key_store_type"},
		{"-cert_store_file a.jks -cert_store_pass", preflight.CheckArgsMissingValue, "error", "value"},
		{"-cert_store_file a.jks -cert_store_type jsk", preflight.CheckArgsTypeMismatch, "error", "jks"},
		{"-cert_store_file a.jks -cert_store_file b.jks", preflight.CheckArgsUnknownFlag, "warn", "once"},
	} {
		_, probs, err := ParseCommandLine(c.line)
		if err != nil {
			t.Fatal(err)
		}
		f := ProblemFindings(probs, "--args")
		if len(f) != 1 || f[0].Check != c.check || f[0].Severity.String() != c.sev || !strings.Contains(f[0].Hint, c.hint) || f[0].Subject != "--args" {
			t.Errorf("%q: %+v", c.line, f)
		}
	}
}
