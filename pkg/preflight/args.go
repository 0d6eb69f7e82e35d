package preflight

import (
	"github.com/uccert/uccert/pkg/connector"
)

// checkArgs reports the problems of the connector's command line.
func checkArgs(c *collector, opts Options) {
	subject := opts.ArgsSubject
	mark := c.since()
	for _, p := range opts.Args {
		hint := ""
		if p.Suggestion != "" {
			hint = "write " + p.Suggestion + " instead"
		}
		switch p.Kind {
		case connector.ProblemUnknownFlag:
			c.errorf(CheckArgsUnknownFlag, subject, hint, "%s", p.Message)
		case connector.ProblemMissingValue:
			c.errorf(CheckArgsMissingValue, subject, "give the flag its value", "%s", p.Message)
		case connector.ProblemBadType:
			c.errorf(CheckArgsTypeMismatch, subject, or(hint, "use jks or pkcs12"), "%s", p.Message)
		case connector.ProblemDuplicate:
			c.warnf(CheckArgsUnknownFlag, subject, "give each flag once", "%s", p.Message)
		case connector.ProblemBatSyntax:
			c.warnf(CheckArgsUnknownFlag, subject, "quote the value, or write % as %% in a batch file", "%s", p.Message)
		}
	}
	c.passed(mark, subject, map[string]string{
		CheckArgsUnknownFlag:  "every store flag is a known connector flag",
		CheckArgsMissingValue: "every store flag has a value",
	})
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
