package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
)

func TestTruststoreGolden(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc-trust.jks")
	r := runCLI(t, "", nil, "truststore", "-o", out, "--out-pass", "pass:trustpass1", "--alias", "ucc-cert",
		abs(t, "pki", "root.cer"), abs(t, "pki", "chain.p7b"), abs(t, "pki", "chain-pem.p7b"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	golden(t, "truststore-jks", normalize(r.stdout, map[string]string{dir: "$OUT", abs(t): "$FIXTURES"}))
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
	s, err := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("trustpass1")})
	if err != nil || len(s.Entries) != 2 || s.Entries[0].Kind != keystore.KindTrusted {
		t.Fatalf("%v %+v", err, s)
	}
}

func TestTruststoreWarningsJSONAndPKCS12(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "trust.p12")
	r := runCLI(t, "", nil, "truststore", "--json", "-o", out, "--out-pass", "pass:trustpass1", "--in-pass", "pass:changeit1",
		abs(t, "pki", "expired.pem"), abs(t, "stores", "frontends.jks"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Type    string `json:"type"`
		Entries []struct {
			Alias string `json:"alias"`
			Kind  string `json:"kind"`
		} `json:"entries"`
		Notes    []string `json:"notes"`
		Warnings []string `json:"warnings"`
		Args     []string `json:"args"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// expired leaf, fe1, fe2, issuing, root (root given twice in the JKS: kept once).
	if doc.Type != "pkcs12" || len(doc.Entries) != 5 {
		t.Fatalf("doc %+v", doc)
	}
	if !strings.Contains(r.stderr, "expired on 2021-01-01") || !strings.Contains(r.stderr, "is not a CA certificate") {
		t.Errorf("stderr %s", r.stderr)
	}
	if strings.Join(doc.Args, " ") != "-key_store_file "+out+" -key_store_pass ******** -key_store_type pkcs12" {
		t.Errorf("args %v", doc.Args)
	}
	s, err := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("trustpass1")})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range s.Entries {
		if e.Kind != keystore.KindTrusted {
			t.Errorf("%q is %v", e.Alias, e.Kind)
		}
	}
}

func TestTruststoreFailures(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "trust.jks")
	cases := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"garbage CA file", []string{abs(t, "hostile", "garbage.bin")}, 1, "garbage.bin"},
		{"truncated CA file", []string{"--in-pass", "pass:fe1-export", abs(t, "hostile", "truncated.pfx")}, 1, "truncated.pfx"},
		{"store without password", []string{abs(t, "exports", "fe1-openssl.pfx")}, 2, "password for fe1-openssl.pfx: none given"},
		{"no file", nil, 2, "no CERTFILE"},
		{"wrong store password", []string{"--in-pass", "pass:nope-nope", abs(t, "stores", "truststore.jks")}, 1, "wrong password"},
		{"missing", []string{filepath.Join(dir, "CA.cer")}, 1, "CA.cer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"truststore", "-o", out, "--out-pass", "pass:trustpass1"}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.contains) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, c.code, c.contains)
			}
			assertDir(t, dir)
		})
	}
}
