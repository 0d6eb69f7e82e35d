package preflight

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/secret"
)

// Swapped stores give one stores-swapped finding with the corrected
// arguments, and none of the misleading findings 0.1.0 gave (among them a
// fix that overwrote the key store).
func TestStoresSwapped(t *testing.T) {
	keys := store("stores/ucc-with-fes.jks", "changeit1")
	trust := store("stores/truststore.jks", "trustpass1")
	r := run(input{Host: "ucc.uc.example.com", CertStore: trust, KeyStore: keys, Now: now})
	got := problems(r)
	if strings.Join(got, ",") != "stores-swapped/error" {
		t.Fatalf("problems %v", got)
	}
	f := r.ByCheck(CheckStoresSwapped)[0]
	if !strings.Contains(f.Hint, "-cert_store_file "+keys.Path) || !strings.Contains(f.Hint, "-key_store_file "+trust.Path) {
		t.Errorf("hint %q", f.Hint)
	}
	// tls-kerberos with a cert store of keys: swapped too.
	r = run(input{Kerberos: true, Host: "fe1.uc.example.com", CertStore: keys, Krb5: filepath.Join(fx, "krb5/good.conf"), Now: now})
	if got := problems(r); strings.Join(got, ",") != "stores-swapped/error" {
		t.Fatalf("kerberos: problems %v", got)
	}
	// The right way round: nothing.
	if got := problems(run(input{Host: "ucc.uc.example.com", CertStore: keys, KeyStore: trust, Now: now})); len(got) != 0 {
		t.Fatalf("right way round: %v", got)
	}
}

// mtls without a trust store is an error (the connector does not start).
func TestTruststoreMissing(t *testing.T) {
	r := run(input{Host: "ucc.uc.example.com", CertStore: store("stores/ucc-with-fes.jks", "changeit1"), Now: now})
	f := r.ByCheck(CheckTruststoreMissing)
	if len(f) != 1 || f[0].Severity != finding.Error || !Blocking(f[0]) {
		t.Fatalf("%+v", r.Problems())
	}
}

// forceOn matches a suggestion to overwrite a file: "-o FILE --force".
var forceOn = regexp.MustCompile(`-o (\S+) --force|--force -o (\S+)`)

// No fix hint, of any check, over every fixture store in either role and
// either mode, suggests overwriting with --force a file that holds key
// entries.
func TestNoHintOverwritesKeys(t *testing.T) {
	var specs []*StoreSpec
	holdsKeys := map[string]bool{}
	for _, f := range fixtures.Load(t) {
		if f.Hostile || (f.Type != "jks" && f.Type != "pkcs12") {
			continue
		}
		spec := &StoreSpec{Path: fixtures.Path(f.File), Password: secret.NewPassword(f.Pass()), HasPassword: true}
		specs = append(specs, spec)
		for _, e := range f.Entries {
			if e.Kind == "key" {
				holdsKeys[spec.Path] = true
			}
		}
	}
	if len(specs) < 20 || len(holdsKeys) < 10 {
		t.Fatalf("%d stores, %d with keys", len(specs), len(holdsKeys))
	}
	hints := 0
	for i, a := range specs {
		for _, b := range []*StoreSpec{specs[(i+1)%len(specs)], specs[(i+7)%len(specs)], nil} {
			for _, kerberos := range []bool{false, true} {
				for _, pair := range [][2]*StoreSpec{{a, b}, {b, a}} {
					if pair[0] == nil {
						continue
					}
					r := run(input{Kerberos: kerberos, Host: "ucc.uc.example.com", FEs: []string{"fe1.uc.example.com"},
						CertStore: pair[0], KeyStore: pair[1], Krb5: filepath.Join(fx, "krb5/good.conf"), Now: now})
					for _, f := range r.Findings {
						if f.Hint != "" {
							hints++
						}
						for _, m := range forceOn.FindAllStringSubmatch(f.Hint, -1) {
							target := m[1] + m[2]
							if holdsKeys[target] {
								t.Errorf("%s on %s: the hint %q overwrites a store with keys", f.Check, f.Subject, f.Hint)
							}
						}
					}
				}
			}
		}
	}
	if hints < 100 {
		t.Fatalf("only %d hints generated", hints)
	}
	// truststore-empty on a store of keys: a new file, never --force.
	keysAsTrust := &StoreSpec{Path: filepath.Join(fx, "stores/ucc.jks"), Password: secret.NewPassword("changeit1"), HasPassword: true}
	fs := CheckTrustStore(keysAsTrust.Path, Open(keysAsTrust).Store, Options{})
	if len(fs) != 1 || fs[0].Check != CheckTruststoreEmpty || strings.Contains(fs[0].Hint, "--force") {
		t.Errorf("%+v", fs)
	}
	if _, err := os.Stat(keysAsTrust.Path); err != nil {
		t.Fatal(err)
	}
}

// A file that is no keystore says why when the reason is known, as inspect
// does: ASN.1 nested too deep is named; garbage is "unknown".
func TestNotAKeystoreSaysWhy(t *testing.T) {
	for file, want := range map[string]string{
		"hostile/ber-deep.p12": "not a keystore: malformed file: the ASN.1 structure is nested more than 64 levels deep",
		"hostile/garbage.bin":  "not a keystore (the content is unknown)",
		"pki/root.cer":         "not a keystore (the content is der)",
	} {
		f := Open(store(file, "x")).Findings
		if len(f) != 1 || f[0].Check != CheckStoreUnreadable || f[0].Message != want {
			t.Errorf("%s: %+v, want %q", file, f, want)
		}
	}
}
