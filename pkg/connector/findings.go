package connector

import (
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
)

// ProblemFindings turns command-line problems into verify findings on
// subject (the file or "--args"): unknown flags (with the flag meant) and
// missing values are errors (args-unknown-flag, args-missing-value); a
// store type that is neither jks nor pkcs12 is reported by Check on the
// store it declares (args-type-mismatch); a repeated flag
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
			continue // Check reports it on the store (badTypeFinding)
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

// badTypeFinding is the finding of a declared store type that is neither
// jks nor pkcs12 (keystore.ParseStoreType), on the store's file (or the
// command line when no file is named).
func badTypeFinding(flag, typ, file, subject string, byOption bool) finding.Finding {
	f := finding.Finding{Check: preflight.CheckArgsTypeMismatch, Severity: finding.Error, Subject: file,
		Message: badTypeMessage(flag, typ), Hint: "write jks or pkcs12 (the type the file has: uccert args prints it)",
		Err: &keystore.TypeError{Declared: typ, Err: keystore.ErrBadStoreType}}
	if s := suggestType(typ); s != "" {
		f.Hint = "write " + s + " instead"
	}
	if byOption {
		f.Check = preflight.CheckStoreTypeMismatch
	}
	if f.Subject == "" {
		f.Subject = subject
	}
	return f
}
