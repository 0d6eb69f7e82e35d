package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/internal/judge"
)

// copyStore copies a committed store into a temporary folder (mode 0600).
func copyStore(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(fixtures.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(rel))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func fingerprint(t *testing.T, rel string) string {
	t.Helper()
	f, err := certfile.Load(fixtures.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return certfile.Fingerprint(f.Certificates[0])
}

// keytoolSerial is the "Serial number:" keytool -list -v prints for alias.
func keytoolSerial(t *testing.T, file, storeType, alias string) string {
	t.Helper()
	out, err := judge.Keytool(t, "-list", "-v", "-keystore", file, "-storetype", storeType, "-storepass:env", "UCCERT_TEST_KS", "-alias", alias)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "Serial number: "); ok {
			return s
		}
	}
	t.Fatalf("keytool printed no serial number for %s:\n%s", alias, out)
	return ""
}

// Renewal with the shipped binary, judged by keytool and Java: after
// `uccert merge --append --replace` of the renewed fe1 export onto a store
// that holds the old fe1 (and fe2, which shares the pool's name, and the
// connector host's entry), keytool lists exactly one fe1 entry, under the
// old alias, with the renewed serial; Java's KeyStore.load + getKey
// recover every key with the store password and see the renewed
// certificate; fe2 and ucc are unchanged.
func TestRenewReplaceJudgedByJava(t *testing.T) {
	jvm := judge.Java(t)
	exe := uccertHost(t)
	t.Setenv("UCCERT_TEST_KS", "changeit1")
	for _, c := range []struct{ store, javaType string }{{"stores/ucc-with-fes.jks", "JKS"}, {"stores/ucc-with-fes.p12", "PKCS12"}} {
		t.Run(c.javaType, func(t *testing.T) {
			store := copyStore(t, c.store)
			out := runHost(t, exe, []string{"FE1_PASS=fe1-renewed"}, "merge", "--append", "--replace", "-o", store,
				"--out-pass", "env:UCCERT_TEST_KS", "--in-pass", "env:FE1_PASS", fixtures.Path("exports/fe1-renewed.pfx"))
			if !strings.Contains(out, `replaced: "fe1.uc.example.com" (serial 2000, not after 2040-06-01) → "fe1.uc.example.com" (serial 2201, not after 2041-06-01)`) {
				t.Errorf("uccert printed:\n%s", out)
			}
			if got := strings.Join(judge.KeytoolList(t, store, c.javaType, "changeit1"), ","); got != "fe1.uc.example.com,fe2.uc.example.com,ucc.uc.example.com" {
				t.Fatalf("keytool lists %s", got)
			}
			if s := keytoolSerial(t, store, c.javaType, "fe1.uc.example.com"); s != "2201" {
				t.Errorf("keytool: fe1's serial is %s, want 2201 (the renewed certificate)", s)
			}
			want := map[string]string{
				"fe1.uc.example.com": fingerprint(t, "pki/fe1-renewed.pem"),
				"fe2.uc.example.com": fingerprint(t, "pki/fe2.pem"),
				"ucc.uc.example.com": fingerprint(t, "pki/ucc.pem"),
			}
			entries := jvm.ListStore(t, store, c.javaType, "changeit1")
			if len(entries) != 3 {
				t.Fatalf("Java sees %+v", entries)
			}
			for _, e := range entries {
				if e.Kind != "PrivateKeyEntry" || e.Status != "ok" || e.ChainLen != 3 || e.SHA256 != want[e.Alias] {
					t.Errorf("Java sees %+v, want leaf %s", e, want[e.Alias])
				}
			}
		})
	}
}

// The fix identity-duplicate gives, judged by Java: the store with the
// renewed fe1 first and the expired one after it makes the JDK's default
// key manager (SunX509) present the expired certificate; after `uccert
// remove --expired` Java lists the two valid entries and presents the
// renewed one, and uccert verify no longer reports the duplicate.
func TestRemoveExpiredJudgedByJava(t *testing.T) {
	jvm := judge.Java(t)
	exe := uccertHost(t)
	t.Setenv("UCCERT_TEST_KS", "changeit1")
	for _, c := range []struct{ store, javaType string }{{"stores/fe1-renewed-first.jks", "JKS"}, {"stores/fe1-renewed-first.p12", "PKCS12"}} {
		t.Run(c.javaType, func(t *testing.T) {
			store := copyStore(t, c.store)
			renewed := fingerprint(t, "pki/fe1-renewed.pem")
			if got := jvm.Served(t, store, c.javaType, "changeit1", "default", "fe1.uc.example.com"); got.SHA256 != fingerprint(t, "pki/fe1-expired.pem") {
				t.Errorf("before: the default key manager presents %s, not the expired certificate (fixtures/README.md measured it did)", got.Alias)
			}
			out := runHost(t, exe, nil, "remove", "--expired", "--pass", "env:UCCERT_TEST_KS", store)
			if !strings.Contains(out, "fe1-old  [key]") || !strings.Contains(out, "serial:   2202") || !strings.Contains(out, "2 entries remain:") {
				t.Errorf("uccert printed:\n%s", out)
			}
			if got := strings.Join(judge.KeytoolList(t, store, c.javaType, "changeit1"), ","); got != "fe1-new,ucc.uc.example.com" {
				t.Fatalf("keytool lists %s", got)
			}
			for _, e := range jvm.ListStore(t, store, c.javaType, "changeit1") {
				if e.Kind != "PrivateKeyEntry" || e.Status != "ok" {
					t.Errorf("Java sees %+v", e)
				}
			}
			if got := jvm.Served(t, store, c.javaType, "changeit1", "default", "fe1.uc.example.com"); got.SHA256 != renewed {
				t.Errorf("after remove --expired the default key manager presents %s (%s), not the renewed certificate", got.Alias, got.SHA256)
			}
			verify := runHost(t, exe, nil, "verify", "--cert-store", store, "--cert-store-pass", "env:UCCERT_TEST_KS",
				"--key-store", fixtures.Path("stores/truststore.jks"), "--key-store-pass", "pass:trustpass1", "--host", "ucc.uc.example.com")
			if !strings.Contains(verify, "identity-duplicate") || strings.Contains(verify, "WARN identity-duplicate") {
				t.Errorf("verify after the removal:\n%s", verify)
			}
		})
	}
}
