package merge

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
)

// Selector says which entries Remove takes out of a store. The values of
// one field are alternatives; the fields that are set must all hold: with
// Hosts and Expired, the expired key entries that serve one of Hosts.
type Selector struct {
	// Aliases select entries by alias, compared as the store's format
	// compares them (keystore.Format.AliasKey: Java's JKS and PKCS#12
	// stores ignore case). Every alias must name an entry.
	Aliases []string
	// Hosts select the key entries whose certificate serves one of these
	// names (hostname.Match). Every name must be served by a key entry.
	Hosts []string
	// Expired selects the entries, key and trusted alike, whose
	// certificate has expired at RemoveOptions.Now.
	Expired bool
}

// Empty reports whether s selects nothing at all (no field set).
func (s Selector) Empty() bool { return len(s.Aliases) == 0 && len(s.Hosts) == 0 && !s.Expired }

// RemoveOptions control Remove.
type RemoveOptions struct {
	// Name names the store in errors and notes (its file).
	Name string
	// AllowEmpty allows removing the last key entry of a store that has
	// key entries, and the last trusted entry of a trust store (a store
	// without key entries).
	AllowEmpty bool
	// Now is when expiry is judged (time.Now when zero).
	Now time.Time
}

// Removed is an entry Remove took out, and why.
type Removed struct {
	Entry *keystore.Entry
	// Reasons say which parts of the Selector matched it: `alias "x"`,
	// `serves fe1.uc.example.com`, `expired on 2021-06-01`.
	Reasons []string
}

// RemoveResult is the store without the removed entries.
type RemoveResult struct {
	// Store holds the remaining entries, in their order.
	Store   *keystore.Store
	Removed []Removed
	// Notes report entries without an alias that were named (as Merge
	// does), since the store is written with them.
	Notes []string
}

// Sentinel errors of Remove.
var (
	// ErrNoSelector: the Selector selects nothing (no alias, no host, not
	// Expired).
	ErrNoSelector = errors.New("nothing to select entries by")
	// ErrNoMatch: an alias names no entry, a host name is served by no key
	// entry, or no entry matches the whole Selector. The store is to be
	// left as it is.
	ErrNoMatch = errors.New("no entry matches")
	// ErrLastEntry: the removal would leave a store that had key entries
	// without any, or a trust store without a trusted certificate, and
	// RemoveOptions.AllowEmpty is not set.
	ErrLastEntry = errors.New("the last entry would go")
)

// Remove returns s without the entries that sel selects. s is not
// modified. Every alias of sel must name an entry and every host must be
// served by a key entry (a mistyped one changes nothing); nothing matching
// the whole selector is ErrNoMatch too. Removing the last key entry of a
// store that has some, or every trusted entry of a trust store, is
// ErrLastEntry unless opts.AllowEmpty.
//
// Errors: ErrNoSelector, ErrNoMatch, ErrLastEntry (each with the details
// in its message).
func Remove(s *keystore.Store, sel Selector, opts RemoveOptions) (*RemoveResult, error) {
	if sel.Empty() {
		return nil, ErrNoSelector
	}
	if s == nil {
		return nil, fmt.Errorf("%w: no store", ErrNoMatch)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	name := resultName(opts.Name)
	var entries []*keystore.Entry
	for _, e := range s.Entries {
		if e != nil {
			entries = append(entries, e)
		}
	}
	// Each alias and each host must find something on its own.
	for _, alias := range sel.Aliases {
		if !slices.ContainsFunc(entries, func(e *keystore.Entry) bool { return aliasMatches(s.Format, e, alias) }) {
			return nil, fmt.Errorf("%s: %w: no entry has the alias %q (aliases: %s)", name, ErrNoMatch, alias, aliasList(entries))
		}
	}
	for _, host := range sel.Hosts {
		if !slices.ContainsFunc(entries, func(e *keystore.Entry) bool { return serves(e, host) }) {
			return nil, fmt.Errorf("%s: %w: no key entry serves %s", name, ErrNoMatch, host)
		}
	}
	res := &RemoveResult{}
	var kept []*keystore.Entry
	keysBefore, trustedBefore := count(entries)
	for _, e := range entries {
		if reasons, ok := selected(s.Format, e, sel, now); ok {
			res.Removed = append(res.Removed, Removed{Entry: e, Reasons: reasons})
			continue
		}
		kept = append(kept, e)
	}
	if len(res.Removed) == 0 {
		return nil, fmt.Errorf("%s: %w %s", name, ErrNoMatch, describeSelector(sel, now))
	}
	keysAfter, trustedAfter := count(kept)
	switch {
	case opts.AllowEmpty:
	case keysBefore > 0 && keysAfter == 0:
		return nil, fmt.Errorf("%s: %w: removing %s would leave no key entry, and the connector does not start without one",
			name, ErrLastEntry, finding.Count(len(res.Removed), "entry", "entries"))
	case keysBefore == 0 && trustedBefore > 0 && trustedAfter == 0:
		return nil, fmt.Errorf("%s: %w: removing %s would leave the trust store without a trusted certificate, and the connector would trust nobody",
			name, ErrLastEntry, finding.Count(len(res.Removed), "entry", "entries"))
	}
	// The assembler names entries without an alias, as Merge does: the
	// store is written with them.
	a := newAssembler(s.Format, &keystore.Store{Format: s.Format, Entries: kept}, name)
	res.Store = a.res.Store
	res.Notes = a.res.Notes
	return res, nil
}

func aliasMatches(f keystore.Format, e *keystore.Entry, alias string) bool {
	return e.Alias != "" && f.AliasKey(e.Alias) == f.AliasKey(alias)
}

func serves(e *keystore.Entry, host string) bool {
	return e.Kind == keystore.KindKey && hostname.Match(e.Leaf(), host) != hostname.NoMatch
}

func expired(e *keystore.Entry, now time.Time) bool {
	leaf := e.Leaf()
	return leaf != nil && now.After(leaf.NotAfter)
}

// selected reports whether e matches every part of sel that is set, and
// how.
func selected(f keystore.Format, e *keystore.Entry, sel Selector, now time.Time) ([]string, bool) {
	var reasons []string
	if len(sel.Aliases) > 0 {
		ok := false
		for _, a := range sel.Aliases {
			if aliasMatches(f, e, a) {
				ok = true
				reasons = append(reasons, fmt.Sprintf("alias %q", a))
				break
			}
		}
		if !ok {
			return nil, false
		}
	}
	if len(sel.Hosts) > 0 {
		var hosts []string
		for _, h := range sel.Hosts {
			if serves(e, h) {
				hosts = append(hosts, h)
			}
		}
		if len(hosts) == 0 {
			return nil, false
		}
		reasons = append(reasons, "serves "+strings.Join(hosts, ", "))
	}
	if sel.Expired {
		if !expired(e, now) {
			return nil, false
		}
		reasons = append(reasons, "expired on "+e.Leaf().NotAfter.UTC().Format(time.DateOnly))
	}
	return reasons, true
}

func count(es []*keystore.Entry) (keys, trusted int) {
	for _, e := range es {
		switch e.Kind {
		case keystore.KindKey:
			keys++
		case keystore.KindTrusted:
			trusted++
		}
	}
	return keys, trusted
}

// aliasList names the aliases of es for ErrNoMatch, the first ten of
// them.
func aliasList(es []*keystore.Entry) string {
	const most = 10
	var out []string
	n := 0
	for _, e := range es {
		if e.Alias == "" {
			continue
		}
		if n++; n <= most {
			out = append(out, fmt.Sprintf("%q", e.Alias))
		}
	}
	switch {
	case n == 0:
		return "none"
	case n > most:
		out = append(out, fmt.Sprintf("and %d more", n-most))
	}
	return strings.Join(out, ", ")
}

// describeSelector says what a selector asked for, for ErrNoMatch.
func describeSelector(sel Selector, now time.Time) string {
	var parts []string
	if len(sel.Aliases) > 0 {
		parts = append(parts, "alias "+strings.Join(quoteAll(sel.Aliases), " or "))
	}
	if len(sel.Hosts) > 0 {
		parts = append(parts, "a key entry serving "+strings.Join(sel.Hosts, " or "))
	}
	if sel.Expired {
		parts = append(parts, "expired at "+now.UTC().Format(time.RFC3339))
	}
	return "(" + strings.Join(parts, ", and ") + ")"
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
