package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// inspectDoc is inspect's JSON, every field of an entry kept as raw JSON
// so that absent fields can be told from empty ones.
type inspectDoc struct {
	OK    bool `json:"ok"`
	Files []struct {
		Type    string                       `json:"type"`
		Notes   []string                     `json:"notes"`
		Entries []map[string]json.RawMessage `json:"entries"`
	} `json:"files"`
}

func field(e map[string]json.RawMessage, name string) string {
	var v any
	if raw, ok := e[name]; ok {
		_ = json.Unmarshal(raw, &v)
		if s, ok := v.(string); ok {
			return s
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return "<absent>"
}

// entryLine is an entry as "kind alias key chain_len", for comparisons.
func entryLine(e map[string]json.RawMessage) string {
	return field(e, "kind") + " " + field(e, "alias") + " " + field(e, "key") + " " + field(e, "chain_len")
}

// The files OpenSSL and keytool read that 0.1.0 refused or mangled, read
// by inspect, for people (the lines that matter) and as JSON.
func TestInspectWhatTheToolsRead(t *testing.T) {
	cases := []struct {
		file, pass string
		human      []string // substrings of stdout
		entries    []string // entryLine of each JSON entry, in order
		notes      []string // substrings of the JSON notes
	}{
		{"exports/dsa.pfx", "dsa-export",
			[]string{"key:      DSA 2048", "WARNING:  unsupported: DSA 2048 key"},
			[]string{"key dsa.uc.example.com DSA 2048 3"}, nil},
		{"stores/four-rsa-one-dsa.p12", "changeit1",
			[]string{"dsa.uc.example.com  [key]", "fe3.uc.example.com  [key]"},
			[]string{"key fe1.uc.example.com RSA 2048 3", "key fe2.uc.example.com RSA 2048 3", "key dsa.uc.example.com DSA 2048 3",
				"key fe3.uc.example.com RSA 2048 3", "key ucc.uc.example.com RSA 2048 3"}, nil},
		{"stores/four-rsa-one-dsa.jks", "changeit1",
			[]string{"key:      DSA 2048"},
			[]string{"key fe3.uc.example.com RSA 2048 3", "key fe2.uc.example.com RSA 2048 3", "key fe1.uc.example.com RSA 2048 3",
				"key ucc.uc.example.com RSA 2048 3", "key dsa.uc.example.com DSA 2048 3"}, nil},
		{"pki/dsa.key.pem", "",
			[]string{"key:      DSA 2048", "chain:    0 certificates"},
			[]string{"key  DSA 2048 0"}, nil},
		{"exports/ucc-keyonly.pfx", "keyonly-export",
			[]string{"ucc.uc.example.com  [key]", "chain:    0 certificates", "note: private key \"ucc.uc.example.com\" has no certificate", "WARNING:  key entry has no certificate"},
			[]string{"key ucc.uc.example.com RSA 2048 0"}, []string{"has no certificate in the file"}},
		{"stores/secret-keys.p12", "changeit1",
			[]string{"aes-key  [secret]\n    key:      AES 128\n", "hmac-key  [secret]\n    key:      HmacSHA256 256\n"},
			[]string{"key fe2.uc.example.com RSA 2048 3", "secret aes-key AES 128 0", "secret hmac-key HmacSHA256 256 0"}, nil},
		{"exports/idn.pfx", "idn-export",
			[]string{`dns:      b\u00fccher.uc.example.com (not ASCII)`},
			[]string{"key bücher.uc.example.com RSA 2048 3"}, nil},
		{"exports/negserial.pfx", "negserial-export",
			[]string{"negserial.uc.example.com  [key]"},
			[]string{"key negserial.uc.example.com RSA 2048 3"}, nil},
		{"pki/negserial.cer", "", []string{"CN=negserial.uc.example.com"}, []string{"cert  RSA 2048 1"}, nil},
		{"pki/negserial.pem", "", []string{"CN=negserial.uc.example.com"}, []string{"cert  RSA 2048 1"}, nil},
		{"pki/negserial.p7b", "", []string{"CN=negserial.uc.example.com"}, []string{"cert  RSA 2048 1", "cert  RSA 2048 1", "cert  RSA 2048 1"}, nil},
		{"exports/fe1-padded.pfx", "fe1-export", []string{"note: 3 zero bytes after the PKCS#12 structure ignored"}, []string{"key fe1.uc.example.com RSA 2048 3"}, nil},
		{"exports/fe1-trailing.pfx", "fe1-export", []string{"note: 16 bytes of other data after the PKCS#12 structure ignored (the MAC verifies the structure)"},
			[]string{"key fe1.uc.example.com RSA 2048 3"}, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			args := []string{"inspect"}
			if c.pass != "" {
				args = append(args, "--pass", "pass:"+c.pass)
			}
			args = append(args, fixture(strings.Split(c.file, "/")...))
			r := runCLI(t, "", nil, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, s := range c.human {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("output lacks %q:\n%s", s, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "<nil>") {
				t.Errorf("<nil> in the output:\n%s", r.stdout)
			}
			r = runCLI(t, "", nil, append([]string{args[0], "--json"}, args[1:]...)...)
			var doc inspectDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 || !doc.OK || len(doc.Files) != 1 {
				t.Fatalf("JSON (exit %d): %v\n%s", r.code, err, r.stdout)
			}
			var got []string
			for _, e := range doc.Files[0].Entries {
				got = append(got, entryLine(e))
				if field(e, "sha256") == "" && (field(e, "not_before") != "<absent>" || field(e, "not_after") != "<absent>") {
					t.Errorf("an entry without certificate has validity: %s", entryLine(e))
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.entries, "\n") {
				t.Errorf("entries\n got  %q\n want %q", got, c.entries)
			}
			for _, s := range c.notes {
				if !strings.Contains(strings.Join(doc.Files[0].Notes, "\n"), s) {
					t.Errorf("notes %q lack %q", doc.Files[0].Notes, s)
				}
			}
		})
	}
	// The JSON keeps the exact name; DSA's key problem is in words.
	r := runCLI(t, "", nil, "inspect", "--json", "--pass", "pass:idn-export", fixture("exports", "idn.pfx"))
	if !strings.Contains(r.stdout, `"bücher.uc.example.com"`) {
		t.Errorf("JSON of idn.pfx:\n%s", r.stdout)
	}
	r = runCLI(t, "", nil, "inspect", "--json", "--pass", "pass:dsa-export", fixture("exports", "dsa.pfx"))
	if !strings.Contains(r.stdout, `"key_problem": "unsupported: DSA 2048 key`) {
		t.Errorf("JSON of dsa.pfx:\n%s", r.stdout)
	}
}

// merge of the new fixtures: what is carried, what is refused and why.
func TestMergeWhatTheToolsRead(t *testing.T) {
	dir := t.TempDir()
	type mergeDoc struct {
		Entries  []map[string]json.RawMessage `json:"entries"`
		Notes    []string                     `json:"notes"`
		Findings []struct{ Check, Subject string }
		Error    struct{ Code, Message, File string } `json:"error"`
	}
	cases := []struct {
		name, out, pass, input string
		extra                  []string
		code                   int
		entries                []string // entryLine of the JSON entries (success)
		stderr                 []string // substrings of the human run's stderr
		notes                  []string // substrings of the JSON notes
		check                  string   // a finding the JSON must have
		errCode                string   // the JSON error code (failure)
	}{
		{name: "DSA carried into JKS", out: "dsa.jks", pass: "changeit1", input: "stores/four-rsa-one-dsa.p12",
			entries: []string{"key fe1.uc.example.com RSA 2048 3", "key fe2.uc.example.com RSA 2048 3", "key dsa.uc.example.com DSA 2048 3",
				"key fe3.uc.example.com RSA 2048 3", "key ucc.uc.example.com RSA 2048 3"},
			stderr: []string{"warning: key-weak", "dsa.uc.example.com: DSA 2048 key"}, check: "key-weak"},
		{name: "DSA carried into PKCS#12", out: "dsa.p12", pass: "changeit1", input: "stores/four-rsa-one-dsa.jks",
			entries: []string{"key fe3.uc.example.com RSA 2048 3", "key fe2.uc.example.com RSA 2048 3", "key fe1.uc.example.com RSA 2048 3",
				"key ucc.uc.example.com RSA 2048 3", "key dsa.uc.example.com DSA 2048 3"}, check: "key-weak"},
		{name: "secret keys into PKCS#12", out: "secret.p12", pass: "changeit1", input: "stores/secret-keys.p12",
			entries: []string{"key fe2.uc.example.com RSA 2048 3", "secret aes-key AES 128 0", "secret hmac-key HmacSHA256 256 0"}},
		{name: "secret keys refused by JKS", out: "secret.jks", pass: "changeit1", input: "stores/secret-keys.p12", code: 1,
			stderr: []string{`"aes-key" (AES 128)`, `"hmac-key" (HmacSHA256 256)`, "--drop-secrets", "--type pkcs12"}, errCode: "unsupported"},
		{name: "secret keys dropped from JKS", out: "dropped.jks", pass: "changeit1", input: "stores/secret-keys.p12", extra: []string{"--drop-secrets"},
			entries: []string{"key fe2.uc.example.com RSA 2048 3"}, notes: []string{`secret key "aes-key" (AES 128) dropped`, `secret key "hmac-key" (HmacSHA256 256) dropped`}},
		{name: "key without certificate refused", out: "keyonly.jks", pass: "keyonly-export", input: "exports/ucc-keyonly.pfx", code: 1,
			stderr: []string{"ucc-keyonly.pfx", `key entry "ucc.uc.example.com"`, "no certificate"}, errCode: "failed"},
		{name: "non-ASCII dNSName merged, warned", out: "idn.jks", pass: "idn-export", input: "exports/idn.pfx",
			entries: []string{"key bücher.uc.example.com RSA 2048 3"}, stderr: []string{"warning: cert-malformed-name", `"b\u00fccher.uc.example.com"`}, check: "cert-malformed-name"},
		{name: "negative serial merged", out: "neg.jks", pass: "negserial-export", input: "exports/negserial.pfx",
			entries: []string{"key negserial.uc.example.com RSA 2048 3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, asJSON := range []bool{false, true} {
				out := filepath.Join(dir, map[bool]string{false: "h-", true: "j-"}[asJSON]+c.out)
				args := []string{"merge", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:" + c.pass}
				if asJSON {
					args = append(args, "--json")
				}
				args = append(append(args, c.extra...), fixture(strings.Split(c.input, "/")...))
				r := runCLI(t, "", nil, args...)
				if r.code != c.code {
					t.Fatalf("exit %d, want %d: %s", r.code, c.code, r.stderr)
				}
				if !asJSON {
					for _, s := range c.stderr {
						if !strings.Contains(r.stderr, s) {
							t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
						}
					}
					continue
				}
				var doc mergeDoc
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
					t.Fatalf("JSON: %v\n%s", err, r.stdout)
				}
				if c.code != 0 {
					if doc.Error.Code != c.errCode || !strings.Contains(doc.Error.File, filepath.Base(c.input)) {
						t.Errorf("JSON error %+v, want code %s naming %s", doc.Error, c.errCode, c.input)
					}
					if _, err := os.Stat(out); err == nil {
						t.Error("a refused merge wrote OUT")
					}
					continue
				}
				var got []string
				for _, e := range doc.Entries {
					got = append(got, entryLine(e))
				}
				if strings.Join(got, "\n") != strings.Join(c.entries, "\n") {
					t.Errorf("entries\n got  %q\n want %q", got, c.entries)
				}
				for _, s := range c.notes {
					if !strings.Contains(strings.Join(doc.Notes, "\n"), s) {
						t.Errorf("notes %q lack %q", doc.Notes, s)
					}
				}
				found := c.check == ""
				for _, f := range doc.Findings {
					found = found || f.Check == c.check
				}
				if !found {
					t.Errorf("no %s finding: %+v", c.check, doc.Findings)
				}
			}
		})
	}
}

// The built command reads certificates with negative serial numbers
// without any GODEBUG from its environment: main.go's //go:debug line
// sets x509negativeserial=1.
func TestBinaryReadsNegativeSerials(t *testing.T) {
	bin := buildUccert(t)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	for _, c := range []struct {
		args []string
		want int // files that hold the certificate
	}{
		{[]string{fixture("pki", "negserial.cer"), fixture("pki", "negserial.pem"), fixture("pki", "negserial.p7b")}, 3},
		{[]string{"--pass", "pass:negserial-export", fixture("exports", "negserial.pfx")}, 1},
	} {
		cmd := exec.Command(bin, append([]string{"inspect", "--json"}, c.args...)...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("uccert inspect %v: %v\n%s", c.args, err, out)
		}
		const leaf = `"sha256": "0e0fe49fba0838c06233acae632ff54d30963adc5950ef3446f8a88d423b5a34"`
		if n := strings.Count(string(out), leaf); n != c.want {
			t.Errorf("the negative-serial certificate appears %d times, want %d:\n%s", n, c.want, out)
		}
	}
}

// truststore takes certificates: the secret keys of a PKCS#12 input are
// left out, each named in a note.
func TestTrustStoreNamesSecretKeys(t *testing.T) {
	out := filepath.Join(t.TempDir(), "trust.jks")
	r := runCLI(t, "", nil, "truststore", "--json", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:changeit1", fixture("stores", "secret-keys.p12"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(doc.Notes, "\n")
	for _, s := range []string{`secret key "aes-key" (AES 128) left out`, `secret key "hmac-key" (HmacSHA256 256) left out`} {
		if !strings.Contains(notes, s) {
			t.Errorf("notes %q lack %q", doc.Notes, s)
		}
	}
}

// merge --append onto a store that holds a DSA key keeps it (it is
// carried as read) and adds the new entry.
func TestAppendOntoStoreWithDSAKey(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(abs(t, "stores", "four-rsa-one-dsa.jks"))
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "keys.jks")
	if err := os.WriteFile(store, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", nil, "merge", "--append", "-o", store, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-renewed", abs(t, "exports", "fe1-renewed.pfx"))
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "inspect", "--json", "--pass", "pass:changeit1", store)
	if r.code != 0 || !strings.Contains(r.stdout, `"DSA 2048"`) || strings.Count(r.stdout, `"kind": "key"`) != 6 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}
