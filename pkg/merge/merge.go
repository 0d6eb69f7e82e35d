// Package merge assembles the connector's stores from the files
// administrators have: Merge turns Front End exports (PKCS#12, JKS, PEM)
// into one key store, TrustStore turns CA certificates into a trust store.
// Both follow one alias policy, keep the same certificate once, rename
// collisions with -2, -3…, and report every such decision in Result.Notes:
// no entry is ever dropped silently. Result.Findings holds what the checks
// of package preflight say about the result (expired certificates, names
// nobody serves...), under the check names of `uccert verify`.
//
// Renewal: with Options.Replace a new key entry takes the place of the
// entries of Options.Base that it supersedes (Result.Replaced); without
// it such entries stay and Result.Overlaps says so. Remove takes entries
// out of a store by alias, host name or expiry.
package merge

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/chain"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
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
	// order. Entries beyond them get the default policy.
	Aliases []string
	// Base is the existing output store when appending: every entry of it
	// is kept, before the new ones.
	Base *keystore.Store
	// BaseName names Base in notes and findings (the output file).
	BaseName string
	// Format is the output format: it decides how aliases are kept and
	// compared (keystore.Format.StoredAlias, AliasKey).
	Format keystore.Format
	// Host and FEs are the connector host's and the Front Ends' FQDNs:
	// Result.Findings says which no entry serves, and which entry serves
	// none of them (when either is given).
	Host string
	FEs  []string
	// Now is when validity is judged (time.Now when zero).
	Now time.Time
	// Replace makes each new key entry replace the key entries of Base
	// that it supersedes: an entry of Base is replaced when it serves one
	// of the new certificate's names (hostname.Names: the DNS
	// subjectAltNames, else a host-name CN), has the same key algorithm
	// (RSA, EC, Ed25519), and every name it serves is served by the new
	// certificate too — so no name loses the entry that serves it (Front
	// Ends that share a pool name do not replace each other). A new entry
	// that replaces exactly one entry takes its alias (the connector's
	// configuration may name it), unless Aliases gives one. Each
	// replacement is in Result.Replaced.
	Replace bool
	// DropSecrets leaves out the inputs' secret keys (Java
	// SecretKeyEntry) when Format cannot hold them (JKS), each named in a
	// note; without it such a merge fails with ErrSecretKeys.
	DropSecrets bool
}

// Replacement is an entry of Options.Base that a new entry replaced.
type Replacement struct {
	// Old is the entry of the base store that is gone, New the entry in
	// its place (New.Alias is the alias it was written under).
	Old, New *keystore.Entry
	// Names are the new certificate's names that Old served.
	Names []string
}

// Overlap is an entry of Options.Base that serves names of a new key
// entry and stays in the store beside it.
//
// Without Options.Replace, Result.Overlaps holds the entries that
// --replace would have replaced (same key algorithm, every name served by
// the new certificate): the store now holds two entries for those names.
// With Replace, it holds the entries that serve some of a new entry's
// names when that entry replaced nothing, and why each stayed
// (Uncovered, SameAlgorithm).
type Overlap struct {
	New, Old *keystore.Entry
	// Names are the new certificate's names that Old serves too.
	Names []string
	// Uncovered are names Old serves that the new certificate does not;
	// empty when the new certificate serves all of them.
	Uncovered []string
	// SameAlgorithm is true when Old's key has the new key's algorithm.
	SameAlgorithm bool
}

// Replaceable reports whether Options.Replace replaces o.Old with o.New.
func (o Overlap) Replaceable() bool { return o.SameAlgorithm && len(o.Uncovered) == 0 }

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
	// Replaced are the entries of Options.Base that new entries replaced
	// (Options.Replace).
	Replaced []Replacement
	// Overlaps are entries of Options.Base that serve names of new entries
	// and stay beside them (see Overlap).
	Overlaps []Overlap
	// Findings are the warnings and errors of package preflight's checks
	// on the result (CheckKeyStore for Merge, CheckTrustStore for
	// TrustStore): they do not stop the merge, they are for the user.
	Findings []finding.Finding
}

// Sentinel errors.
var (
	// ErrUnusableKey: an input's key cannot be used (not recoverable with
	// the passwords given, without a certificate, not matching it). The
	// error is also a *keystore.UnusableKeyError naming the input, the
	// entry and the cause.
	ErrUnusableKey = errors.New("unusable key entry")
	// ErrNoKeys: the inputs hold no private key at all.
	ErrNoKeys = errors.New("no private key in the inputs")
	// ErrTooManyAliases: more aliases than entries.
	ErrTooManyAliases = errors.New("more aliases than entries")
	// ErrNoCertificates: the trust store inputs hold no certificate.
	ErrNoCertificates = errors.New("no certificate in the inputs")
	// ErrSecretKeys: the inputs hold secret keys (Java SecretKeyEntry:
	// AES, HMAC...) and the output format cannot hold them: only PKCS#12
	// can (see Options.DropSecrets). The error is a *SecretKeysError.
	ErrSecretKeys = errors.New("secret keys cannot be stored in this store type")
)

// SecretKey names a secret key of an input: the file, its alias and its
// description ("AES 128", keystore.Entry.KeyDescription).
type SecretKey struct {
	File, Alias, Key string
}

// SecretKeysError is ErrSecretKeys with every secret key the output
// format could not hold, in input order.
type SecretKeysError struct {
	Format keystore.Format
	Keys   []SecretKey
}

func (e *SecretKeysError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s; only PKCS#12 holds secret keys):", ErrSecretKeys, e.Format)
	for i, k := range e.Keys {
		switch {
		case i == 0 || k.File != e.Keys[i-1].File:
			if i > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " %s: %q (%s)", k.File, k.Alias, k.Key)
		default:
			fmt.Fprintf(&b, ", %q (%s)", k.Alias, k.Key)
		}
	}
	return b.String()
}

// Unwrap returns ErrSecretKeys.
func (e *SecretKeysError) Unwrap() error { return ErrSecretKeys }

// assembler holds the alias and duplicate bookkeeping shared by Merge and
// TrustStore.
type assembler struct {
	format  keystore.Format
	res     *Result
	aliases map[string]bool   // AliasKey of every alias in use
	next    map[string]int    // AliasKey of a wanted alias → next suffix to try
	certs   map[string]string // identity (kind and leaf or secret fingerprint) → alias
}

func newAssembler(format keystore.Format, base *keystore.Store, baseName string) *assembler {
	a := &assembler{format: format, res: &Result{Store: &keystore.Store{Format: format}},
		aliases: map[string]bool{}, next: map[string]int{}, certs: map[string]string{}}
	if base != nil {
		var unnamed []*keystore.Entry
		for _, e := range base.Entries {
			switch {
			case e == nil:
			case e.Alias == "":
				unnamed = append(unnamed, e)
			default:
				a.place(e, baseName, true)
			}
		}
		// A base without aliases (a Windows export without friendlyName)
		// gets them by the rule of new entries; the store is written
		// with them.
		for _, e := range unnamed {
			want := "entry"
			if leaf := e.Leaf(); leaf != nil && e.Kind == keystore.KindKey {
				want = defaultKeyAlias(e, baseName)
			} else if leaf != nil {
				want = trustAlias(leaf)
			}
			named := *e
			named.Alias = a.unique(want, baseName)
			a.place(&named, baseName, true)
			a.note("%s: an entry without an alias (%s) is now %q", baseName, describeLeaf(e), named.Alias)
		}
	}
	return a
}

// describeLeaf names an entry's certificate by its subject DN.
func describeLeaf(e *keystore.Entry) string {
	if leaf := e.Leaf(); leaf != nil {
		return certfile.SubjectDN(leaf)
	}
	return "no certificate"
}

func certKey(kind keystore.Kind, c *x509.Certificate) string {
	return kind.String() + ":" + certfile.Fingerprint(c)
}

// identity is what makes two entries the same: the kind and the leaf, or
// a secret key's bytes; "" for an entry without either.
func identity(e *keystore.Entry) string {
	switch {
	case e.Leaf() != nil:
		return certKey(e.Kind, e.Leaf())
	case e.Kind == keystore.KindSecret && len(e.PKCS8) > 0:
		sum := sha256.Sum256(e.PKCS8)
		return "secret:" + hex.EncodeToString(sum[:])
	}
	return ""
}

func (a *assembler) place(e *keystore.Entry, source string, kept bool) {
	a.placeAs(e, identity(e), source, kept)
}

// placeAs is place with e's identity already known.
func (a *assembler) placeAs(e *keystore.Entry, id, source string, kept bool) {
	a.aliases[a.format.AliasKey(e.Alias)] = true
	if id != "" {
		a.certs[id] = e.Alias
	}
	a.res.Store.Entries = append(a.res.Store.Entries, e)
	a.res.Entries = append(a.res.Entries, Placed{Entry: e, Source: source, Kept: kept})
}

func (a *assembler) note(format string, args ...any) {
	a.res.Notes = append(a.res.Notes, fmt.Sprintf(format, args...))
}

// add places e under the wanted alias: a certificate already present is
// kept once, a taken alias gets -2, -3…; both are noted. It reports
// whether e was placed.
func (a *assembler) add(e *keystore.Entry, want, source string) bool {
	id := identity(e)
	if prev, dup := a.certs[id]; dup && id != "" {
		if leaf := e.Leaf(); leaf != nil {
			a.note("%s: %q (%s) is the same certificate as entry %q; kept once", source, want, leaf.Subject.CommonName, prev)
		} else {
			a.note("%s: %q (%s) is the same secret key as entry %q; kept once", source, want, e.KeyDescription(), prev)
		}
		return false
	}
	e.Alias = a.unique(want, source)
	a.placeAs(e, id, source, false)
	return true
}

// unique returns want as the store keeps it, or, when another entry has
// that alias, want-2, want-3…, noting the rename.
func (a *assembler) unique(want, source string) string {
	want = a.format.StoredAlias(want)
	alias := want
	if a.aliases[a.format.AliasKey(alias)] {
		// The suffixes tried for want continue where the last collision
		// stopped: thousands of certificates with one name stay linear.
		k := a.format.AliasKey(want)
		n := max(a.next[k], 2)
		for alias = want + "-" + strconv.Itoa(n); a.aliases[a.format.AliasKey(alias)]; alias = want + "-" + strconv.Itoa(n) {
			n++
		}
		a.next[k] = n + 1
		a.note("%s: alias %q is taken by a different certificate; this entry is %q", source, want, alias)
	}
	return alias
}

// Merge turns every private key of the inputs into a key entry with its
// full chain, and carries trusted entries and secret keys over. Keys are
// written later under the store password, whatever protected them before.
// Keys TLS cannot use (DSA, GOST R 34.10, ...) are carried over as the
// inputs held them (keystore.Entry.Writable), and reported in Findings
// (key-weak). Secret keys go into PKCS#12 only: for JKS output they fail
// the merge (ErrSecretKeys, naming each) unless Options.DropSecrets.
//
// A pending key of uccert request is paired with the certificate the CA
// issued for it (see pending.go): the result holds the issued chain, never
// the placeholder.
//
// Errors: ErrUnusableKey (with a *keystore.UnusableKeyError: errors.Is
// keystore.ErrKeyPassword for a key under another password,
// keystore.ErrNoCertificate for a key without certificate), ErrNoKeys,
// ErrTooManyAliases, ErrSecretKeys (a *SecretKeysError), and a *PairError
// (ErrReplyMissing, ErrKeyMissing).
func Merge(inputs []Input, opts Options) (*Result, error) {
	// Pending keys of uccert request get the CA's reply (pending.go).
	p, err := pairPending(inputs, opts.Base, opts.BaseName)
	if err != nil {
		return nil, err
	}
	inputs, opts.Base = p.inputs, p.base
	a := newAssembler(opts.Format, opts.Base, opts.BaseName)
	a.res.Notes = append(a.res.Notes, p.notes...)
	nkeys := 0
	aliasIdx := 0
	var secretsRefused []SecretKey
	for _, in := range inputs {
		if in.Store == nil {
			return nil, fmt.Errorf("%s: %w (no store)", in.Name, ErrNoKeys)
		}
		pool := inputCertificates(in.Store)
		used := 0
		for _, e := range in.Store.Entries {
			if e == nil {
				continue
			}
			switch e.Kind {
			case keystore.KindKey:
				if err := e.Writable(); err != nil {
					return nil, fmt.Errorf("%w: %w", ErrUnusableKey, &keystore.UnusableKeyError{File: in.Name, Alias: displayAlias(e, in.Name), Err: err})
				}
				ne := &keystore.Entry{Kind: keystore.KindKey, Key: e.Key, KeyErr: e.KeyErr, PKCS8: e.PKCS8, Chain: completeChain(e.Chain, pool), Created: e.Created}
				if len(ne.Chain) > len(e.Chain) {
					a.note("%s: completed the chain of %q from the file's other certificates (%d → %d)", in.Name, displayAlias(e, in.Name), len(e.Chain), len(ne.Chain))
				}
				if e.KeyPasswordDiffers {
					a.note("%s: the key of %q had its own password; it now has the store password", in.Name, displayAlias(e, in.Name))
				}
				var alias string
				explicit := aliasIdx < len(opts.Aliases)
				if explicit {
					alias = opts.Aliases[aliasIdx]
				} else {
					alias = defaultKeyAlias(e, in.Name)
				}
				aliasIdx++
				nkeys++
				used++
				a.addKey(ne, alias, explicit, in.Name, opts.Replace)
			case keystore.KindTrusted:
				if e.Leaf() == nil {
					continue
				}
				alias := e.Alias
				if alias == "" {
					alias = trustAlias(e.Leaf())
				}
				used++
				a.add(&keystore.Entry{Kind: keystore.KindTrusted, Chain: e.Chain[:1], Created: e.Created}, alias, in.Name)
			case keystore.KindSecret:
				used++
				what := fmt.Sprintf("%q (%s)", e.Alias, e.KeyDescription())
				switch {
				case opts.Format == keystore.FormatPKCS12:
					alias := e.Alias
					if alias == "" {
						alias = "secret"
					}
					a.add(&keystore.Entry{Kind: keystore.KindSecret, PKCS8: e.PKCS8, SecretAlgorithm: e.SecretAlgorithm, Created: e.Created}, alias, in.Name)
				case opts.DropSecrets:
					a.note("%s: secret key %s dropped, as asked: %s stores cannot hold secret keys", in.Name, what, opts.Format)
				default:
					secretsRefused = append(secretsRefused, SecretKey{File: in.Name, Alias: e.Alias, Key: e.KeyDescription()})
				}
			}
		}
		for _, e := range in.Store.Entries {
			if e == nil {
				continue
			}
			if e.Kind == keystore.KindCert && e.Leaf() != nil && !inAnyChain(e.Leaf(), in.Store) {
				a.note("%s: ignored certificate %q: it belongs to no key (trust it with uccert truststore)", in.Name, certfile.SubjectDN(e.Leaf()))
			}
		}
		if used == 0 {
			return nil, fmt.Errorf("%s: %w (it holds %s and no private key or trusted entry)", in.Name, ErrNoKeys, finding.Count(len(pool), "certificate", "certificates"))
		}
	}
	if len(secretsRefused) > 0 {
		return nil, &SecretKeysError{Format: opts.Format, Keys: secretsRefused}
	}
	if aliasIdx < len(opts.Aliases) {
		return nil, fmt.Errorf("%w: %d aliases for %d key entries", ErrTooManyAliases, len(opts.Aliases), aliasIdx)
	}
	if nkeys == 0 {
		return nil, ErrNoKeys
	}
	a.res.Findings = problems(preflight.CheckKeyStore(resultName(opts.BaseName), a.res.Store, nil,
		preflight.Options{Host: opts.Host, FEs: opts.FEs, NamesComplete: true, Now: opts.Now}))
	return a.res, nil
}

// resultName names the result in findings: the output file, when known.
func resultName(base string) string {
	if base == "" {
		return "(merged store)"
	}
	return base
}

// problems keeps the warnings and errors of fs.
func problems(fs []finding.Finding) []finding.Finding {
	r := finding.Report{Findings: fs}
	return r.Problems()
}

// defaultKeyAlias is the alias policy for a key entry: the leaf's first
// DNS name, else its CN, else the input's friendlyName or alias, else the
// file's base name without extension; lower-case.
func defaultKeyAlias(e *keystore.Entry, file string) string {
	leaf := e.Leaf()
	switch {
	case leaf != nil && len(leaf.DNSNames) > 0 && leaf.DNSNames[0] != "":
		return safeAlias(strings.ToLower(leaf.DNSNames[0]))
	case leaf != nil && leaf.Subject.CommonName != "":
		return safeAlias(strings.ToLower(leaf.Subject.CommonName))
	case e.Alias != "":
		return safeAlias(strings.ToLower(e.Alias))
	}
	base := filepath.Base(strings.ReplaceAll(file, `\`, "/"))
	return safeAlias(strings.ToLower(strings.TrimSuffix(base, filepath.Ext(base))))
}

// safeAlias is s with each rune a terminal must not get raw
// (finding.UnsafeRune: control and bidirectional formatting characters,
// bytes that are not UTF-8) written as '_': an alias derived from a
// certificate or a file name is printed raw by keytool -list and other
// tools, and --alias refuses such runes too.
func safeAlias(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if finding.UnsafeRune(r, n) {
			b.WriteByte('_')
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func displayAlias(e *keystore.Entry, file string) string {
	if e.Alias != "" {
		return e.Alias
	}
	return defaultKeyAlias(e, file)
}

// inputCertificates is every certificate of a store, for chain completion.
func inputCertificates(s *keystore.Store) []*x509.Certificate {
	var out []*x509.Certificate
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
		out = append(out, e.Chain...)
	}
	return out
}

// completeChain returns the entry's chain, or a longer one built from the
// certificates of its input (package chain).
func completeChain(entryChain, pool []*x509.Certificate) []*x509.Certificate {
	p := chain.NewPool(entryChain...)
	p.Add(pool...)
	full := chain.Build(entryChain[0], chain.Options{Pool: p}).Chain
	if len(full) > len(entryChain) {
		return full
	}
	return entryChain
}

func inAnyChain(c *x509.Certificate, s *keystore.Store) bool {
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
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
