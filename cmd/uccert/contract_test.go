package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/secret"
)

// Options may come before or after the file names in every command, and
// "--" ends them (0.1.0 read `inspect CA.cer --json` as a file "--json").
func TestFlagsAfterPositionals(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
	}{
		{"inspect", []string{"inspect", abs(t, "pki", "root.cer"), "--json"}},
		{"inspect mixed", []string{"inspect", "--pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx"), "--type", "pkcs12", abs(t, "exports", "fe1-nochain.pfx")}},
		{"merge", []string{"merge", "-o", filepath.Join(dir, "m.jks"), abs(t, "exports", "fe1-openssl.pfx"), "--in-pass", "pass:fe1-export", "--out-pass", "pass:changeit1"}},
		{"truststore", []string{"truststore", abs(t, "pki", "root.cer"), "-o", filepath.Join(dir, "t.jks"), "--out-pass=pass:changeit1", "--alias", "ucc-cert"}},
		{"completion", []string{"completion", "bash", "--help"}},
		{"remove", []string{"remove", copyFixture(t, dir, "stores", "fe1-expired-first.jks"), "--expired", "--pass", "pass:changeit1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, c.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
		})
	}
	// After "--" a name that starts with a dash is a file.
	odd := filepath.Join(dir, "-odd.cer")
	data, err := os.ReadFile(abs(t, "pki", "root.cer"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(odd, data, 0o600)
	t.Chdir(dir)
	r := runCLI(t, "", nil, "inspect", "--json", "--", "-odd.cer")
	if r.code != 0 || !strings.Contains(r.stdout, `"file": "-odd.cer"`) {
		t.Fatalf("exit %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// failureDoc is the JSON of a failed command.
type failureDoc struct {
	OK    *bool `json:"ok"`
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		File    string `json:"file"`
	} `json:"error"`
}

// With --json every outcome is JSON on stdout: failures too, with a code
// scripts can test, the message and the file concerned.
func TestJSONFailures(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "exists.jks")
	os.WriteFile(existing, []byte("x"), 0o600)
	copyTo := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	frontends := copyTo("frontends.jks", mustRead(t, abs(t, "stores", "frontends.jks")))
	truncated := copyTo("truncated.jks", mustRead(t, abs(t, "hostile", "truncated.jks")))
	big := copyTo("big.txt", bytes.Repeat([]byte("a"), 2<<20))
	cases := []struct {
		name, code, file string
		exit             int
		args             []string
	}{
		{"wrong password", "wrong-password", abs(t, "exports", "fe1-openssl.pfx"), 1,
			[]string{"merge", "--json", "-o", filepath.Join(dir, "a.jks"), "--out-pass", "pass:changeit1", "--in-pass", "pass:wrong-pw-1", abs(t, "exports", "fe1-openssl.pfx")}},
		{"missing input", "not-found", filepath.Join(dir, "nope.pfx"), 1,
			[]string{"truststore", "--json", "-o", filepath.Join(dir, "b.jks"), "--out-pass", "pass:changeit1", filepath.Join(dir, "nope.pfx")}},
		{"exists", "exists", existing, 1,
			[]string{"merge", "--json", "-o", existing, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx")}},
		{"usage", "usage", "", 2, []string{"merge", "--json", "--append", "--force", "-o", existing, "x.pfx"}},
		{"no password, no terminal", "usage", "", 2,
			[]string{"merge", "--json", "-o", filepath.Join(dir, "c.jks"), "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx")}},
		{"prompt, no terminal", "usage", "", 2,
			[]string{"merge", "--json", "-o", filepath.Join(dir, "d.jks"), "--out-pass", "prompt", "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx")}},
		{"args: wrong password", "wrong-password", abs(t, "stores", "ucc.jks"), 1,
			[]string{"args", "--format", "json", "--json", "--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:wrong-pw-1"}},
		{"verify usage", "usage", "", 2, []string{"verify", "--json"}},
		// --format json is --json: failures are JSON too.
		{"verify --format json usage", "usage", "", 2, []string{"verify", "--format", "json"}},
		{"verify --format=json, args file missing", "not-found", filepath.Join(dir, "startup.bat"), 1,
			[]string{"verify", "--format=json", "--args-file", filepath.Join(dir, "startup.bat")}},
		{"args --format json: wrong password", "wrong-password", abs(t, "stores", "ucc.jks"), 1,
			[]string{"args", "--format", "json", "--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:wrong-pw-1"}},
		// The file of an error about OUT, a password file or an --args-file.
		{"--append: OUT's password is wrong", "wrong-password", frontends, 1,
			[]string{"merge", "--json", "-o", frontends, "--append", "--out-pass", "pass:wrong-pw-1", "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx")}},
		{"--append: OUT is damaged", "malformed", truncated, 1,
			[]string{"truststore", "--json", "-o", truncated, "--append", "--out-pass", "pass:changeit1", abs(t, "pki", "root.cer")}},
		{"OUT's password too short", "password-source", filepath.Join(dir, "e.jks"), 1,
			[]string{"truststore", "--json", "-o", filepath.Join(dir, "e.jks"), "--out-pass", "pass:abc12", abs(t, "pki", "root.cer")}},
		{"password file missing", "not-found", filepath.Join(dir, "nope.pw"), 1,
			[]string{"verify", "--json", "--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "file:" + filepath.Join(dir, "nope.pw")}},
		{"--args-file too large", "too-large", big, 1, []string{"verify", "--json", "--args-file", big}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, c.args...)
			if r.code != c.exit {
				t.Fatalf("exit %d, want %d: %s", r.code, c.exit, r.stderr)
			}
			var doc failureDoc
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%q", err, r.stdout)
			}
			if doc.OK == nil || *doc.OK || doc.Error.Code != c.code || doc.Error.Message == "" || doc.Error.File != c.file {
				t.Fatalf("%+v, want code %s file %q", doc, c.code, c.file)
			}
			if strings.Contains(r.stdout, "wrong-pw-1") {
				t.Error("a password in the JSON")
			}
		})
	}
}

// inspect reports every file and goes on after one that fails; exit 1.
func TestInspectGoesOn(t *testing.T) {
	r := runCLI(t, "", nil, "inspect", "--json", "--pass", "pass:wrong-pw-1", abs(t, "exports", "fe1-openssl.pfx"), abs(t, "pki", "root.cer"))
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		OK    bool `json:"ok"`
		Files []struct {
			File    string          `json:"file"`
			Entries json.RawMessage `json:"entries"`
			Error   *struct {
				Code string `json:"code"`
			} `json:"error"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OK || len(doc.Files) != 2 || doc.Files[0].Error == nil || doc.Files[0].Error.Code != "wrong-password" ||
		doc.Files[1].Error != nil || len(doc.Files[1].Entries) == 0 {
		t.Fatalf("%s", r.stdout)
	}
	r = runCLI(t, "", nil, "inspect", "--pass", "pass:wrong-pw-1", abs(t, "exports", "fe1-openssl.pfx"), abs(t, "pki", "root.cer"))
	if r.code != 1 || !strings.Contains(r.stdout, "UC Test Root CA") || !strings.Contains(r.stderr, "wrong password") {
		t.Fatalf("text: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A JKS without its password is listed as keytool -list does, saying
// that its integrity was not checked.
func TestInspectJKSWithoutPassword(t *testing.T) {
	r := runCLI(t, "", nil, "inspect", abs(t, "stores", "ucc-with-fes.jks"))
	if r.code != 0 || !strings.Contains(r.stdout, "integrity was not checked") || strings.Count(r.stdout, "[key]") != 3 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A PKCS#12 still needs its password.
	if r := runCLI(t, "", nil, "inspect", abs(t, "stores", "ucc-with-fes.p12")); r.code != exitUsage {
		t.Fatalf("PKCS#12 without password: exit %d", r.code)
	}
}

// The codes the help lists are the codes errorCode gives, and the other
// way round.
func TestJSONContractListsEveryCode(t *testing.T) {
	samples := []error{
		usagef("x"), keystore.ErrIncorrectPassword, keystore.ErrKeyPassword, fs.ErrNotExist, keystore.ErrExists,
		keystore.ErrTooLarge, keystore.ErrLocked, keystore.ErrUnsupported, keystore.ErrMalformed,
		secret.ErrBadSource, &finding.Failed{}, merge.ErrNoMatch, merge.ErrLastEntry, errors.New("other"),
		&keystore.NotRegularError{Path: "/dev/null", Mode: fs.ModeDevice | fs.ModeCharDevice}, &interruptedError{os.Interrupt},
	}
	got := map[string]bool{}
	for _, err := range samples {
		got[errorCode(err)] = true
	}
	listed := map[string]bool{}
	text := strings.Join(strings.Fields(jsonContract), " ")
	start := strings.Index(text, "CODE one of ") + len("CODE one of ")
	for _, c := range strings.Split(text[start:strings.Index(text[start:], ".")+start], ", ") {
		listed[c] = true
	}
	for c := range got {
		if !listed[c] {
			t.Errorf("errorCode gives %q, which the help does not list", c)
		}
	}
	for c := range listed {
		if !got[c] {
			t.Errorf("the help lists %q, which no sample produces", c)
		}
	}
}

// mustRead is os.ReadFile that fails the test on an error.
func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Every command's --json success has "ok": true, as its failure has
// "ok": false: `jq -e .ok` tells them apart for any command.
func TestJSONSuccessSaysOK(t *testing.T) {
	dir := t.TempDir()
	keys, trust := filepath.Join(dir, "k.jks"), filepath.Join(dir, "t.jks")
	for _, args := range [][]string{
		{"inspect", "--json", abs(t, "pki", "root.cer")},
		{"merge", "--json", "-o", keys, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", "--in-pass", "pass:fe2-export",
			abs(t, "exports", "fe1-openssl.pfx"), abs(t, "exports", "fe2-legacy.pfx")},
		{"truststore", "--json", "-o", trust, "--out-pass", "pass:changeit1", abs(t, "pki", "root.cer")},
		{"remove", "--json", "--pass", "pass:changeit1", "--alias", "fe2.uc.example.com", keys},
		{"verify", "--json", "--host", "fe1.uc.example.com", "--cert-store", keys, "--cert-store-pass", "pass:changeit1", "--key-store", trust, "--key-store-pass", "pass:changeit1"},
	} {
		r := runCLI(t, "", nil, args...)
		var doc struct {
			OK *bool `json:"ok"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 || doc.OK == nil || !*doc.OK {
			t.Errorf("%s: exit %d, ok %v (%v)\n%s%s", args[0], r.code, doc.OK, err, r.stdout, r.stderr)
		}
	}
}
