package merge

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
)

// TrustOptions control TrustStore.
type TrustOptions struct {
	// Aliases are explicit aliases for the new trusted entries, in order.
	Aliases []string
	// Base and BaseName: the existing store when appending.
	Base     *keystore.Store
	BaseName string
	Format   keystore.Format
	// Now is the time certificate validity is judged at (warnings).
	Now time.Time
}

// TrustStore makes one trusted entry per distinct certificate (by
// SHA-256) of the inputs: certificate files, and every certificate of
// JKS and PKCS#12 inputs. It warns (in Warnings) about certificates that
// are not CAs or are outside their validity at opts.Now.
func TrustStore(inputs []Input, opts TrustOptions) (res *Result, warnings []string, err error) {
	a := newAssembler(opts.Format, opts.Base, opts.BaseName)
	idx := 0
	for _, in := range inputs {
		n := 0
		for _, e := range in.Store.Entries {
			for _, c := range e.Chain {
				n++
				var alias string
				if idx < len(opts.Aliases) {
					alias = opts.Aliases[idx]
				} else {
					alias = TrustAlias(c)
				}
				idx++
				before := len(a.res.Entries)
				a.add(&keystore.Entry{Kind: keystore.KindTrusted, Chain: []*x509.Certificate{c}}, alias, in.Name)
				if len(a.res.Entries) == before {
					continue // the same certificate again: noted by add
				}
				placed := a.res.Entries[len(a.res.Entries)-1].Entry.Alias
				if !c.IsCA || !c.BasicConstraintsValid {
					warnings = append(warnings, fmt.Sprintf("%s: %q (%s) is not a CA certificate; trusting a server certificate directly works only for that one certificate", in.Name, placed, c.Subject.String()))
				}
				if !opts.Now.IsZero() && opts.Now.After(c.NotAfter) {
					warnings = append(warnings, fmt.Sprintf("%s: %q (%s) expired on %s", in.Name, placed, c.Subject.String(), c.NotAfter.UTC().Format(time.DateOnly)))
				}
				if !opts.Now.IsZero() && opts.Now.Before(c.NotBefore) {
					warnings = append(warnings, fmt.Sprintf("%s: %q (%s) is not valid before %s", in.Name, placed, c.Subject.String(), c.NotBefore.UTC().Format(time.DateOnly)))
				}
			}
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("%s: %w", in.Name, ErrNoCertificates)
		}
	}
	if idx < len(opts.Aliases) {
		return nil, nil, fmt.Errorf("%w: %d --alias values for %d certificates", ErrTooManyAliases, len(opts.Aliases), idx)
	}
	return a.res, warnings, nil
}

// TrustAlias is the alias policy for a trusted certificate: its CN
// lower-cased with spaces as '-', else its first DNS name, else "cert".
func TrustAlias(c *x509.Certificate) string {
	name := c.Subject.CommonName
	if name == "" && len(c.DNSNames) > 0 {
		name = c.DNSNames[0]
	}
	if name == "" {
		name = "cert"
	}
	return strings.ToLower(strings.Join(strings.Fields(name), "-"))
}
