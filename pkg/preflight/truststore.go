package preflight

import (
	"fmt"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
)

// CheckTrustStore runs the checks of a trust store named path: it holds
// trusted certificates, they are CA certificates, valid at opts.Now.
func CheckTrustStore(path string, s *keystore.Store, opts Options) []finding.Finding {
	c := &collector{}
	opts.Now = opts.now()
	checkTrustStore(c, path, s, opts)
	return c.Findings
}

func checkTrustStore(c *collector, path string, s *keystore.Store, opts Options) {
	if s == nil {
		return
	}
	var trusted []*keystore.Entry
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
		if e.Kind == keystore.KindTrusted && e.Leaf() != nil {
			trusted = append(trusted, e)
		}
	}
	if len(trusted) == 0 {
		c.errorf(CheckTruststoreEmpty, path, "build it from the CA certificate: uccert truststore -o "+path+" --force CA.cer",
			"the trust store has no trusted certificate (%d other entries): the connector trusts nobody", len(s.Entries))
		return
	}
	c.add(CheckTruststoreEmpty, finding.OK, path, fmt.Sprintf("%d trusted %s", len(trusted), plural(len(trusted), "certificate", "certificates")), "")
	mark := c.since()
	for _, e := range trusted {
		cert := e.Chain[0]
		if !cert.IsCA || !cert.BasicConstraintsValid {
			c.warnf(CheckTruststoreNotCA, entrySubject(path, e), "trust the issuing CA or root instead (uccert truststore with the CA certificate)",
				"%s is not a CA certificate: it trusts only itself", describeCert(cert))
		}
	}
	c.passed(mark, path, map[finding.Check]string{CheckTruststoreNotCA: "every trusted certificate is a CA"})
	mark = c.since()
	for _, e := range trusted {
		checkCertificates(c, entrySubject(path, e), e.Chain[:1], opts, false)
	}
	c.passed(mark, path, map[finding.Check]string{CheckCertExpired: "no trusted certificate has expired"})
}
