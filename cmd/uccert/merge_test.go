package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/secret"
	"github.com/urfave/cli/v2"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/keystore"
)

// abs is a fixture's absolute path (so commands can run in a temp dir).
func abs(t testing.TB, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(fixture(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// normalize replaces run-specific paths in output with placeholders.
func normalize(s string, dirs map[string]string) string {
	for dir, name := range dirs {
		s = strings.ReplaceAll(s, dir, name)
	}
	return s
}

func fingerprintOf(t testing.TB, pem string) string {
	t.Helper()
	f, err := certfile.Load(abs(t, "pki", pem))
	if err != nil {
		t.Fatal(err)
	}
	return certfile.Fingerprint(f.Certificates[0])
}

func TestMergeGolden(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc-keys.jks")
	r := runCLI(t, "", map[string]string{"FE2": "fe2-export"}, "merge", "-o", out, "--out-pass", "pass:changeit1",
		"--in-pass", "pass:fe1-export", "--in-pass", "env:FE2", "--in-pass", "pass:win-export",
		"--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com",
		abs(t, "exports", "fe1-openssl.pfx"), abs(t, "exports", "fe2-legacy.pfx"), abs(t, "exports", "fe1-windows.pfx"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	dirs := map[string]string{dir: "$OUT", abs(t): "$FIXTURES"}
	golden(t, "merge-jks", normalize(r.stdout, dirs))
	// The connector host's own export was not among the inputs: the
	// check of verify says so.
	if !strings.HasPrefix(r.stderr, "warning: host-identity-missing ") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr: %s", r.stderr)
	}
	assertMode(t, out)
}

func TestMergeJSONAndHostWarnings(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc.p12")
	r := runCLI(t, "", nil, "merge", "--json", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe4-export",
		"--fe", "fe1.uc.example.com", abs(t, "exports", "fe4-ec-keytool.p12"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Output  string `json:"output"`
		Type    string `json:"type"`
		Entries []struct {
			Alias  string `json:"alias"`
			Kind   string `json:"kind"`
			Source string `json:"source"`
			Key    string `json:"key"`
		} `json:"entries"`
		Notes    []string `json:"notes"`
		Warnings []string `json:"warnings"`
		Findings []struct {
			Check    string `json:"check"`
			Severity string `json:"severity"`
		} `json:"findings"`
		Args []string `json:"args"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if doc.Output != out || doc.Type != "pkcs12" || len(doc.Entries) != 1 || doc.Entries[0].Alias != "fe4.uc.example.com" ||
		doc.Entries[0].Key != "EC P-256" || !strings.HasSuffix(doc.Entries[0].Source, "fe4-ec-keytool.p12") {
		t.Fatalf("doc %+v", doc)
	}
	if strings.Join(doc.Args, " ") != "-cert_store_file "+out+" -cert_store_pass ******** -cert_store_type pkcs12" {
		t.Errorf("args %q", doc.Args)
	}
	if len(doc.Warnings) != 2 || len(doc.Findings) != 2 || doc.Findings[0].Check != "fe-identity-missing" || doc.Findings[1].Check != "fqdn-unexpected" ||
		!strings.Contains(r.stderr, "warning: fe-identity-missing") || !strings.Contains(r.stderr, "Front End fe1.uc.example.com") {
		t.Errorf("warnings %v, findings %+v, stderr %q", doc.Warnings, doc.Findings, r.stderr)
	}
	if strings.Contains(r.stdout, "changeit1") {
		t.Error("password in JSON")
	}
}

func TestMergeFailuresLeaveNothing(t *testing.T) {
	const pw = "Wr0ng-Pa55-Q"
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jks")
	existing := filepath.Join(dir, "existing.jks")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	fe1 := abs(t, "exports", "fe1-openssl.pfx")
	if err := os.Symlink(filepath.Join(dir, "nowhere.jks"), filepath.Join(dir, "dangling.jks")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"wrong --in-pass", []string{"-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:" + pw, fe1}, 1, []string{"fe1-openssl.pfx", "wrong password"}},
		{"existing OUT", []string{"-o", existing, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1}, 1, []string{"existing.jks", "--append", "--force"}},
		{"short password", []string{"-o", out, "--out-pass", "pass:abc", "--in-pass", "pass:fe1-export", fe1}, 1, []string{"6 characters"}},
		{"non-ASCII PKCS#12 password", []string{"-o", filepath.Join(dir, "x.p12"), "--out-pass", "pass:pässwörd1", "--in-pass", "pass:fe1-export", fe1}, 1, []string{"ASCII"}},
		{"garbage input", []string{"-o", out, "--out-pass", "pass:changeit1", abs(t, "hostile", "garbage.bin")}, 1, []string{"garbage.bin"}},
		{"trap without key password", []string{"-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:changeit1", abs(t, "stores", "trap.jks")}, 1, []string{"trap.jks", "--in-key-pass"}},
		{"append and force", []string{"-o", out, "--append", "--force", fe1}, 2, []string{"--append and --force"}},
		{"no type", []string{"-o", filepath.Join(dir, "out.bin"), fe1}, 2, []string{"--type"}},
		{"no out", []string{fe1}, 2, []string{"-o OUT"}},
		{"in-pass pairing", []string{"-o", out, "--in-pass", "pass:a", "--in-pass", "pass:b", "--in-pass", "pass:c", fe1, fe1}, 2, []string{"--in-pass given 3 times for 2 inputs"}},
		{"no password, no terminal", []string{"-o", out, "--in-pass", "pass:fe1-export", fe1}, 2, []string{"--out-pass"}},
		{"stdin twice", []string{"-o", out, "--out-pass", "stdin", "--in-pass", "stdin", fe1}, 2, []string{"stdin"}},
		{"compat on jks", []string{"-o", out, "--compat", "legacy", fe1}, 2, []string{"--compat"}},
		{"a CA certificate only", []string{"-o", out, "--out-pass", "pass:changeit1", abs(t, "pki", "root.cer")}, 1, []string{"root.cer", "no private key", "uccert truststore -o"}},
		{"a CA certificate among exports", []string{"-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1, abs(t, "pki", "root.cer")}, 1, []string{"root.cer", "uccert truststore -o"}},
		{"--alias with ESC", []string{"-o", out, "--out-pass", "pass:changeit1", "--alias", "fe1\x1b[2K", fe1}, 2, []string{"--alias fe1\\x1b[2K", "control"}},
		{"--alias with bidi", []string{"-o", out, "--out-pass", "pass:changeit1", "--alias", "fe\u202e1", fe1}, 2, []string{"\\u202e", "bidirectional"}},
		{"--alias not UTF-8", []string{"-o", out, "--out-pass", "pass:changeit1", "--alias", "fe\xff1", fe1}, 2, []string{"fe\\xff1", "UTF-8"}},
		{"--alias with a trailing space", []string{"-o", out, "--out-pass", "pass:changeit1", "--alias", "fe1 ", fe1}, 2, []string{`"fe1 "`, "white space"}},
		{"-o a folder", []string{"-o", dir, "--out-pass", "pass:changeit1", fe1}, 2, []string{"is a folder", filepath.Join(dir, "ucc-keys.jks")}},
		{"-o a dangling symlink", []string{"-o", filepath.Join(dir, "dangling.jks"), "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1}, 1, []string{"symbolic link to", "nowhere.jks", "does not exist"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"merge"}, c.args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d: %s", r.code, c.code, r.stderr)
			}
			for _, s := range c.contains {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q lacks %q", r.stderr, s)
				}
			}
			if strings.Contains(r.stderr+r.stdout, pw) {
				t.Error("password echoed")
			}
			assertDir(t, dir, "dangling.jks", "existing.jks")
			if b, _ := os.ReadFile(existing); string(b) != "keep me" {
				t.Error("existing OUT changed")
			}
		})
	}
}

func TestMergeAppendAndForce(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc.jks")
	run := func(args ...string) result {
		t.Helper()
		r := runCLI(t, "", nil, append([]string{"merge", "-o", out, "--out-pass", "pass:changeit1"}, args...)...)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		return r
	}
	run("--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx"))
	run("--append", "--in-pass", "pass:fe2-export", abs(t, "exports", "fe2-legacy.pfx"))
	r := run("--append", "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-nochain.pfx"))
	if !strings.Contains(r.stdout, "kept once") {
		t.Errorf("duplicate not reported:\n%s", r.stdout)
	}
	s, err := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	if err != nil || len(s.Entries) != 2 {
		t.Fatalf("%v %d entries", err, len(s.Entries))
	}
	run("--force", "--in-pass", "pass:nss-export", abs(t, "exports", "fe3-nss.p12"))
	s, err = keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	if err != nil || len(s.Entries) != 1 || s.Entries[0].Alias != "fe3.uc.example.com" {
		t.Fatalf("after --force: %v %v", err, s)
	}
	// Appending with a wrong store password fails and keeps OUT.
	r = runCLI(t, "", nil, "merge", "-o", out, "--append", "--out-pass", "pass:wrong-pass", "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx"))
	if r.code != 1 || !strings.Contains(r.stderr, "wrong password") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	assertDir(t, dir, "ucc.jks")
}

type fakePrompter struct {
	answers []string
	labels  []string
}

func (f *fakePrompter) Prompt(label string) (string, error) {
	f.labels = append(f.labels, label)
	if len(f.answers) == 0 {
		return "", os.ErrClosed
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

// Prompts name the file; a new store's password is asked twice; file:
// sources, --alias and --in-key-pass work end to end.
func TestMergePromptFileAliasKeyPass(t *testing.T) {
	dir := t.TempDir()
	passFile := filepath.Join(dir, "in.pass")
	if err := os.WriteFile(passFile, []byte("changeit1\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fixed.jks")
	p := &fakePrompter{answers: []string{"fe1-export", "n3w-store-pw", "n3w-store-pw"}}
	var stdout, stderr strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, prompter: p,
		getenv: func(string) (string, bool) { return "", false }, now: time.Now}
	code := run(context.Background(), []string{"uccert", "merge", "-o", out, "--in-pass", "file:" + passFile,
		"--alias", "Front-End-1", abs(t, "stores", "trap.jks")}, e)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// Prompts follow the command line: the inputs, then the output.
	want := []string{"key password for trap.jks", "new password for fixed.jks", "new password for fixed.jks (again)"}
	if strings.Join(p.labels, "|") != strings.Join(want, "|") {
		t.Errorf("prompts %q, want %q", p.labels, want)
	}
	s, err := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("n3w-store-pw")})
	if err != nil || len(s.Entries) != 1 || s.Entries[0].Alias != "front-end-1" || s.Entries[0].Key == nil {
		t.Fatalf("%v %+v", err, s.Entries)
	}
	if !strings.Contains(stdout.String(), "now has the store password") {
		t.Errorf("repair not reported:\n%s", stdout.String())
	}
	// A mistyped confirmation or a refused password is asked again, as
	// keytool does: three tries.
	p = &fakePrompter{answers: []string{"n3w-store-pw", "typo-store-pw", "short", "n3w-store-pw", "n3w-store-pw"}}
	e.prompter = p
	stderr.Reset()
	code = run(context.Background(), []string{"uccert", "merge", "-o", filepath.Join(dir, "third.jks"), "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx")}, e)
	if code != 0 || !strings.Contains(stderr.String(), "the two passwords typed differ; try again") || !strings.Contains(stderr.String(), "6 characters (keytool refuses shorter ones); try again") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "short") && strings.Contains(stderr.String(), `"short"`) {
		t.Error("the refused password is echoed")
	}
	// Three failures: refused, nothing written.
	p = &fakePrompter{answers: []string{"n3w-store-pw", "typo-store-pw", "n3w-store-pw", "typo-store-pw", "n3w-store-pw", "typo-store-pw"}}
	e.prompter = p
	code = run(context.Background(), []string{"uccert", "merge", "-o", filepath.Join(dir, "other.jks"), "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx")}, e)
	if code != 1 || len(p.answers) != 0 || !strings.Contains(stderr.String(), "differ (3 tries)") {
		t.Fatalf("exit %d, %d answers left: %s", code, len(p.answers), stderr.String())
	}
	assertDir(t, dir, "fixed.jks", "in.pass", "third.jks")
}

// Repeatable options take their values whole: a password with a comma
// and a trailing space reaches the store intact, an alias keeps its
// comma (urfave/cli splits at commas and trims spaces unless told not to).
func TestRepeatableOptionsKeepValuesWhole(t *testing.T) {
	for _, cmd := range newApp(testEnv(io.Discard, io.Discard, nil)).Commands {
		for _, f := range cmd.Flags {
			if sf, ok := f.(*cli.StringSliceFlag); ok && !sf.KeepSpace {
				t.Errorf("%s --%s trims its values", cmd.Name, sf.Name)
			}
		}
	}
	dir := t.TempDir()
	const pw = "se,cret 1 "
	first := filepath.Join(dir, "first.p12")
	if r := runCLI(t, "", nil, "merge", "-o", first, "--out-pass", "pass:"+pw, "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx")); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "second.jks")
	r := runCLI(t, "", nil, "merge", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:"+pw, "--alias", "fe1,primary", "--json", first)
	if r.code != 0 || !strings.Contains(r.stdout, `"alias": "fe1,primary"`) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// merge --append onto a Windows export (no friendlyName) names its entry
// and says so; 0.1.0 failed with "duplicate alias".
func TestMergeAppendOntoWindowsExport(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "fe1.pfx")
	data, err := os.ReadFile(abs(t, "exports", "fe1-windows.pfx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", nil, "merge", "--append", "-o", base, "--out-pass", "pass:win-export", "--in-pass", "pass:fe2-export", abs(t, "exports", "fe2-legacy.pfx"))
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, `without an alias`) || !strings.Contains(r.stdout+r.stderr, `"fe1.uc.example.com"`) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "inspect", "--pass", "pass:win-export", "--json", base)
	if r.code != 0 || !strings.Contains(r.stdout, `"alias": "fe1.uc.example.com"`) || !strings.Contains(r.stdout, `"alias": "fe2.uc.example.com"`) {
		t.Fatalf("inspect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// merge ends with the uccert args command to run next; run as printed
// (the trust store filled in) it prints the connector's arguments.
func TestMergePrintsTheNextCommand(t *testing.T) {
	dir := t.TempDir()
	keys, trust := filepath.Join(dir, "ucc-keys.jks"), filepath.Join(dir, "ucc-trust.jks")
	env := map[string]string{"KS": "changeit1", "TS": "trustpass1"}
	r := runCLI(t, "", env, "merge", "-o", keys, "--out-pass", "env:KS", "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	next := strings.TrimSpace(lines[len(lines)-1])
	want := "uccert args --cert-store " + shellWord(keys) + " --cert-store-pass env:KS --key-store ucc-trust.jks --key-store-pass prompt"
	if next != want {
		t.Fatalf("last line %q, want %q", next, want)
	}
	if r := runCLI(t, "", env, "truststore", "-o", trust, "--out-pass", "pass:trustpass1", abs(t, "pki", "chain.p7b")); r.code != 0 || !strings.HasSuffix(strings.TrimSpace(r.stdout), "--cert-store-pass prompt") || strings.Contains(r.stdout, "trustpass1") {
		t.Fatalf("truststore: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	args := strings.Fields(strings.Replace(strings.Replace(next, "ucc-trust.jks", trust, 1), "--key-store-pass prompt", "--key-store-pass env:TS", 1))[1:]
	r = runCLI(t, "", env, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "-cert_store_file "+keys) || !strings.Contains(r.stdout, "-key_store_pass trustpass1") {
		t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"/srv/ucc/ucc-keys.jks": "/srv/ucc/ucc-keys.jks",
		"/srv/my stores/k.jks":  "'/srv/my stores/k.jks'",
		"it's.jks":              `'it'\''s.jks'`,
		"a\x1bb.jks":            `'a\x1bb.jks'`,
		`C:\certs\k.jks`:        `'C:\certs\k.jks'`,
	} {
		if runtime.GOOS == "windows" {
			break
		}
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
}

// merge warns about expired and not-yet-valid inputs (0.1.0 merged them
// silently) and still writes the store.
func TestMergeWarnsAboutValidity(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ store, check string }{{"expired.jks", "cert-expired"}, {"notyet.jks", "cert-not-yet-valid"}} {
		r := runCLI(t, "", nil, "merge", "-o", filepath.Join(dir, c.store), "--out-pass", "pass:changeit1", "--in-pass", "pass:changeit1", abs(t, "stores", c.store))
		if r.code != 0 || !strings.Contains(r.stderr, "warning: "+c.check+" ") {
			t.Errorf("%s: exit %d\n%s", c.store, r.code, r.stderr)
		}
	}
}

// merge --append --replace: the renewed fe1 replaces the old fe1 (same
// alias, same place); the replacement is reported with old and new
// alias, serial and not-after, in text and JSON. Without --replace the
// renewed entry is added beside the old one, with a warning that names
// the names and the old entry and suggests --replace.
func TestMergeReplace(t *testing.T) {
	renewed := abs(t, "exports", "fe1-renewed.pfx")
	t.Run("text", func(t *testing.T) {
		dir := t.TempDir()
		out := copyFixture(t, dir, "stores", "ucc-with-fes.jks")
		r := runCLI(t, "", nil, "merge", "--append", "--replace", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-renewed", renewed)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		want := `replaced: "fe1.uc.example.com" (serial 2000, not after 2040-06-01) → "fe1.uc.example.com" (serial 2201, not after 2041-06-01)` + "\n"
		if !strings.Contains(r.stdout, "Wrote "+out+" (jks): 3 entries\n") || !strings.Contains(r.stdout, want) {
			t.Errorf("stdout:\n%s", r.stdout)
		}
		if r.stderr != "" {
			t.Errorf("stderr: %s", r.stderr)
		}
		if got := storeAliases(t, out, "changeit1"); got != "fe2.uc.example.com,fe1.uc.example.com,ucc.uc.example.com" {
			t.Errorf("store holds %s", got)
		}
		s, _ := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
		if fp := certfile.Fingerprint(s.Entries[1].Leaf()); fp != fingerprintOf(t, "fe1-renewed.pem") {
			t.Errorf("fe1 entry holds %s", fp)
		}
		assertDir(t, dir, "ucc-with-fes.jks")
	})
	t.Run("json", func(t *testing.T) {
		out := copyFixture(t, t.TempDir(), "stores", "ucc-with-fes.p12")
		r := runCLI(t, "", nil, "merge", "--json", "--append", "--replace", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-renewed", renewed)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var doc struct {
			Entries  []struct{ Alias string } `json:"entries"`
			Replaced []struct {
				Old, New struct {
					Alias    string `json:"alias"`
					Serial   string `json:"serial"`
					NotAfter string `json:"not_after"`
				}
				Names []string `json:"names"`
			} `json:"replaced"`
			Warnings []string `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		if len(doc.Entries) != 3 || len(doc.Replaced) != 1 || len(doc.Warnings) != 0 {
			t.Fatalf("%s", r.stdout)
		}
		rep := doc.Replaced[0]
		if rep.Old.Alias != "fe1.uc.example.com" || rep.Old.Serial != "2000" || rep.Old.NotAfter != "2040-06-01T00:00:00Z" ||
			rep.New.Alias != "fe1.uc.example.com" || rep.New.Serial != "2201" || rep.New.NotAfter != "2041-06-01T00:00:00Z" ||
			strings.Join(rep.Names, ",") != "fe1.uc.example.com,pool.uc.example.com" {
			t.Errorf("%+v", rep)
		}
	})
	t.Run("without --replace", func(t *testing.T) {
		out := copyFixture(t, t.TempDir(), "stores", "ucc-with-fes.jks")
		r := runCLI(t, "", nil, "merge", "--append", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-renewed", renewed)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		for _, w := range []string{
			`warning: the new entry "fe1.uc.example.com-2" (serial 2201, not after 2041-06-01) serves fe1.uc.example.com, pool.uc.example.com, which entry "fe1.uc.example.com" (serial 2000, not after 2040-06-01) serves already`,
			"merge --append --replace replaces the old entry instead", "uccert remove --alias fe1.uc.example.com-2 --pass prompt " + out,
			"warning: identity-duplicate " + out,
		} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
			}
		}
		if strings.Contains(r.stdout, "replaced:") || strings.Contains(r.stdout, "warning") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
		if got := storeAliases(t, out, "changeit1"); got != "fe2.uc.example.com,fe1.uc.example.com,ucc.uc.example.com,fe1.uc.example.com-2" {
			t.Errorf("store holds %s", got)
		}
	})
	t.Run("a Front End that shares only the pool name", func(t *testing.T) {
		out := copyFixture(t, t.TempDir(), "stores", "frontends.jks")
		r := runCLI(t, "", nil, "merge", "--append", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe3-export", abs(t, "exports", "fe3-3des.pfx"))
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		r = runCLI(t, "", nil, "merge", "--append", "--replace", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:nss-export", abs(t, "exports", "fe3-nss.p12"))
		if r.code != 0 || !strings.Contains(r.stdout, "kept once") {
			t.Fatalf("the same fe3 again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if got := storeAliases(t, out, "changeit1"); got != "ucc-cert,fe2.uc.example.com,fe1.uc.example.com,fe3.uc.example.com" {
			t.Errorf("store holds %s", got)
		}
	})
	t.Run("--replace needs --append", func(t *testing.T) {
		dir := t.TempDir()
		r := runCLI(t, "", nil, "merge", "--replace", "-o", filepath.Join(dir, "new.jks"), "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-renewed", renewed)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--replace") || !strings.Contains(r.stderr, "--append") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		assertDir(t, dir)
	})
}
