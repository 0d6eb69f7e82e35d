package merge

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
)

func storeAliases(s *keystore.Store) string {
	var out []string
	for _, e := range s.Entries {
		out = append(out, e.Kind.String()+":"+e.Alias)
	}
	return strings.Join(out, ",")
}

func TestRemove(t *testing.T) {
	cases := []struct {
		name    string
		store   Input
		sel     Selector
		opts    RemoveOptions
		removed string // aliases
		reasons string // of the first removed
		left    string
		err     error
		msg     string
	}{
		{"by alias, without regard to case (PKCS#12)", in(t, "stores/fe1-renewed-first.p12", "changeit1"), Selector{Aliases: []string{"FE1-OLD"}}, RemoveOptions{},
			"fe1-old", `alias "FE1-OLD"`, "key:fe1-new,key:ucc.uc.example.com", nil, ""},
		{"by alias (JKS)", in(t, "stores/frontends.jks", "changeit1"), Selector{Aliases: []string{"Ucc-Cert", "fe2.uc.example.com"}}, RemoveOptions{},
			"ucc-cert,fe2.uc.example.com", "", "key:fe1.uc.example.com", nil, ""},
		{"by host", in(t, "stores/ucc-with-fes.jks", "changeit1"), Selector{Hosts: []string{"fe2.uc.example.com"}}, RemoveOptions{},
			"fe2.uc.example.com", "serves fe2.uc.example.com", "key:fe1.uc.example.com,key:ucc.uc.example.com", nil, ""},
		{"a pool name selects every Front End", in(t, "stores/ucc-with-fes.jks", "changeit1"), Selector{Hosts: []string{"pool.uc.example.com"}}, RemoveOptions{},
			"fe2.uc.example.com,fe1.uc.example.com", "", "key:ucc.uc.example.com", nil, ""},
		{"expired", in(t, "stores/fe1-expired-first.jks", "changeit1"), Selector{Expired: true}, RemoveOptions{},
			"fe1-expired", "expired on 2021-06-01", "key:fe1-renewed,key:ucc.uc.example.com", nil, ""},
		{"host and expired: both must hold", in(t, "stores/fe1-renewed-first.jks", "changeit1"), Selector{Hosts: []string{"fe1.uc.example.com"}, Expired: true}, RemoveOptions{},
			"fe1-old", "serves fe1.uc.example.com; expired on 2021-06-01", "key:fe1-new,key:ucc.uc.example.com", nil, ""},
		{"an alias that names nothing", in(t, "stores/ucc-with-fes.jks", "changeit1"), Selector{Aliases: []string{"fe2.uc.example.com", "fe9"}}, RemoveOptions{Name: "ucc.jks"},
			"", "", "", ErrNoMatch, `ucc.jks: no entry matches: no entry has the alias "fe9" (aliases: "fe2.uc.example.com", "fe1.uc.example.com", "ucc.uc.example.com")`},
		{"many aliases are not all listed", in(t, "stores/many.p12", "changeit1"), Selector{Aliases: []string{"m99"}}, RemoveOptions{},
			"", "", "", ErrNoMatch, `"m10.uc.example.com", and 14 more)`},
		{"a host nobody serves", in(t, "stores/ucc-with-fes.jks", "changeit1"), Selector{Hosts: []string{"fe9.uc.example.com"}}, RemoveOptions{},
			"", "", "", ErrNoMatch, "no key entry serves fe9.uc.example.com"},
		{"nothing expired", in(t, "stores/ucc-with-fes.jks", "changeit1"), Selector{Expired: true}, RemoveOptions{},
			"", "", "", ErrNoMatch, "no entry matches (expired at 2026-11-24T12:00:00Z)"},
		{"served but not expired", in(t, "stores/ucc-with-fes.jks", "changeit1"), Selector{Hosts: []string{"fe1.uc.example.com"}, Expired: true}, RemoveOptions{},
			"", "", "", ErrNoMatch, "(a key entry serving fe1.uc.example.com, and expired at"},
		{"trusted entries have no host", in(t, "stores/truststore.jks", "trustpass1"), Selector{Hosts: []string{"ucc.uc.example.com"}}, RemoveOptions{},
			"", "", "", ErrNoMatch, "no key entry serves"},
		{"the last key entry", in(t, "stores/ucc.jks", "changeit1"), Selector{Aliases: []string{"ucc.uc.example.com"}}, RemoveOptions{},
			"", "", "", ErrLastEntry, "would leave no key entry"},
		{"the last key entry, allowed", in(t, "stores/ucc.jks", "changeit1"), Selector{Aliases: []string{"ucc.uc.example.com"}}, RemoveOptions{AllowEmpty: true},
			"ucc.uc.example.com", "", "", nil, ""},
		{"every key of a store with a trusted entry", in(t, "stores/frontends.jks", "changeit1"), Selector{Hosts: []string{"pool.uc.example.com"}}, RemoveOptions{},
			"", "", "", ErrLastEntry, "would leave no key entry"},
		{"a trusted entry of a key store", in(t, "stores/frontends.jks", "changeit1"), Selector{Aliases: []string{"ucc-cert"}}, RemoveOptions{},
			"ucc-cert", "", "key:fe2.uc.example.com,key:fe1.uc.example.com", nil, ""},
		{"one trusted entry of two", in(t, "stores/truststore.jks", "trustpass1"), Selector{Aliases: []string{"issuing"}}, RemoveOptions{},
			"issuing", "", "trusted:ucc-cert", nil, ""},
		{"every trusted entry", in(t, "stores/truststore.jks", "trustpass1"), Selector{Expired: true}, RemoveOptions{Now: time.Date(2046, 1, 1, 0, 0, 0, 0, time.UTC)},
			"", "", "", ErrLastEntry, "without a trusted certificate"},
		{"no selector", in(t, "stores/ucc.jks", "changeit1"), Selector{}, RemoveOptions{}, "", "", "", ErrNoSelector, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := storeAliases(c.store.Store)
			opts := c.opts
			if opts.Now.IsZero() {
				opts.Now = testNow
			}
			r, err := Remove(c.store.Store, c.sel, opts)
			if storeAliases(c.store.Store) != before {
				t.Error("the store was changed")
			}
			if c.err != nil {
				if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.msg) {
					t.Fatalf("error %v, want %v with %q", err, c.err, c.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var removed []string
			for _, x := range r.Removed {
				removed = append(removed, x.Entry.Alias)
			}
			if got := strings.Join(removed, ","); got != c.removed {
				t.Errorf("removed %s, want %s", got, c.removed)
			}
			if c.reasons != "" && strings.Join(r.Removed[0].Reasons, "; ") != c.reasons {
				t.Errorf("reasons %q, want %q", r.Removed[0].Reasons, c.reasons)
			}
			if got := storeAliases(r.Store); got != c.left {
				t.Errorf("left %s, want %s", got, c.left)
			}
			if r.Store.Format != c.store.Store.Format {
				t.Errorf("format %v", r.Store.Format)
			}
		})
	}
}

// A Windows export (no friendlyName) can be cut down: the remaining
// entries are named, as merge names them, and the notes say so.
func TestRemoveNamesEntriesWithoutAlias(t *testing.T) {
	s := in(t, "stores/fe1-expired-first.p12", "changeit1").Store
	for _, e := range s.Entries {
		if e.Alias == "ucc.uc.example.com" {
			e.Alias = ""
		}
	}
	r, err := Remove(s, Selector{Expired: true}, RemoveOptions{Name: "x.p12", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := storeAliases(r.Store); got != "key:fe1-renewed,key:ucc.uc.example.com" || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "without an alias") {
		t.Fatalf("%s %q", got, r.Notes)
	}
}
