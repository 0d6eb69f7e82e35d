// Package merge assembles the connector's stores from the files
// administrators have: Merge turns Front End exports (PKCS#12, JKS, PEM)
// into one key store, TrustStore turns CA certificates into a trust store.
// Both follow one alias policy, keep the same certificate once, rename
// collisions with -2, -3…, and report every such decision in Result.Notes:
// no entry is ever dropped silently.
package merge

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/keystore"
)

// Input is one decoded input file.
type Input struct {
	// Name is the file as the user gave it; it appears in notes and is the
	// alias of last resort (its base name without extension).
	Name  string
	Store *keystore.Store
}

// Options control Merge.
type Options struct {
	// Aliases are explicit aliases for the new key entries, in input
	// order (--alias). Entries beyond them get the default policy.
	Aliases []string
	// Base is the existing output store when appending: every entry of it
	// is kept, before the new ones.
	Base *keystore.Store
	// BaseName names Base in notes (the output file).
	BaseName string
	// Format is the output format: JKS aliases are lower-cased (Java
	// does it anyway) and compared case-insensitively.
	Format keystore.Format
}

// Placed is an entry of the result and where it came from.
type Placed struct {
	Entry  *keystore.Entry
	Source string
	// Kept is true for entries of Options.Base.
	Kept bool
}

// Result is the assembled store and the report of every decision.
type Result struct {
	Store   *keystore.Store
	Entries []Placed
	// Notes report deduplications, renames and ignored certificates.
	Notes []string
}

// Sentinel errors.
var (
	// ErrUnusableKey: an input's key cannot be used (not recoverable with
	// the passwords given, or without a certificate).
	ErrUnusableKey = errors.New("unusable key entry")
	// ErrNoKeys: the inputs hold no private key at all.
	ErrNoKeys = errors.New("no private key in the inputs")
	// ErrTooManyAliases: more --alias values than entries.
	ErrTooManyAliases = errors.New("more aliases than entries")
	// ErrNoCertificates: the trust store inputs hold no certificate.
	ErrNoCertificates = errors.New("no certificate in the inputs")
)

// assembler holds the alias and duplicate bookkeeping shared by Merge and
// TrustStore.
type assembler struct {
	format  keystore.Format
	res     *Result
	aliases map[string]bool   // normalised aliases in use
	certs   map[string]string // leaf fingerprint → alias, per kind
}

func newAssembler(format keystore.Format, base *keystore.Store, baseName string) *assembler {
	a := &assembler{format: format, res: &Result{Store: &keystore.Store{Format: format}}, aliases: map[string]bool{}, certs: map[string]string{}}
	if base != nil {
		for _, e := range base.Entries {
			a.place(e, baseName, true)
		}
	}
	return a
}

func (a *assembler) key(alias string) string { return strings.ToLower(alias) }

func certKey(kind keystore.Kind, c *x509.Certificate) string {
	return kind.String() + ":" + certfile.Fingerprint(c)
}

func (a *assembler) place(e *keystore.Entry, source string, kept bool) {
	a.aliases[a.key(e.Alias)] = true
	if leaf := e.Leaf(); leaf != nil {
		a.certs[certKey(e.Kind, leaf)] = e.Alias
	}
	a.res.Store.Entries = append(a.res.Store.Entries, e)
	a.res.Entries = append(a.res.Entries, Placed{Entry: e, Source: source, Kept: kept})
}

func (a *assembler) note(format string, args ...any) {
	a.res.Notes = append(a.res.Notes, fmt.Sprintf(format, args...))
}

// add places e under the wanted alias: a certificate already present is
// kept once, a taken alias gets -2, -3…; both are noted.
func (a *assembler) add(e *keystore.Entry, want, source string) {
	leaf := e.Leaf()
	if prev, dup := a.certs[certKey(e.Kind, leaf)]; dup {
		a.note("%s: %q (%s) is the same certificate as entry %q; kept once", source, want, leaf.Subject.CommonName, prev)
		return
	}
	if a.format == keystore.FormatJKS {
		want = strings.ToLower(want)
	}
	alias := want
	for n := 2; a.aliases[a.key(alias)]; n++ {
		alias = want + "-" + strconv.Itoa(n)
	}
	if alias != want {
		a.note("%s: alias %q is taken by a different certificate; this entry is %q", source, want, alias)
	}
	e.Alias = alias
	a.place(e, source, false)
}

// Merge turns every private key of the inputs into a key entry with its
// full chain, and carries trusted entries over. Keys are written later
// under the store password, whatever protected them before.
func Merge(inputs []Input, opts Options) (*Result, error) {
	a := newAssembler(opts.Format, opts.Base, opts.BaseName)
	nkeys := 0
	aliasIdx := 0
	for _, in := range inputs {
		pool := inputCertificates(in.Store)
		used := 0
		for _, e := range in.Store.Entries {
			switch e.Kind {
			case keystore.KindKey:
				if e.Key == nil {
					cause := "its key could not be recovered"
					if e.KeyErr != nil {
						cause = e.KeyErr.Error()
					}
					return nil, fmt.Errorf("%s: entry %q: %w: %s (give its key password with --in-key-pass)", in.Name, e.Alias, ErrUnusableKey, cause)
				}
				if len(e.Chain) == 0 {
					return nil, fmt.Errorf("%s: %w: a private key without its certificate; put the key and its certificate chain in one PEM file", in.Name, ErrUnusableKey)
				}
				if !keystore.KeyMatchesCert(e.Key, e.Chain[0]) {
					return nil, fmt.Errorf("%s: entry %q: %w: the private key does not match its certificate %s", in.Name, displayAlias(e, in.Name), ErrUnusableKey, e.Chain[0].Subject)
				}
				ne := &keystore.Entry{Kind: keystore.KindKey, Key: e.Key, Chain: completeChain(e.Chain, pool), Created: e.Created}
				if len(ne.Chain) > len(e.Chain) {
					a.note("%s: completed the chain of %q from the file's other certificates (%d → %d)", in.Name, displayAlias(e, in.Name), len(e.Chain), len(ne.Chain))
				}
				if e.KeyPasswordDiffers {
					a.note("%s: the key of %q had its own password; it now has the store password", in.Name, displayAlias(e, in.Name))
				}
				var alias string
				if aliasIdx < len(opts.Aliases) {
					alias = opts.Aliases[aliasIdx]
				} else {
					alias = DefaultKeyAlias(e, in.Name)
				}
				aliasIdx++
				nkeys++
				used++
				a.add(ne, alias, in.Name)
			case keystore.KindTrusted:
				alias := e.Alias
				if alias == "" {
					alias = TrustAlias(e.Leaf())
				}
				used++
				a.add(&keystore.Entry{Kind: keystore.KindTrusted, Chain: e.Chain[:1], Created: e.Created}, alias, in.Name)
			}
		}
		for _, e := range in.Store.Entries {
			if e.Kind == keystore.KindCert && !inAnyChain(e.Leaf(), in.Store) {
				a.note("%s: ignored certificate %q: it belongs to no key (trust it with uccert truststore)", in.Name, e.Leaf().Subject.String())
			}
		}
		if used == 0 {
			return nil, fmt.Errorf("%s: %w (it holds %d certificates and no private key or trusted entry)", in.Name, ErrNoKeys, len(pool))
		}
	}
	if aliasIdx < len(opts.Aliases) {
		return nil, fmt.Errorf("%w: %d --alias values for %d key entries", ErrTooManyAliases, len(opts.Aliases), aliasIdx)
	}
	if nkeys == 0 {
		return nil, ErrNoKeys
	}
	return a.res, nil
}

// DefaultKeyAlias is the alias policy for a key entry: the leaf's first
// DNS name, else its CN, else the input's friendlyName or alias, else the
// file's base name without extension; lower-case.
func DefaultKeyAlias(e *keystore.Entry, file string) string {
	leaf := e.Leaf()
	switch {
	case leaf != nil && len(leaf.DNSNames) > 0 && leaf.DNSNames[0] != "":
		return strings.ToLower(leaf.DNSNames[0])
	case leaf != nil && leaf.Subject.CommonName != "":
		return strings.ToLower(leaf.Subject.CommonName)
	case e.Alias != "":
		return strings.ToLower(e.Alias)
	}
	base := filepath.Base(strings.ReplaceAll(file, `\`, "/"))
	return strings.ToLower(strings.TrimSuffix(base, filepath.Ext(base)))
}

func displayAlias(e *keystore.Entry, file string) string {
	if e.Alias != "" {
		return e.Alias
	}
	return DefaultKeyAlias(e, file)
}

// inputCertificates is every certificate of a store, for chain completion.
func inputCertificates(s *keystore.Store) []*x509.Certificate {
	var out []*x509.Certificate
	for _, e := range s.Entries {
		out = append(out, e.Chain...)
	}
	return out
}

func completeChain(chain, pool []*x509.Certificate) []*x509.Certificate {
	full := keystore.BuildChain(chain[0], append(append([]*x509.Certificate{}, chain...), pool...))
	if len(full) > len(chain) {
		return full
	}
	return chain
}

func inAnyChain(c *x509.Certificate, s *keystore.Store) bool {
	for _, e := range s.Entries {
		if e.Kind != keystore.KindKey {
			continue
		}
		for _, ce := range e.Chain {
			if bytes.Equal(ce.Raw, c.Raw) {
				return true
			}
		}
	}
	return false
}
