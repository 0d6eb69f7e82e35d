package preflight

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
)

// keyEntry is the key entry of a fixture export under alias.
func keyEntry(t *testing.T, file, pass, alias string) *keystore.Entry {
	t.Helper()
	for _, e := range loadStore(t, file, pass).Entries {
		if e.Kind == keystore.KindKey {
			e.Alias = alias
			return e
		}
	}
	t.Fatalf("%s: no key entry", file)
	return nil
}

// ecEntry is a self-signed EC P-256 entry for names.
func ecEntry(t *testing.T, alias string, names ...string) *keystore.Entry {
	t.Helper()
	c := testpki.SelfSigned(t, testpki.Spec{CN: names[0], DNS: names, Serial: 7, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0)})
	return &keystore.Entry{Alias: alias, Kind: keystore.KindKey, Key: c.Key, Chain: []*x509.Certificate{c.Cert}}
}

// identity-duplicate reports entries for the same names, not Front Ends
// that share a pool name nor an RSA entry beside an EC one; a name asked
// for (--fe) is reported whenever two entries serve it. The finding names
// every entry with its validity, the entry tlsconf.Choose presents, and
// gives the commands that fix it.
func TestIdentityDuplicate(t *testing.T) {
	fe1 := func() *keystore.Entry { return keyEntry(t, "exports/fe1-openssl.pfx", "fe1-export", "fe1") }
	fe2 := func() *keystore.Entry { return keyEntry(t, "exports/fe2-legacy.pfx", "fe2-export", "fe2") }
	renewed := func() *keystore.Entry { return keyEntry(t, "exports/fe1-renewed.pfx", "fe1-renewed", "fe1 renewed") }
	expired := func() *keystore.Entry { return keyEntry(t, "exports/fe1-expired.pfx", "fe1-expired", "fe1-old") }
	wildcard := func() *keystore.Entry { return keyEntry(t, "stores/wildcard.jks", "changeit1", "star") }
	cases := []struct {
		name    string
		entries []*keystore.Entry
		fes     []string
		want    []string // in the one finding's message and hint; none: ok
	}{
		{"one entry per Front End", []*keystore.Entry{fe1(), fe2()}, nil, nil},
		{"shared pool name asked for", []*keystore.Entry{fe1(), fe2()}, []string{"pool.uc.example.com"},
			[]string{`pool.uc.example.com is served by 2 key entries: "fe1" (valid until 2040-06-01), "fe2" (valid until 2040-06-01)`, `presents "fe1"`, "uccert remove --alias fe2 --pass prompt"}},
		{"renewed beside the old", []*keystore.Entry{fe1(), fe2(), renewed()}, nil,
			[]string{`fe1.uc.example.com is served by 2 key entries: "fe1" (valid until 2040-06-01), "fe1 renewed" (valid until 2041-06-01)`,
				`presents "fe1 renewed"`, "alias order, not by not-after", `uccert remove --alias fe1 --pass prompt ucc.jks`, "merge --append --replace -o ucc.jks"}},
		{"expired beside the renewed", []*keystore.Entry{expired(), renewed()}, nil,
			[]string{`fe1.uc.example.com, pool.uc.example.com are served by 2 key entries: "fe1-old" (expired 2021-06-01), "fe1 renewed" (valid until 2041-06-01)`,
				`presents "fe1 renewed"`, "SunX509", "which can be the expired one", "uccert remove --expired --pass prompt ucc.jks", `--alias fe1-old`}},
		{"a wildcard covers the entry", []*keystore.Entry{fe1(), wildcard()}, nil,
			[]string{`"fe1" (valid until 2040-06-01), "star"`, `presents "fe1"`}},
		{"RSA beside EC for one name", []*keystore.Entry{fe1(), ecEntry(t, "fe1-ec", "fe1.uc.example.com", "pool.uc.example.com")}, []string{"fe1.uc.example.com"}, nil},
		{"two EC entries", []*keystore.Entry{ecEntry(t, "ec-a", "fe1.uc.example.com"), ecEntry(t, "ec-b", "fe1.uc.example.com")}, nil,
			[]string{`fe1.uc.example.com is served by 2 key entries`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &keystore.Store{Format: keystore.FormatJKS, Entries: c.entries}
			var got []finding.Finding
			for _, f := range CheckKeyStore("ucc.jks", s, nil, Options{Now: now, FEs: c.fes}) {
				if f.Check == CheckIdentityDuplicate {
					got = append(got, f)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d identity-duplicate findings: %+v", len(got), got)
			}
			f := got[0]
			if c.want == nil {
				if f.Severity != finding.OK {
					t.Errorf("%s: %s", f.Severity, f.Message)
				}
				return
			}
			if f.Severity != finding.Warn || f.Subject != "ucc.jks" {
				t.Errorf("%s %s", f.Severity, f.Subject)
			}
			for _, w := range c.want {
				if !strings.Contains(f.Message+"\n"+f.Hint, w) {
					t.Errorf("lacks %q:\n%s\nhint: %s", w, f.Message, f.Hint)
				}
			}
		})
	}
}

// The hints of cert-expires-soon and cert-expired give the commands with
// the store's path: merge --replace for key entries, truststore and
// remove for trusted ones.
func TestRenewHints(t *testing.T) {
	later := time.Date(2040, 5, 20, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		in    input
		check finding.Check
		want  []string
	}{
		{"key entry expires soon", input{Host: "ucc.uc.example.com", CertStore: store("stores/ucc.jks", "changeit1"), Now: later}, CheckCertExpiresSoon,
			[]string{"uccert merge --append --replace -o ../../fixtures/stores/ucc.jks --out-pass prompt NEW.pfx"}},
		{"key entry expired", input{Host: "expired.uc.example.com", CertStore: store("stores/expired.jks", "changeit1"), Now: now}, CheckCertExpired,
			[]string{"uccert merge --append --replace -o ../../fixtures/stores/expired.jks --out-pass prompt NEW.pfx", "uccert remove --expired --pass prompt ../../fixtures/stores/expired.jks"}},
		{"trusted entry expired", input{Host: "ucc.uc.example.com", CertStore: store("stores/ucc.jks", "changeit1"), KeyStore: store("stores/truststore.jks", "trustpass1"), Now: time.Date(2045, 6, 1, 0, 0, 0, 0, time.UTC)}, CheckCertExpired,
			[]string{"uccert truststore --append -o ../../fixtures/stores/truststore.jks --out-pass prompt NEW-CA.cer", "uccert remove --alias ucc-cert --pass prompt ../../fixtures/stores/truststore.jks"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := run(c.in).ByCheck(c.check)
			var hints []string
			for _, f := range fs {
				if f.Severity != finding.OK {
					hints = append(hints, f.Hint)
				}
			}
			all := strings.Join(hints, "\n")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("hints lack %q:\n%s", w, all)
				}
			}
		})
	}
}
