package merge

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

var testNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func serial(e *keystore.Entry) string { return e.Leaf().SerialNumber.Text(16) }

func findingChecks(r *Result) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Check))
	}
	return strings.Join(out, ",")
}

// --replace: the renewed fe1 takes the old fe1's place and alias; fe2,
// which shares only the pool's name with it, stays. Without --replace the
// renewed entry is added beside the old one, and the overlap reported.
func TestMergeReplace(t *testing.T) {
	renewed := in(t, "exports/fe1-renewed.pfx", "fe1-renewed")
	base := in(t, "stores/ucc-with-fes.jks", "changeit1")
	r, err := Merge([]Input{renewed}, Options{Base: base.Store, BaseName: "ucc.jks", Format: keystore.FormatJKS, Replace: true, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(aliases(r), ","); got != strings.Join(aliases(&Result{Entries: placedOf(base.Store)}), ",") {
		t.Fatalf("entries %s, want the base's aliases in the base's order", got)
	}
	if len(r.Replaced) != 1 || len(r.Overlaps) != 0 {
		t.Fatalf("replaced %+v, overlaps %+v", r.Replaced, r.Overlaps)
	}
	rep := r.Replaced[0]
	if rep.Old.Alias != "fe1.uc.example.com" || serial(rep.Old) != "2000" || rep.New.Alias != "fe1.uc.example.com" || serial(rep.New) != "2201" ||
		strings.Join(rep.Names, ",") != "fe1.uc.example.com,pool.uc.example.com" {
		t.Fatalf("replacement %s %s → %s %s (%v)", rep.Old.Alias, serial(rep.Old), rep.New.Alias, serial(rep.New), rep.Names)
	}
	for _, p := range r.Entries {
		if p.Entry.Alias == "fe1.uc.example.com" && (p.Kept || serial(p.Entry) != "2201" || p.Source != renewed.Name) {
			t.Errorf("fe1 entry: kept %v, serial %s, source %s", p.Kept, serial(p.Entry), p.Source)
		}
	}
	if strings.Contains(findingChecks(r), "identity-duplicate") {
		t.Errorf("findings %s", findingChecks(r))
	}
	// The result writes (no alias twice) and the base is untouched.
	if _, err := keystore.Encode(r.Store, keystore.EncodeOptions{Format: keystore.FormatJKS, Password: secret.NewPassword("changeit1")}); err != nil {
		t.Fatal(err)
	}
	if serial(base.Store.Entries[0]) == "2201" || len(base.Store.Entries) != 3 {
		t.Error("the base store was changed")
	}

	// Without --replace: beside it, reported.
	r, err = Merge([]Input{renewed}, Options{Base: base.Store, BaseName: "ucc.jks", Format: keystore.FormatJKS, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 4 || len(r.Replaced) != 0 || len(r.Overlaps) != 1 || !r.Overlaps[0].Replaceable() ||
		r.Overlaps[0].Old.Alias != "fe1.uc.example.com" || r.Overlaps[0].New.Alias != "fe1.uc.example.com-2" ||
		strings.Join(r.Overlaps[0].Names, ",") != "fe1.uc.example.com,pool.uc.example.com" {
		t.Fatalf("entries %v, overlaps %+v", aliases(r), r.Overlaps)
	}
	if !strings.Contains(findingChecks(r), "identity-duplicate") {
		t.Errorf("findings %s", findingChecks(r))
	}
}

func placedOf(s *keystore.Store) []Placed {
	var out []Placed
	for _, e := range s.Entries {
		out = append(out, Placed{Entry: e})
	}
	return out
}

// ecFor is a self-signed EC key entry for names.
func ecFor(t *testing.T, names ...string) Input {
	t.Helper()
	c := testpki.SelfSigned(t, testpki.Spec{CN: names[0], DNS: names, Serial: 0x77, NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(1, 0, 0)})
	return Input{Name: "ec.pem", Store: &keystore.Store{Format: keystore.FormatPEM, Entries: []*keystore.Entry{{Kind: keystore.KindKey, Key: c.Key, Chain: []*x509.Certificate{c.Cert}}}}}
}

// The rules of Options.Replace, case by case (JKS fixtures list their
// entries in Java's hash order; the result keeps the base's order, the
// new entry in the place of the first it replaces).
func TestMergeReplaceRules(t *testing.T) {
	type want struct {
		aliases  string // of the result, in order
		replaced string // "old→new" aliases
		overlaps string // "old:uncovered:sameAlg"
		note     string
	}
	cases := []struct {
		name   string
		base   Input
		inputs []Input
		opts   Options
		want   want
	}{
		{"both fe1 entries replaced, the new one gets its own alias",
			in(t, "stores/fe1-expired-first.jks", "changeit1"), []Input{in(t, "exports/fe1-openssl.pfx", "fe1-export")}, Options{Replace: true},
			want{aliases: "key:fe1.uc.example.com,key:ucc.uc.example.com", replaced: "fe1-expired→fe1.uc.example.com,fe1-renewed→fe1.uc.example.com"}},
		{"--alias wins over the old alias",
			in(t, "stores/ucc-with-fes.jks", "changeit1"), []Input{in(t, "exports/fe1-renewed.pfx", "fe1-renewed")}, Options{Replace: true, Aliases: []string{"fe1-2027"}},
			want{aliases: "key:fe2.uc.example.com,key:fe1-2027,key:ucc.uc.example.com", replaced: "fe1.uc.example.com→fe1-2027"}},
		{"the same certificate is kept once, nothing replaced",
			in(t, "stores/fe1-expired-first.jks", "changeit1"), []Input{in(t, "exports/fe1-renewed.pfx", "fe1-renewed")}, Options{Replace: true},
			want{aliases: "key:fe1-expired,key:fe1-renewed,key:ucc.uc.example.com", note: "kept once"}},
		{"a new Front End that shares the pool name replaces nobody",
			in(t, "stores/frontends.jks", "changeit1"), []Input{in(t, "exports/fe3-3des.pfx", "fe3-export")}, Options{Replace: true},
			want{aliases: "trusted:ucc-cert,key:fe2.uc.example.com,key:fe1.uc.example.com,key:fe3.uc.example.com",
				overlaps: "fe2.uc.example.com:fe2.uc.example.com:true,fe1.uc.example.com:fe1.uc.example.com:true"}},
		{"without --replace a shared pool name is not reported",
			in(t, "stores/frontends.jks", "changeit1"), []Input{in(t, "exports/fe3-3des.pfx", "fe3-export")}, Options{},
			want{aliases: "trusted:ucc-cert,key:fe2.uc.example.com,key:fe1.uc.example.com,key:fe3.uc.example.com"}},
		{"an EC entry does not replace an RSA one",
			in(t, "stores/ucc-with-fes.jks", "changeit1"), []Input{ecFor(t, "fe1.uc.example.com", "pool.uc.example.com")}, Options{Replace: true},
			want{aliases: "key:fe2.uc.example.com,key:fe1.uc.example.com,key:ucc.uc.example.com,key:fe1.uc.example.com-2",
				overlaps: "fe2.uc.example.com:fe2.uc.example.com:false,fe1.uc.example.com::false"}},
		{"no entry serves the new names",
			in(t, "stores/ucc.jks", "changeit1"), []Input{in(t, "exports/ucc-ec.pfx", "ucc-ec-export")}, Options{Replace: true},
			want{aliases: "key:ucc.uc.example.com,key:ucc-ec.uc.example.com", note: "replaced nothing: no entry left from the store serves ucc-ec.uc.example.com"}},
		{"trusted entries are never replaced",
			in(t, "stores/frontends.jks", "changeit1"), []Input{in(t, "exports/fe1-renewed.pfx", "fe1-renewed")}, Options{Replace: true},
			want{aliases: "trusted:ucc-cert,key:fe2.uc.example.com,key:fe1.uc.example.com", replaced: "fe1.uc.example.com→fe1.uc.example.com"}},
		{"PKCS#12 aliases are compared without case",
			in(t, "stores/fe1-renewed-first.p12", "changeit1"), []Input{in(t, "exports/fe1-openssl.pfx", "fe1-export")}, Options{Replace: true, Format: keystore.FormatPKCS12, Aliases: []string{"FE1-NEW"}},
			want{aliases: "key:FE1-NEW,key:ucc.uc.example.com", replaced: "fe1-new→FE1-NEW,fe1-old→FE1-NEW"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.Base, opts.BaseName, opts.Now = c.base.Store, c.base.Name, testNow
			if opts.Format == 0 {
				opts.Format = keystore.FormatJKS
			}
			r, err := Merge(c.inputs, opts)
			if err != nil {
				t.Fatal(err)
			}
			var rep, ovs []string
			for _, x := range r.Replaced {
				rep = append(rep, x.Old.Alias+"→"+x.New.Alias)
			}
			for _, o := range r.Overlaps {
				ovs = append(ovs, o.Old.Alias+":"+strings.Join(o.Uncovered, " ")+":"+map[bool]string{true: "true", false: "false"}[o.SameAlgorithm])
			}
			if got := strings.Join(aliases(r), ","); got != c.want.aliases {
				t.Errorf("entries %s, want %s", got, c.want.aliases)
			}
			if got := strings.Join(rep, ","); got != c.want.replaced {
				t.Errorf("replaced %s, want %s", got, c.want.replaced)
			}
			if got := strings.Join(ovs, ","); got != c.want.overlaps {
				t.Errorf("overlaps %s, want %s", got, c.want.overlaps)
			}
			if c.want.note != "" && !hasNote(r, c.want.note) {
				t.Errorf("notes %q lack %q", r.Notes, c.want.note)
			}
			if _, err := keystore.Encode(r.Store, keystore.EncodeOptions{Format: opts.Format, Password: secret.NewPassword("changeit1")}); err != nil {
				t.Errorf("encode: %v", err)
			}
		})
	}
}
