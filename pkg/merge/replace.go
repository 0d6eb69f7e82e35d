package merge

import (
	"slices"
	"strings"

	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
)

// placedOverlap is an Overlap and the position of its Old entry in the
// result.
type placedOverlap struct {
	at int
	Overlap
}

// overlaps returns the key entries of the base store, as placed so far,
// that serve one of e's names.
func (a *assembler) overlaps(e *keystore.Entry) []placedOverlap {
	leaf := e.Leaf()
	names := hostname.Names(leaf)
	if len(names) == 0 {
		return nil
	}
	alg := keystore.KeyAlgorithm(leaf.PublicKey)
	var out []placedOverlap
	for i, p := range a.res.Entries {
		old := p.Entry.Leaf()
		if !p.Kept || p.Entry.Kind != keystore.KindKey || old == nil {
			continue
		}
		var shared []string
		for _, n := range names {
			if hostname.Match(old, n) != hostname.NoMatch {
				shared = append(shared, n)
			}
		}
		if len(shared) == 0 {
			continue
		}
		var uncovered []string
		for _, n := range hostname.Names(old) {
			if hostname.Match(leaf, n) == hostname.NoMatch {
				uncovered = append(uncovered, n)
			}
		}
		out = append(out, placedOverlap{at: i, Overlap: Overlap{New: e, Old: p.Entry, Names: shared,
			Uncovered: uncovered, SameAlgorithm: keystore.KeyAlgorithm(old.PublicKey) == alg}})
	}
	return out
}

// addKey places a new key entry (add), first replacing, with replace, the
// base entries it supersedes (Options.Replace); it records the overlaps
// that remain in the result.
func (a *assembler) addKey(e *keystore.Entry, want string, explicit bool, source string, replace bool) {
	if _, dup := a.certs[certKey(e.Kind, e.Leaf())]; dup {
		a.add(e, want, source) // kept once, noted
		return
	}
	ovs := a.overlaps(e)
	var gone []placedOverlap
	if replace {
		for _, o := range ovs {
			if o.Replaceable() {
				gone = append(gone, o)
			}
		}
	}
	if len(gone) == 0 {
		for _, o := range ovs {
			if replace || o.Replaceable() {
				a.res.Overlaps = append(a.res.Overlaps, o.Overlap)
			}
		}
		if replace && len(ovs) == 0 {
			a.note("%s: --replace: %q replaced nothing: no entry left from the store serves %s (entries added in this run are not replaced)", source, want, strings.Join(hostname.Names(e.Leaf()), ", "))
		}
		a.add(e, want, source)
		return
	}
	// The replaced entries leave; the new one takes the place (and, when
	// it replaces one entry, the alias) of the first.
	for _, o := range gone {
		delete(a.aliases, a.format.AliasKey(o.Old.Alias))
		delete(a.certs, certKey(o.Old.Kind, o.Old.Leaf()))
	}
	if len(gone) == 1 && !explicit {
		want = gone[0].Old.Alias
	}
	e.Alias = a.unique(want, source)
	a.aliases[a.format.AliasKey(e.Alias)] = true
	a.certs[certKey(e.Kind, e.Leaf())] = e.Alias
	first := gone[0].at
	a.res.Store.Entries[first] = e
	a.res.Entries[first] = Placed{Entry: e, Source: source}
	for i := len(gone) - 1; i > 0; i-- {
		at := gone[i].at
		a.res.Store.Entries = slices.Delete(a.res.Store.Entries, at, at+1)
		a.res.Entries = slices.Delete(a.res.Entries, at, at+1)
	}
	for _, o := range gone {
		a.res.Replaced = append(a.res.Replaced, Replacement{Old: o.Old, New: e, Names: o.Names})
	}
}
