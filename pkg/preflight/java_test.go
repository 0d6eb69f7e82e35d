package preflight

import (
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// loadStore reads a fixture store with its password.
func loadStore(t *testing.T, path, pass string) *keystore.Store {
	t.Helper()
	s, err := keystore.Load(filepath.Join(fx, path), keystore.DecodeOptions{Password: secret.NewPassword(pass)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func entryByFingerprint(s *keystore.Store, sha string) *keystore.Entry {
	for _, e := range s.Entries {
		if e.Kind == keystore.KindKey && certfile.Fingerprint(e.Leaf()) == sha {
			return e
		}
	}
	return nil
}

func validNow(c *x509.Certificate, now time.Time) bool {
	return !now.Before(c.NotBefore) && !now.After(c.NotAfter)
}

// What identity-duplicate says about Java, measured: a JSSE server on
// each store with an expired and a renewed fe1 entry (in both orders, JKS
// and PKCS#12), behind Java's PKIX key manager and behind the JDK's
// default one, asked for fe1.uc.example.com by SNI. PKIX presents the
// valid entry whatever the order; the default (SunX509) looks at neither
// validity nor the server name, and presents the expired entry of at
// least one of the stores. The finding names the entry uccert's library
// presents, which is the one PKIX presents.
func TestJavaKeyManagersOnDuplicateEntries(t *testing.T) {
	jvm := judge.Java(t)
	now := time.Now() // Java judges validity by the clock
	sawExpired := false
	for _, c := range []struct{ file, typ string }{
		{"stores/fe1-expired-first.jks", "JKS"}, {"stores/fe1-expired-first.p12", "PKCS12"},
		{"stores/fe1-renewed-first.jks", "JKS"}, {"stores/fe1-renewed-first.p12", "PKCS12"},
	} {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			s := loadStore(t, c.file, "changeit1")
			var valid, invalid []string
			for _, e := range s.Entries {
				if e.Kind == keystore.KindKey && strings.HasPrefix(e.Alias, "fe1-") {
					if validNow(e.Leaf(), now) {
						valid = append(valid, e.Alias)
					} else {
						invalid = append(invalid, e.Alias)
					}
				}
			}
			if len(valid) != 1 || len(invalid) != 1 {
				t.Fatalf("at %s the fixture's fe1 entries are valid %v, not valid %v: the test needs one of each (fixtures/README.md, Renewal)", now.Format(time.DateOnly), valid, invalid)
			}
			file := filepath.Join(fx, c.file)
			pkix := jvm.Served(t, file, c.typ, "changeit1", "PKIX", "fe1.uc.example.com")
			if pkix.Alias != valid[0] {
				t.Errorf("PKIX presented %q, want the valid %q", pkix.Alias, valid[0])
			}
			def := jvm.Served(t, file, c.typ, "changeit1", "default", "fe1.uc.example.com")
			if def.KeyManager != "SunX509" {
				t.Errorf("the JDK's default key manager is %q, the finding says SunX509", def.KeyManager)
			}
			t.Logf("PKIX presents %s, %s (the default) presents %s", pkix.Alias, def.KeyManager, def.Alias)
			if def.Alias == invalid[0] {
				sawExpired = true
			}
			// The finding: the entries, the one uccert presents (PKIX's
			// choice), and what the default key manager does.
			fs := CheckKeyStore(c.file, s, nil, Options{Now: now})
			var dup []string
			for _, f := range fs {
				if f.Check == CheckIdentityDuplicate {
					dup = append(dup, f.Message)
				}
			}
			if len(dup) != 1 || !strings.Contains(dup[0], `presents "`+pkix.Alias+`"`) || !strings.Contains(dup[0], "SunX509") ||
				!strings.Contains(dup[0], `"`+invalid[0]+`" (expired`) {
				t.Errorf("identity-duplicate findings %q", dup)
			}
		})
	}
	if !sawExpired {
		t.Error("the default key manager presented the valid entry of every store: the finding says it can present the expired one")
	}
}

// The JDK's default key manager ignores the server name too: one entry
// for every SNI name, where PKIX presents each Front End its own.
func TestJavaDefaultKeyManagerIgnoresServerName(t *testing.T) {
	jvm := judge.Java(t)
	file := filepath.Join(fx, "stores/ucc-with-fes.jks")
	seen := map[string]bool{}
	for _, name := range []string{"fe1.uc.example.com", "fe2.uc.example.com", "ucc.uc.example.com"} {
		if got := jvm.Served(t, file, "JKS", "changeit1", "PKIX", name); got.Alias != name {
			t.Errorf("PKIX presented %q for %s", got.Alias, name)
		}
		seen[jvm.Served(t, file, "JKS", "changeit1", "default", name).Alias] = true
	}
	if len(seen) != 1 {
		t.Errorf("the default key manager presented %v for three names: it chose by name", seen)
	}
}

// Two valid entries for one name, the older and the newer certificate
// under the same two aliases in both arrangements: uccert presents the
// later not-after; each of Java's key managers presents the same alias in
// both (by its own alias order, not by not-after), so PKIX presents the
// older certificate in one of them.
func TestJavaOnTwoValidEntries(t *testing.T) {
	jvm := judge.Java(t)
	now := time.Now()
	load := func(file, pass string) *keystore.Entry {
		s := loadStore(t, file, pass)
		for _, e := range s.Entries {
			if e.Kind == keystore.KindKey {
				return e
			}
		}
		t.Fatalf("%s: no key", file)
		return nil
	}
	older, newer := load("exports/fe1-openssl.pfx", "fe1-export"), load("exports/fe1-renewed.pfx", "fe1-renewed")
	if !validNow(older.Leaf(), now) || !validNow(newer.Leaf(), now) {
		t.Fatalf("at %s fe1 and fe1-renewed are not both valid", now.Format(time.DateOnly))
	}
	dir := t.TempDir()
	presented := map[string]map[string]bool{} // key manager → aliases
	pkixOlder := false
	for _, order := range []string{"older first", "newer first"} {
		a, b := *older, *newer
		if order == "newer first" {
			a, b = *newer, *older
		}
		a.Alias, b.Alias = "fe1-a", "fe1-b"
		s := &keystore.Store{Format: keystore.FormatJKS, Entries: []*keystore.Entry{&a, &b}}
		file := filepath.Join(dir, strings.ReplaceAll(order, " ", "-")+".jks")
		if err := keystore.WriteFile(file, s, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatJKS, Password: secret.NewPassword("changeit1")}}); err != nil {
			t.Fatal(err)
		}
		newerAlias := b.Alias
		if order == "newer first" {
			newerAlias = a.Alias
		}
		for _, km := range []string{"PKIX", "default"} {
			got := jvm.Served(t, file, "JKS", "changeit1", km, "fe1.uc.example.com")
			t.Logf("%s: %s presents %s (the newer is %s)", order, got.KeyManager, got.Alias, newerAlias)
			if presented[km] == nil {
				presented[km] = map[string]bool{}
			}
			presented[km][got.Alias] = true
			if km == "PKIX" && got.Alias != newerAlias {
				pkixOlder = true
			}
		}
		var dup []string
		for _, f := range CheckKeyStore(file, s, nil, Options{Now: now}) {
			if f.Check == CheckIdentityDuplicate {
				dup = append(dup, f.Message)
			}
		}
		if len(dup) != 1 || !strings.Contains(dup[0], `presents "`+newerAlias+`"`) || !strings.Contains(dup[0], "alias order, not by not-after") {
			t.Errorf("%s: identity-duplicate findings %q", order, dup)
		}
	}
	for km, aliases := range presented {
		if len(aliases) != 1 {
			t.Errorf("%s presented %v: it followed the certificates, the finding says it follows the aliases", km, aliases)
		}
	}
	if !pkixOlder {
		t.Error("PKIX presented the later not-after in both arrangements: the finding says Java does not choose by not-after")
	}
}
