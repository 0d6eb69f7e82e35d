package connector

import "github.com/uccert/uccert/pkg/preflight"

// ProblemFindings turns command-line problems into verify findings on
// subject (the file or "--args"): unknown flags (with the flag meant),
// missing values and bad types are errors; a repeated flag and cmd.exe
// syntax that changes the arguments are warnings.
func ProblemFindings(problems []Problem, subject string) []preflight.Finding {
	var out []preflight.Finding
	for _, p := range problems {
		f := preflight.Finding{Subject: subject, Message: p.Message, Severity: preflight.Error}
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
			f.Check, f.Severity, f.Hint = preflight.CheckArgsUnknownFlag, preflight.Warn, "give each flag once (the connector uses the last)"
		case ProblemBatSyntax:
			f.Check, f.Severity, f.Hint = preflight.CheckArgsUnknownFlag, preflight.Warn, "quote the value, and write % as %% in a batch file"
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}
