package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// copyFixture copies a committed store into dir (mode 0600) and returns
// its path.
func copyFixture(t *testing.T, dir string, parts ...string) string {
	t.Helper()
	data, err := os.ReadFile(abs(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, parts[len(parts)-1])
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func storeAliases(t *testing.T, path, pass string) string {
	t.Helper()
	s, err := keystore.Load(path, keystore.DecodeOptions{Password: secret.NewPassword(pass)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range s.Entries {
		out = append(out, e.Alias)
	}
	return strings.Join(out, ",")
}

// remove by alias, host and expiry: what goes is printed (alias, kind,
// subject, serial, validity, why), then what stays; the store is written
// (mode 0600, no temporary file left) and Java's aliases rules apply.
func TestRemove(t *testing.T) {
	cases := []struct {
		name, store, pass string
		args              []string
		left              string
		out               []string
	}{
		{"alias without regard to case", "fe1-renewed-first.jks", "changeit1", []string{"--alias", "FE1-OLD"}, "fe1-new,ucc.uc.example.com",
			[]string{"Removed from ", "(jks): 1 entry\n  fe1-old  [key]\n    subject:  CN=fe1.uc.example.com\n    serial:   2202\n    valid:    2020-06-01T00:00:00Z to 2021-06-01T00:00:00Z\n    matched:  alias \"FE1-OLD\"\n", "\n2 entries remain:\n  fe1-new  [key]"}},
		{"host, PKCS#12", "ucc-with-fes.p12", "changeit1", []string{"--host", "FE2.uc.example.com"}, "ucc.uc.example.com,fe1.uc.example.com",
			[]string{"fe2.uc.example.com  [key]", "matched:  serves fe2.uc.example.com"}},
		{"expired", "fe1-expired-first.p12", "changeit1", []string{"--expired"}, "fe1-renewed,ucc.uc.example.com",
			[]string{"fe1-expired  [key]", "matched:  expired on 2021-06-01"}},
		{"host and expired", "fe1-expired-first.jks", "changeit1", []string{"--host", "fe1.uc.example.com", "--expired"}, "fe1-renewed,ucc.uc.example.com",
			[]string{"matched:  serves fe1.uc.example.com; expired on 2021-06-01"}},
		{"a trusted entry of a trust store", "truststore.jks", "trustpass1", []string{"--alias", "issuing"}, "ucc-cert",
			[]string{"issuing  [trusted]"}},
		{"the last key entry with --allow-empty", "ucc.jks", "changeit1", []string{"--alias", "ucc.uc.example.com", "--allow-empty"}, "",
			[]string{"0 entries remain:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := copyFixture(t, dir, "stores", c.store)
			r := runCLI(t, "", map[string]string{"KS": c.pass}, append([]string{"remove", path, "--pass", "env:KS"}, c.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, w := range c.out {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			if got := storeAliases(t, path, c.pass); got != c.left {
				t.Errorf("store holds %s, want %s", got, c.left)
			}
			assertMode(t, path)
			assertDir(t, dir, c.store)
		})
	}
}

// remove --json: what was removed (with serial and why) and what remains.
func TestRemoveJSON(t *testing.T) {
	path := copyFixture(t, t.TempDir(), "stores", "fe1-expired-first.jks")
	r := runCLI(t, "", nil, "remove", "--json", "--expired", "--pass", "pass:changeit1", path)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Store   string `json:"store"`
		Type    string `json:"type"`
		Removed []struct {
			Alias    string   `json:"alias"`
			Kind     string   `json:"kind"`
			Subject  string   `json:"subject"`
			Serial   string   `json:"serial"`
			NotAfter string   `json:"not_after"`
			Matched  []string `json:"matched"`
		} `json:"removed"`
		Entries []struct {
			Alias string `json:"alias"`
		} `json:"entries"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if doc.Store != path || doc.Type != "jks" || len(doc.Removed) != 1 || len(doc.Entries) != 2 || doc.Notes == nil {
		t.Fatalf("%+v", doc)
	}
	rm := doc.Removed[0]
	if rm.Alias != "fe1-expired" || rm.Kind != "key" || rm.Subject != "CN=fe1.uc.example.com" || rm.Serial != "2202" ||
		rm.NotAfter != "2021-06-01T00:00:00Z" || strings.Join(rm.Matched, ",") != "expired on 2021-06-01" {
		t.Errorf("removed %+v", rm)
	}
	if strings.Contains(r.stdout, "changeit1") {
		t.Error("password in the JSON")
	}
}

// Failures change nothing: the store stays byte for byte, and no
// temporary file is left; with --json the failure is JSON with its code.
func TestRemoveFailuresLeaveTheStore(t *testing.T) {
	cases := []struct {
		name, store string
		args        []string
		code        int
		jsonCode    string
		stderr      []string
	}{
		{"nothing expired", "ucc-with-fes.jks", []string{"--expired"}, 1, "no-match", []string{"no entry matches (expired at 2026-11-24T12:00:00Z)"}},
		{"an alias that names nothing", "ucc-with-fes.jks", []string{"--alias", "fe1.uc.example.com", "--alias", "fe9"}, 1, "no-match", []string{`no entry has the alias "fe9"`, `"fe1.uc.example.com"`}},
		{"a host nobody serves", "ucc-with-fes.jks", []string{"--host", "fe9.uc.example.com"}, 1, "no-match", []string{"no key entry serves fe9.uc.example.com"}},
		{"served, not expired", "ucc-with-fes.jks", []string{"--host", "fe1.uc.example.com", "--expired"}, 1, "no-match", []string{"a key entry serving fe1.uc.example.com, and expired at"}},
		{"the last key entry", "ucc.jks", []string{"--host", "ucc.uc.example.com"}, 1, "last-entry", []string{"would leave no key entry", "--allow-empty"}},
		{"every key, a trusted entry beside them", "frontends.jks", []string{"--host", "pool.uc.example.com"}, 1, "last-entry", []string{"--allow-empty"}},
		{"every trusted certificate of a trust store", "truststore.jks", []string{"--alias", "ucc-cert", "--alias", "issuing"}, 1, "last-entry", []string{"without a trusted certificate", "--allow-empty"}},
		{"a key under another password", "trap.jks", []string{"--alias", "fe1.uc.example.com"}, 1, "key-password", []string{"repair it first: uccert merge -o fixed.jks --in-pass SRC --in-key-pass SRC"}},
		{"wrong password", "ucc-with-fes.jks", []string{"--alias", "fe1.uc.example.com", "--pass", "pass:wrong-pw-1"}, 1, "wrong-password", []string{"wrong password"}},
		{"no selector", "ucc-with-fes.jks", nil, 2, "usage", []string{"--alias NAME, --host FQDN or --expired"}},
		{"a malformed host", "ucc-with-fes.jks", []string{"--host", "fe1..example.com"}, 2, "usage", []string{"--host"}},
		{"--compat on a JKS", "ucc-with-fes.jks", []string{"--expired", "--compat", "legacy"}, 2, "usage", []string{"--compat applies to PKCS#12"}},
	}
	for _, c := range cases {
		for _, asJSON := range []bool{false, true} {
			t.Run(c.name+map[bool]string{true: " (json)"}[asJSON], func(t *testing.T) {
				dir := t.TempDir()
				path := copyFixture(t, dir, "stores", c.store)
				before, _ := os.ReadFile(path)
				pass := "pass:changeit1"
				if c.store == "truststore.jks" {
					pass = "pass:trustpass1"
				}
				args := append([]string{"remove", "--pass", pass}, c.args...)
				if asJSON {
					args = append(args, "--json")
				}
				r := runCLI(t, "", nil, append(args, path)...)
				if r.code != c.code {
					t.Fatalf("exit %d, want %d: %s", r.code, c.code, r.stderr)
				}
				for _, w := range c.stderr {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
					}
				}
				if asJSON {
					var doc failureDoc
					if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.OK == nil || *doc.OK || doc.Error.Code != c.jsonCode {
						t.Errorf("JSON %v: %s", err, r.stdout)
					}
					if c.code == 1 && doc.Error.File != path {
						t.Errorf("file %q", doc.Error.File)
					}
				} else if r.stdout != "" {
					t.Errorf("stdout: %s", r.stdout)
				}
				if strings.Contains(r.stdout+r.stderr, "wrong-pw-1") {
					t.Error("password echoed")
				}
				after, _ := os.ReadFile(path)
				if !bytes.Equal(before, after) {
					t.Error("the store changed")
				}
				assertDir(t, dir, c.store)
			})
		}
	}
}

func TestRemoveUsage(t *testing.T) {
	dir := t.TempDir()
	path := copyFixture(t, dir, "stores", "ucc.jks")
	for name, c := range map[string]struct {
		args []string
		code int
		want string
	}{
		"two stores":               {[]string{"remove", "--expired", "--pass", "pass:changeit1", path, path}, 2, "exactly one STORE"},
		"no store":                 {[]string{"remove", "--expired"}, 2, "exactly one STORE"},
		"a missing store":          {[]string{"remove", "--expired", "--pass", "pass:changeit1", filepath.Join(dir, "nope.jks")}, 1, "nope.jks"},
		"a certificate file":       {[]string{"remove", "--expired", abs(t, "pki", "root.cer")}, 1, "not a JKS or PKCS#12 store"},
		"no password, no terminal": {[]string{"remove", "--expired", path}, 2, "--pass"},
		"empty alias":              {[]string{"remove", "--alias", "", path}, 2, "empty alias"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", nil, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want %d with %q: %s", r.code, c.code, c.want, r.stderr)
			}
		})
	}
	r := runCLI(t, "", nil, "remove", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "key AND trusted entries") || !strings.Contains(r.stdout, "PASSWORD SOURCES") {
		t.Fatalf("help: %s", r.stdout)
	}
}

// A legacy PKCS#12 store (keytool's -J-Dkeystore.pkcs12.legacy) stays
// legacy when remove or merge --append write it again without --compat,
// with a note; --compat modern changes it (pkg/keystore's
// TestUpdateKeepProfile has OpenSSL judge the algorithms).
func TestKeepLegacyProfile(t *testing.T) {
	profile := func(path string) keystore.Profile {
		t.Helper()
		s, err := keystore.Load(path, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
		if err != nil {
			t.Fatal(err)
		}
		return s.Profile
	}
	note := "keeps its legacy PKCS#12 profile"
	for _, c := range []struct {
		name string
		args func(store string) []string
		want keystore.Profile
	}{
		{"remove", func(s string) []string {
			return []string{"remove", "--host", "fe2.uc.example.com", "--pass", "pass:changeit1", s}
		}, keystore.ProfileLegacy},
		{"remove --compat modern", func(s string) []string {
			return []string{"remove", "--host", "fe2.uc.example.com", "--compat", "modern", "--pass", "pass:changeit1", s}
		}, keystore.ProfileModern},
		{"merge --append", func(s string) []string {
			return []string{"merge", "--append", "-o", s, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe2-export", abs(t, "exports", "fe2-legacy.pfx")}
		}, keystore.ProfileLegacy},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := copyFixture(t, t.TempDir(), "stores", "frontends-legacy.p12")
			if profile(store) != keystore.ProfileLegacy {
				t.Fatal("the fixture is not legacy")
			}
			r := runCLI(t, "", nil, c.args(store)...)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if got := profile(store); got != c.want {
				t.Errorf("written %s, want %s", got, c.want)
			}
			if strings.Contains(r.stderr, note) != (c.want == keystore.ProfileLegacy) {
				t.Errorf("stderr:\n%s", r.stderr)
			}
		})
	}
}
