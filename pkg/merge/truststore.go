package merge

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
)

// TrustOptions control TrustStore.
type TrustOptions struct {
	// Aliases are explicit aliases for the new trusted entries, in order.
	Aliases []string
	// Base and BaseName: the existing store when appending.
	Base     *keystore.Store
	BaseName string
	Format   keystore.Format
	// Now is the time certificate validity is judged at (time.Now when
	// zero).
	Now time.Time
}

// TrustStore makes one trusted entry per distinct certificate (by
// SHA-256) of the inputs: certificate files, and every certificate of
// JKS and PKCS#12 inputs. Secret keys of the inputs are left out, each
// named in a note. Result.Findings holds the warnings of
// preflight.CheckTrustStore on the new entries (not a CA certificate,
// expired, not yet valid).
//
// Errors: ErrNoCertificates (an input without certificates),
// ErrTooManyAliases.
func TrustStore(inputs []Input, opts TrustOptions) (*Result, error) {
	a := newAssembler(opts.Format, opts.Base, opts.BaseName)
	idx := 0
	added := &keystore.Store{Format: opts.Format}
	for _, in := range inputs {
		n := 0
		if in.Store != nil {
			for _, e := range in.Store.Entries {
				if e == nil {
					continue
				}
				if e.Kind == keystore.KindSecret {
					// Not a certificate; said, never dropped silently.
					a.note("%s: secret key %q (%s) left out: a trust store holds certificates only", in.Name, e.Alias, e.KeyDescription())
					continue
				}
				for _, c := range e.Chain {
					if c == nil {
						continue
					}
					n++
					var alias string
					if idx < len(opts.Aliases) {
						alias = opts.Aliases[idx]
					} else {
						alias = trustAlias(c)
					}
					idx++
					ne := &keystore.Entry{Kind: keystore.KindTrusted, Chain: []*x509.Certificate{c}}
					if a.add(ne, alias, in.Name) {
						added.Entries = append(added.Entries, ne)
					}
				}
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: %w", in.Name, ErrNoCertificates)
		}
	}
	if idx < len(opts.Aliases) {
		return nil, fmt.Errorf("%w: %d aliases for %d certificates", ErrTooManyAliases, len(opts.Aliases), idx)
	}
	if len(added.Entries) > 0 {
		a.res.Findings = problems(preflight.CheckTrustStore(resultName(opts.BaseName), added, preflight.Options{Now: opts.Now}))
	}
	return a.res, nil
}

// trustAlias is the alias policy for a trusted certificate: its CN
// lower-cased with spaces as '-', else its first DNS name, else "cert".
func trustAlias(c *x509.Certificate) string {
	name := c.Subject.CommonName
	if name == "" && len(c.DNSNames) > 0 {
		name = c.DNSNames[0]
	}
	if name == "" {
		name = "cert"
	}
	return safeAlias(strings.ToLower(strings.Join(strings.Fields(name), "-")))
}
