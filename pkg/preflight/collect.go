package preflight

import (
	"sort"

	"github.com/uccert/uccert/pkg/finding"
)

// collector accumulates findings (a finding.Report under construction);
// passed adds an ok finding for a check that reported nothing on a
// subject.
type collector struct {
	finding.Report
}

func (c *collector) add(check finding.Check, sev finding.Severity, subject, msg, hint string) {
	c.Add(finding.Finding{Check: check, Severity: sev, Subject: subject, Message: msg, Hint: hint})
}

// fail adds an error finding with the error behind it.
func (c *collector) fail(check finding.Check, subject, hint string, err error, format string, args ...any) {
	c.Fail(check, subject, hint, err, format, args...)
}

func (c *collector) errorf(check finding.Check, subject, hint, format string, args ...any) {
	c.Addf(check, finding.Error, subject, hint, format, args...)
}

func (c *collector) warnf(check finding.Check, subject, hint, format string, args ...any) {
	c.Addf(check, finding.Warn, subject, hint, format, args...)
}

// since marks the current end, for passed.
func (c *collector) since() int { return len(c.Findings) }

// passed adds an ok finding for each of checks that added nothing since
// mark.
func (c *collector) passed(mark int, subject string, oks map[finding.Check]string) {
	seen := map[finding.Check]bool{}
	for _, f := range c.Findings[mark:] {
		seen[f.Check] = true
	}
	names := make([]finding.Check, 0, len(oks))
	for n := range oks {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	for _, n := range names {
		if !seen[n] {
			c.add(n, finding.OK, subject, oks[n], "")
		}
	}
}
