package preflight

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/tlsconf"
)

// dupGroup is a set of key entries of one key algorithm that serve the
// same names, and the entry uccert's library presents for them.
type dupGroup struct {
	names   []string
	members []int // positions in keys
	chosen  int   // position in keys
}

// checkDuplicates reports identity-duplicate: two or more key entries of
// one key algorithm serve one name. The names looked at are the connector
// host's and the Front Ends' (any two entries that serve one of them),
// and every name of every key entry — there only when the entries that
// serve it are for the same names (duplicates), so that Front Ends that
// share the pool's name are not reported. Entries of different key
// algorithms are the mixed-key-algorithms check.
func checkDuplicates(c *collector, path string, keys []*keystore.Entry, opts Options) {
	asked := map[string]bool{}
	var names []string
	add := func(n string, ask bool) {
		if n == "" {
			return
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
		asked[n] = asked[n] || ask
	}
	add(opts.Host, true)
	for _, fe := range opts.FEs {
		add(fe, true)
	}
	for _, e := range keys {
		for _, n := range hostname.Names(e.Leaf()) {
			add(n, false)
		}
	}
	var groups []*dupGroup
	for _, n := range names {
		byAlg := map[string][]int{}
		var algs []string
		for i, e := range keys {
			if hostname.Match(e.Leaf(), n) == hostname.NoMatch {
				continue
			}
			alg := keystore.KeyAlgorithm(e.Leaf().PublicKey)
			if byAlg[alg] == nil {
				algs = append(algs, alg)
			}
			byAlg[alg] = append(byAlg[alg], i)
		}
		for _, alg := range algs {
			members := byAlg[alg]
			if len(members) < 2 || !asked[n] && !duplicates(keys, members) {
				continue
			}
			leaves := make([]*x509.Certificate, len(members))
			for j, i := range members {
				leaves[j] = keys[i].Leaf()
			}
			chosen := members[tlsconf.Choose(leaves, n, opts.Now)]
			if g := findGroup(groups, members, chosen); g != nil {
				g.names = append(g.names, n)
				continue
			}
			groups = append(groups, &dupGroup{names: []string{n}, members: members, chosen: chosen})
		}
	}
	if len(groups) == 0 {
		c.add(CheckIdentityDuplicate, finding.OK, path, "no two key entries are for the same names (Front Ends may share a pool name)", "")
		return
	}
	for _, g := range groups {
		reportDuplicate(c, path, keys, g, opts.Now)
	}
}

// duplicates reports whether every entry at members serves all the names
// of another of them, or has all its names served by another: entries for
// the same names (a renewal beside the certificate it renews), not
// entries for different hosts that share one name.
func duplicates(keys []*keystore.Entry, members []int) bool {
	covers := func(i, j int) bool { // keys[i] serves every name of keys[j]
		names := hostname.Names(keys[j].Leaf())
		for _, n := range names {
			if hostname.Match(keys[i].Leaf(), n) == hostname.NoMatch {
				return false
			}
		}
		return len(names) > 0
	}
	for _, i := range members {
		paired := false
		for _, j := range members {
			paired = paired || i != j && (covers(i, j) || covers(j, i))
		}
		if !paired {
			return false
		}
	}
	return true
}

func findGroup(groups []*dupGroup, members []int, chosen int) *dupGroup {
	for _, g := range groups {
		if g.chosen == chosen && slices.Equal(g.members, members) {
			return g
		}
	}
	return nil
}

// validity says whether c is valid at now, and since or until when.
func validity(c *x509.Certificate, now time.Time) (string, bool) {
	switch {
	case now.After(c.NotAfter):
		return "expired " + day(c.NotAfter), false
	case now.Before(c.NotBefore):
		return "not valid before " + day(c.NotBefore), false
	}
	return "valid until " + day(c.NotAfter), true
}

// reportDuplicate words one identity-duplicate finding: the entries, the
// one uccert's library presents (tlsconf.Choose), and what Java does, as
// measured with Java 17 (pkg/preflight/java_test.go).
func reportDuplicate(c *collector, path string, keys []*keystore.Entry, g *dupGroup, now time.Time) {
	var list, others []string
	invalid := 0
	for _, i := range g.members {
		e := keys[i]
		state, ok := validity(e.Leaf(), now)
		if !ok {
			invalid++
		}
		list = append(list, fmt.Sprintf("%q (%s)", e.Alias, state))
		if i != g.chosen {
			others = append(others, "--alias "+finding.CommandArg(e.Alias))
		}
	}
	chosen := keys[g.chosen]
	_, chosenValid := validity(chosen.Leaf(), now)
	var java string
	switch {
	case invalid > 0 && chosenValid:
		java = "Java's PKIX key manager also prefers a valid certificate, but the JDK's default key manager (SunX509, KeyManagerFactory.getDefaultAlgorithm()) " +
			"looks at neither validity nor the server name: it presents the entry that comes first in its own alias order, which can be the expired one"
	default:
		java = "Java presents one of them by its own alias order, not by not-after (the JDK's default key manager, SunX509, also ignores validity and the server name)"
	}
	store := finding.CommandArg(path)
	hint := fmt.Sprintf("keep one entry for these names: uccert remove %s --pass prompt %s; when renewing, uccert merge --append --replace -o %s --out-pass prompt NEW.pfx replaces the old entry instead of adding one",
		strings.Join(others, " "), store, store)
	if invalid > 0 {
		hint = fmt.Sprintf("remove the expired entries: uccert remove --expired --pass prompt %s (or by alias: uccert remove %s --pass prompt %s); when renewing, uccert merge --append --replace -o %s --out-pass prompt NEW.pfx replaces the old entry instead of adding one",
			store, strings.Join(others, " "), store, store)
	}
	c.warnf(CheckIdentityDuplicate, path, hint, "%s %s served by %d key entries: %s; uccert's Go library presents %q (a valid certificate first, then an exact name before a wildcard, then the latest not-after); %s",
		joinNames(g.names), isAre(len(g.names)), len(g.members), strings.Join(list, ", "), chosen.Alias, java)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
