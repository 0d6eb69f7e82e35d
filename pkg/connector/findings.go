package connector

import (
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/preflight"
)

// ProblemFindings turns command-line problems into verify findings on
// subject (the file or "--args"): unknown flags (with the flag meant),
// missing values and bad types are errors (args-unknown-flag,
// args-missing-value, args-type-mismatch); a repeated flag
// (args-duplicate-flag) and cmd.exe syntax that changes the arguments
// (args-bat-syntax) are warnings. Then, for each of those checks that
// found nothing, an ok finding. Messages never hold a password.
func ProblemFindings(problems []Problem, subject string) []finding.Finding {
	var out []finding.Finding
	seen := map[finding.Check]bool{}
	for _, p := range problems {
		f := finding.Finding{Subject: subject, Message: p.Message, Severity: finding.Error, Err: p}
		fix := ""
		if p.Suggestion != "" {
			fix = "write " + p.Suggestion + " instead"
		}
		switch p.Kind {
		case ProblemUnknownFlag:
			f.Check, f.Hint = preflight.CheckArgsUnknownFlag, fix
		case ProblemMissingValue:
			f.Check, f.Hint = preflight.CheckArgsMissingValue, "give the flag its value"
		case ProblemBadType:
			f.Check, f.Hint = preflight.CheckArgsTypeMismatch, fix
			if f.Hint == "" {
				f.Hint = "use jks or pkcs12"
			}
		case ProblemDuplicate:
			f.Check, f.Severity, f.Hint = preflight.CheckArgsDuplicateFlag, finding.Warn, "give each flag once (the connector uses the last)"
		case ProblemBatSyntax:
			f.Check, f.Severity, f.Hint = preflight.CheckArgsBatSyntax, finding.Warn, "quote the value, and write % as %% in a batch file"
		default:
			continue
		}
		seen[f.Check] = true
		out = append(out, f)
	}
	for _, ok := range []struct {
		check finding.Check
		msg   string
	}{
		{preflight.CheckArgsDuplicateFlag, "no store flag is given twice"},
		{preflight.CheckArgsMissingValue, "every store flag has a value"},
		{preflight.CheckArgsUnknownFlag, "every store flag is a known connector flag"},
	} {
		if !seen[ok.check] {
			out = append(out, finding.Finding{Check: ok.check, Severity: finding.OK, Subject: subject, Message: ok.msg})
		}
	}
	return out
}
