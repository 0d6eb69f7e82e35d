package preflight

import (
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
		others := finding.Count(len(s.Entries), "other entry", "other entries")
		if hasKeys(s) {
			// Never advise overwriting a file that holds private keys.
			c.errorf(CheckTruststoreEmpty, path, "build the trust store in a new file from the CA certificate (uccert truststore -o ucc-trust.jks CA.cer) and give that file instead; keep "+path+": it holds private keys",
				"the trust store has no trusted certificate (%s, key entries among them): the connector trusts nobody", others)
			return
		}
		c.errorf(CheckTruststoreEmpty, path, "build it from the CA certificate: uccert truststore -o "+path+" --force CA.cer",
			"the trust store has no trusted certificate (%s): the connector trusts nobody", others)
		return
	}
	c.add(CheckTruststoreEmpty, finding.OK, path, finding.Count(len(trusted), "trusted certificate", "trusted certificates"), "")
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
		checkCertificates(c, path, e, e.Chain[:1], opts, false)
	}
	c.passed(mark, path, map[finding.Check]string{CheckCertExpired: "no trusted certificate has expired"})
}

// hasKeys reports whether s holds a key entry.
func hasKeys(s *keystore.Store) bool {
	for _, e := range s.Entries {
		if e != nil && e.Kind == keystore.KindKey {
			return true
		}
	}
	return false
}
