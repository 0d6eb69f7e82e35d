package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInspectGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"inspect-openssl-pfx", []string{"--pass", "pass:fe1-export", fixture("exports", "fe1-openssl.pfx")}},
		{"inspect-windows-pfx", []string{"--pass", "env:WIN", fixture("exports", "fe1-windows.pfx")}},
		{"inspect-trap-jks", []string{"--pass", "pass:changeit1", fixture("stores", "trap.jks")}},
		{"inspect-certfiles", []string{fixture("pki", "root.cer"), fixture("pki", "chain.p7b"), fixture("pki", "chain-pem.p7b")}},
		// --text: a CA, an RSA and an EC leaf (certtext.go documents the form).
		{"inspect-text", []string{"--text", fixture("pki", "root.cer"), fixture("pki", "fe1.pem"), fixture("pki", "fe4.pem")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", map[string]string{"WIN": "win-export"}, append([]string{"inspect"}, c.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden(t, c.name, r.stdout)
		})
	}
}

func TestInspectJSON(t *testing.T) {
	r := runCLI(t, "", nil, "inspect", "--json", "--pass", "pass:changeit1", fixture("stores", "frontends.p12"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		OK    bool `json:"ok"`
		Files []struct {
			File    string `json:"file"`
			Type    string `json:"type"`
			Entries []struct {
				Alias     string    `json:"alias"`
				Kind      string    `json:"kind"`
				Subject   string    `json:"subject"`
				Issuer    string    `json:"issuer"`
				DNSNames  []string  `json:"dns_names"`
				NotBefore time.Time `json:"not_before"`
				NotAfter  time.Time `json:"not_after"`
				Key       string    `json:"key"`
				ChainLen  int       `json:"chain_len"`
				SHA256    string    `json:"sha256"`
			} `json:"entries"`
		} `json:"files"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, r.stdout)
	}
	if !doc.OK || len(doc.Files) != 1 || doc.Files[0].Type != "pkcs12" {
		t.Fatalf("files: %+v", doc.Files)
	}
	kinds := map[string]string{}
	for _, e := range doc.Files[0].Entries {
		kinds[e.Alias] = e.Kind
		if len(e.SHA256) != 64 || e.NotAfter.IsZero() || e.Subject == "" {
			t.Errorf("incomplete entry %+v", e)
		}
		if e.Kind == "key" && (e.ChainLen != 3 || e.Key != "RSA 2048" || len(e.DNSNames) != 2) {
			t.Errorf("key entry %+v", e)
		}
	}
	want := map[string]string{"fe1.uc.example.com": "key", "fe2.uc.example.com": "key", "ucc-cert": "trusted"}
	for a, k := range want {
		if kinds[a] != k {
			t.Errorf("alias %s: kind %q, want %q (all: %v)", a, kinds[a], k, kinds)
		}
	}
	if len(kinds) != len(want) {
		t.Errorf("entries %v, want %v", kinds, want)
	}
}

func TestInspectText(t *testing.T) {
	r := runCLI(t, "", nil, "inspect", "--text", fixture("pki", "root.cer"))
	if r.code != 0 || !strings.Contains(r.stdout, "Signature Algorithm:") || !strings.Contains(r.stdout, "CA:TRUE") {
		t.Fatalf("--text: %+v", r)
	}
}

func TestInspectFailures(t *testing.T) {
	const secretPW = "Sup3r-S3cret-XYZ"
	cases := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		contains []string
	}{
		{"wrong pkcs12 password", "", []string{"--pass", "pass:" + secretPW, fixture("exports", "fe1-openssl.pfx")}, 1, []string{"fe1-openssl.pfx", "wrong password"}},
		{"wrong jks password", "", []string{"--pass", "pass:" + secretPW, fixture("stores", "frontends.jks")}, 1, []string{"frontends.jks", "wrong password"}},
		{"missing file", "", []string{"nope.pfx"}, 1, []string{"nope.pfx"}},
		{"garbage", "", []string{fixture("hostile", "garbage.bin")}, 1, []string{"garbage.bin", "unrecognised"}},
		{"type mismatch", "", []string{"--type", "jks", "--pass", "pass:fe1-export", fixture("exports", "fe1-openssl.pfx")}, 1, []string{"fe1-openssl.pfx", "pkcs12, not jks"}},
		{"no password, no terminal", "", []string{fixture("exports", "fe1-openssl.pfx")}, 2, []string{"--pass"}},
		{"bad source", "", []string{"--pass", "pas:" + secretPW, fixture("exports", "fe1-openssl.pfx")}, 2, []string{"--pass"}},
		{"no file", "", nil, 2, []string{"no FILE"}},
		{"stdin password", secretPW + "\n", []string{"--pass", "stdin", fixture("stores", "frontends.jks")}, 1, []string{"wrong password"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, c.stdin, nil, append([]string{"inspect"}, c.args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, c.code, r.stderr)
			}
			for _, s := range c.contains {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q lacks %q", r.stderr, s)
				}
			}
			if strings.Contains(r.stderr+r.stdout, secretPW) {
				t.Errorf("the password appears in the output: %s", r.stderr)
			}
		})
	}
}

// Every hostile fixture: exit 1, the file and the cause named, no panic.
func TestInspectHostileFiles(t *testing.T) {
	files, err := filepath.Glob(fixture("hostile", "*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("hostile fixtures: %v %d", err, len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			start := time.Now()
			r := runCLI(t, "", nil, "inspect", "--pass", "pass:iterbomb1", f)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, filepath.Base(f)+": ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stderr %q should name the file and a cause", r.stderr)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v (bound: 1 s)", d)
			}
		})
	}
}
