package preflight

import (
	"crypto/x509"
	"fmt"
	"strconv"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/chain"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"golang.org/x/net/idna"
)

// MaxWarnDays bounds Options.WarnDays: 100 years (a larger window is
// taken as this one).
const MaxWarnDays = 36500

func warnDays(opts Options) int {
	if opts.WarnDays <= 0 {
		return 30
	}
	return min(opts.WarnDays, MaxWarnDays)
}

// checkCertificates checks validity and signatures of a chain (leaf
// first) of entry e of the store path at opts.Now, and with keyEntry the
// leaf's extended key usage.
func checkCertificates(c *collector, path string, e *keystore.Entry, certs []*x509.Certificate, opts Options, keyEntry bool) {
	subject := entrySubject(path, e)
	soon := opts.Now.AddDate(0, 0, warnDays(opts))
	for i, cert := range certs {
		what := "the certificate"
		if i > 0 {
			what = "chain certificate " + describeCert(cert)
		}
		switch {
		case opts.Now.After(cert.NotAfter):
			_, expiredFix := renewHint(path, e, cert, i, keyEntry)
			c.errorf(CheckCertExpired, subject, expiredFix, "%s expired on %s", what, day(cert.NotAfter))
		case opts.Now.Before(cert.NotBefore):
			c.errorf(CheckCertNotYetValid, subject, "check the clocks, or wait until it is valid", "%s is not valid before %s", what, day(cert.NotBefore))
		case soon.After(cert.NotAfter):
			renew, _ := renewHint(path, e, cert, i, keyEntry)
			c.warnf(CheckCertExpiresSoon, subject, renew, "%s expires on %s (within %d days)", what, day(cert.NotAfter), warnDays(opts))
		}
		checkNames(c, subject, what, cert)
		selfSigned := (i > 0 || !keyEntry) && chain.SelfIssued(cert) // a root's own signature is not relied on
		if alg := weakSignature(cert.SignatureAlgorithm); alg != "" && !selfSigned {
			c.errorf(CheckCertWeakSignature, subject, "have the CA re-issue it with SHA-256; Java and current Windows refuse "+alg+" signatures for TLS",
				"%s is signed with %s", what, alg)
		}
	}
	if keyEntry && len(certs) > 0 {
		if missing := missingEKU(certs[0]); missing != "" {
			c.errorf(CheckCertEKU, subject, "request the certificate with the Server Authentication and Client Authentication purposes (the Web Server template lacks Client Authentication)",
				"the certificate's extended key usage lacks %s, which mutual TLS needs", missing)
		}
	}
}

// renewHint is the fix of cert-expires-soon and, expired, of cert-expired
// for certificate i of entry e's chain: the commands that put a renewed
// certificate in the store and take the old one out.
func renewHint(path string, e *keystore.Entry, cert *x509.Certificate, i int, keyEntry bool) (soon, expired string) {
	store := finding.CommandArg(path)
	if !keyEntry {
		alias := "OLD"
		if e.Alias != "" {
			alias = finding.CommandArg(e.Alias)
		}
		soon = fmt.Sprintf("add the renewed CA certificate, then remove this one: uccert truststore --append -o %s --out-pass prompt NEW-CA.cer; uccert remove --alias %s --pass prompt %s", store, alias, store)
		return soon, soon
	}
	replace := fmt.Sprintf("uccert merge --append --replace -o %s --out-pass prompt NEW.pfx", store)
	if i == 0 {
		soon = "renew the certificate, export it with its private key (NEW.pfx) and replace the entry: " + replace
	} else {
		soon = fmt.Sprintf("have the certificate re-issued under the renewed %s, export it with its private key and chain (NEW.pfx) and replace the entry: %s", describeCert(cert), replace)
	}
	return soon, soon + "; if the store holds the renewed certificate already, remove the expired entries: uccert remove --expired --pass prompt " + store
}

// checkNames warns about subjectAltNames that are not ASCII
// (certfile.MalformedNames): OpenSSL writes UTF-8 into a dNSName as it is
// given; TLS clients compare a host name's ASCII form (the "xn--" A-label
// of an internationalised name), so the name matches no host. The name is
// shown escaped (\u00fc), the way it is stored.
func checkNames(c *collector, subject, what string, cert *x509.Certificate) {
	for _, n := range certfile.MalformedNames(cert) {
		hint := "request the certificate again with the name in its ASCII form"
		if n.Type == "dNSName" {
			if a, err := idna.Lookup.ToASCII(n.Value); err == nil && a != n.Value {
				hint = "request the certificate again with the name's A-label " + a + " (IDNA), which is what clients look for"
			}
		}
		c.warnf(CheckCertMalformedName, subject, hint,
			"%s has the %s %s, which is not ASCII: TLS clients compare host names in their ASCII form, so it matches no host (Go's crypto/x509 refuses such a certificate; uccert reads it)",
			what, n.Type, strconv.QuoteToASCII(n.Value))
	}
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func weakSignature(alg x509.SignatureAlgorithm) string {
	switch alg {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return "SHA-1"
	case x509.MD5WithRSA:
		return "MD5"
	case x509.MD2WithRSA:
		return "MD2"
	}
	return ""
}

// missingEKU names the TLS purposes the leaf's EKU extension leaves out;
// no extension at all allows every purpose.
func missingEKU(leaf *x509.Certificate) string {
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		return ""
	}
	server, client := false, false
	for _, u := range leaf.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageAny:
			return ""
		case x509.ExtKeyUsageServerAuth:
			server = true
		case x509.ExtKeyUsageClientAuth:
			client = true
		}
	}
	switch {
	case !server && !client:
		return "Server Authentication and Client Authentication"
	case !server:
		return "Server Authentication"
	case !client:
		return "Client Authentication"
	}
	return ""
}
