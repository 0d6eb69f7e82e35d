package preflight

// checkArgs adds the findings about the connector's command line.
func checkArgs(c *collector, opts Options) {
	mark := c.since()
	c.findings = append(c.findings, opts.ArgFindings...)
	if opts.ArgsSubject != "" {
		c.passed(mark, opts.ArgsSubject, map[string]string{
			CheckArgsUnknownFlag:  "every store flag is a known connector flag",
			CheckArgsMissingValue: "every store flag has a value",
		})
	}
}
