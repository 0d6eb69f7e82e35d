package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/request"
	"github.com/uccert/uccert/pkg/secret"
)

const keyPass = "pending-pass"

// requestIn runs uccert request in dir with the pending key's password in
// $KP and returns the result.
func requestIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	base := []string{"request", "-o", filepath.Join(dir, "ucc.csr"), "--key-out", filepath.Join(dir, "pending.p12"), "--key-pass", "env:KP"}
	return runCLI(t, "", map[string]string{"KP": keyPass}, append(base, args...)...)
}

func TestRequestWrites(t *testing.T) {
	dir := t.TempDir()
	csrPath, keyPath, infPath := filepath.Join(dir, "ucc.csr"), filepath.Join(dir, "pending.p12"), filepath.Join(dir, "ucc.inf")
	r := requestIn(t, dir, "--host", "ucc.uc.example.com", "--dns", "ucc-pool.uc.example.com", "--inf", infPath)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The request.
	data, err := os.ReadFile(csrPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || csr.CheckSignature() != nil {
		t.Fatalf("request: %v", err)
	}
	if !reflect.DeepEqual(csr.DNSNames, []string{"ucc.uc.example.com", "ucc-pool.uc.example.com"}) || certfile.DN(csr.RawSubject) != "CN=ucc.uc.example.com" ||
		csr.SignatureAlgorithm != x509.SHA256WithRSA || keystore.PublicKeyDescription(csr.PublicKey) != "RSA 2048" {
		t.Errorf("request: %v %s %v", csr.DNSNames, certfile.DN(csr.RawSubject), csr.SignatureAlgorithm)
	}
	// The pending key, under its password, for the request's key.
	s, err := keystore.Load(keyPath, keystore.DecodeOptions{Password: secret.NewPassword(keyPass)})
	if err != nil || s.Format != keystore.FormatPKCS12 || len(s.Entries) != 1 || !request.IsPending(s.Entries[0]) ||
		s.Entries[0].Alias != "pending: ucc.uc.example.com" {
		t.Fatalf("pending key: %v %+v", err, s)
	}
	if !keystore.KeyMatchesCert(s.Entries[0].Key, &x509.Certificate{PublicKey: csr.PublicKey}) {
		t.Error("the pending key is not the request's key")
	}
	if runtime.GOOS != "windows" {
		assertMode(t, keyPath)
	}
	// The INF.
	inf, err := os.ReadFile(infPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(inf), "\n") != strings.Count(string(inf), "\r\n") || !strings.Contains(string(inf), "\r\n_continue_ = \"dns=ucc-pool.uc.example.com\"\r\n") {
		t.Errorf("INF:\n%q", inf)
	}
	assertDir(t, dir, "pending.p12", "ucc.csr", "ucc.inf")
	for _, want := range []string{
		"Wrote " + csrPath + ": the certificate request for the CA (PKCS#10, PEM)\n",
		"    DNS:      ucc.uc.example.com, ucc-pool.uc.example.com\n",
		"    key:      RSA 2048, signed with SHA-256\n",
		"Wrote " + keyPath + `: the pending key (PKCS#12, entry "pending: ucc.uc.example.com", placeholder valid until 2027-02-22)`,
		"Wrote " + infPath + ": the same request as a certreq policy file\n",
		`     certreq -submit -attrib "CertificateTemplate:WebServer" ` + shellWord(csrPath) + " " + shellWord(filepath.Join(dir, "ucc.cer")) + "\n",
		"     uccert merge -o ucc-keys.jks --in-pass env:KP --out-pass prompt " + shellWord(keyPath) + " " + shellWord(filepath.Join(dir, "ucc.cer")) + "\n",
		"http://CA/certsrv",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, keyPass) {
		t.Error("the password was printed")
	}
}

func TestRequestJSON(t *testing.T) {
	dir := t.TempDir()
	r := requestIn(t, dir, "--json", "--host", "ucc.uc.example.com", "--key-type", "ec-p256", "--subject", "/O=UC Example/CN=ucc01")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc struct {
		OK                  bool      `json:"ok"`
		CSR                 string    `json:"csr"`
		KeyOut              string    `json:"key_out"`
		INF                 *string   `json:"inf"`
		Subject             string    `json:"subject"`
		DNSNames            []string  `json:"dns_names"`
		Key                 string    `json:"key"`
		Signature           string    `json:"signature"`
		PendingAlias        string    `json:"pending_alias"`
		PlaceholderNotAfter time.Time `json:"placeholder_not_after"`
		Next                []string  `json:"next"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if !doc.OK || doc.CSR != filepath.Join(dir, "ucc.csr") || doc.KeyOut != filepath.Join(dir, "pending.p12") || doc.INF != nil ||
		doc.Subject != "CN=ucc01,O=UC Example" || !reflect.DeepEqual(doc.DNSNames, []string{"ucc.uc.example.com"}) ||
		doc.Key != "EC P-256" || doc.Signature != "ECDSA-SHA256" || doc.PendingAlias != "pending: ucc.uc.example.com" ||
		!doc.PlaceholderNotAfter.Equal(time.Date(2027, 2, 22, 12, 0, 0, 0, time.UTC)) || len(doc.Next) != 2 ||
		!strings.HasPrefix(doc.Next[0], "certreq -submit ") || !strings.HasPrefix(doc.Next[1], "uccert merge ") {
		t.Errorf("%+v", doc)
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestRequestRefuses(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "exists.csr")
	os.WriteFile(existing, []byte("old"), 0o644)
	jksOut := filepath.Join(dir, "p.jks")
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		code    int
		message string
	}{
		{"no host", []string{"-o", "a.csr", "--key-out", "a.p12"}, nil, 2, "--host FQDN is required"},
		{"short host", []string{"--host", "ucc", "-o", "a.csr", "--key-out", "a.p12"}, nil, 2, `--host "ucc": "ucc": not a fully qualified domain name`},
		{"bad dns", []string{"--host", "ucc.uc.example.com", "--dns", "bad_name.example.com", "-o", "a.csr", "--key-out", "a.p12"}, nil, 2, `--dns "bad_name.example.com"`},
		{"bad key type", []string{"--host", "ucc.uc.example.com", "--key-type", "rsa1024", "-o", "a.csr", "--key-out", "a.p12"}, nil, 2, `--key-type: unknown key type: "rsa1024"`},
		{"bad subject", []string{"--host", "ucc.uc.example.com", "--subject", "O=no cn", "-o", filepath.Join(dir, "a.csr"), "--key-out", filepath.Join(dir, "a.p12"), "--key-pass", "env:KP"},
			map[string]string{"KP": keyPass}, 2, "--subject: bad subject name: \"O=no cn\" has no CN"},
		{"FQDN too long for a CN", []string{"--host", strings.Repeat("a", 60) + ".uc.example.com", "-o", filepath.Join(dir, "a.csr"), "--key-out", filepath.Join(dir, "a.p12"), "--key-pass", "env:KP"},
			map[string]string{"KP": keyPass}, 2, "(such as --subject CN=" + strings.Repeat("a", 60) + ")"},
		{"no -o", []string{"--host", "ucc.uc.example.com", "--key-out", "a.p12"}, nil, 2, "-o FILE.csr is required"},
		{"no --key-out", []string{"--host", "ucc.uc.example.com", "-o", "a.csr"}, nil, 2, "--key-out PENDING.p12 is required"},
		{"key-out .jks", []string{"--host", "ucc.uc.example.com", "-o", "a.csr", "--key-out", jksOut}, nil, 2, "the pending key is written as PKCS#12"},
		{"same file twice", []string{"--host", "ucc.uc.example.com", "-o", "a.p12", "--key-out", "a.p12"}, nil, 2, "-o and --key-out name the same file"},
		{"inf is the request", []string{"--host", "ucc.uc.example.com", "-o", "a.csr", "--key-out", "a.p12", "--inf", "./a.csr"}, nil, 2, "-o and --inf name the same file"},
		{"a positional argument", []string{"--host", "ucc.uc.example.com", "-o", "a.csr", "--key-out", "a.p12", "extra"}, nil, 2, "request takes no arguments"},
		{"bad password source", []string{"--host", "ucc.uc.example.com", "-o", "a.csr", "--key-out", "a.p12", "--key-pass", "envKP"}, nil, 2, "--key-pass"},
		{"no password, no terminal", []string{"--host", "ucc.uc.example.com", "-o", filepath.Join(dir, "a.csr"), "--key-out", filepath.Join(dir, "a.p12")}, nil, 2,
			"new password for a.p12: none given and no terminal to ask on; use --key-pass SRC"},
		{"short password", []string{"--host", "ucc.uc.example.com", "-o", filepath.Join(dir, "a.csr"), "--key-out", filepath.Join(dir, "a.p12"), "--key-pass", "env:KP"},
			map[string]string{"KP": "short"}, 1, "a.p12: store passwords must have at least 6 characters"},
		{"non-ASCII password", []string{"--host", "ucc.uc.example.com", "-o", filepath.Join(dir, "a.csr"), "--key-out", filepath.Join(dir, "a.p12"), "--key-pass", "env:KP"},
			map[string]string{"KP": "pässwort"}, 1, "Java cannot open a PKCS#12 store whose password is not ASCII"},
		{"request exists", []string{"--host", "ucc.uc.example.com", "-o", existing, "--key-out", filepath.Join(dir, "a.p12"), "--key-pass", "env:KP"},
			map[string]string{"KP": keyPass}, 1, existing + ": file exists: give --force to replace it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.env, append([]string{"request"}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.message) || r.stdout != "" {
				t.Errorf("exit %d (want %d)\nstdout %q\nstderr %q\nwant %q", r.code, c.code, r.stdout, r.stderr, c.message)
			}
			assertDir(t, dir, "exists.csr")
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "old" {
		t.Error("the existing request was changed")
	}
}

// An existing pending key is never replaced without --force (its request
// may be at the CA); with --force all outputs are replaced.
func TestRequestForce(t *testing.T) {
	dir := t.TempDir()
	if r := requestIn(t, dir, "--host", "ucc.uc.example.com"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	keyPath := filepath.Join(dir, "pending.p12")
	before, _ := os.ReadFile(keyPath)
	os.Remove(filepath.Join(dir, "ucc.csr"))
	r := requestIn(t, dir, "--host", "ucc.uc.example.com")
	if r.code != 1 || !strings.Contains(r.stderr, "a pending key replaced can no longer take the reply to its request") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(keyPath); string(after) != string(before) {
		t.Error("the pending key changed")
	}
	assertDir(t, dir, "pending.p12")
	if r := requestIn(t, dir, "--host", "ucc.uc.example.com", "--force"); r.code != 0 {
		t.Fatalf("--force: exit %d: %s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(keyPath); string(after) == string(before) {
		t.Error("--force did not replace the pending key")
	}
	assertDir(t, dir, "pending.p12", "ucc.csr")
}

// issueReply plays the CA for the request in csrPath: the fixtures'
// issuing CA signs it (extensions copied) and the reply is written as DER.
func issueReply(t *testing.T, csrPath, out string) {
	t.Helper()
	data, err := os.ReadFile(csrPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certfile.Load(fixture("pki", "issuing.pem"))
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(fixture("pki", "issuing.key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := pem.Decode(keyPEM)
	caKey, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: serial, RawSubject: csr.RawSubject,
		NotBefore: now, NotAfter: now.AddDate(1, 0, 0), ExtraExtensions: csr.Extensions}, ca.Certificates[0], csr.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, der, 0o644); err != nil {
		t.Fatal(err)
	}
}

// uccert merge pairs the CA's reply with the pending key; a pending key
// without its reply, a reply without its key and a reply for another key
// are refused, naming the file to add.
func TestMergePendingKey(t *testing.T) {
	dir := t.TempDir()
	if r := requestIn(t, dir, "--host", "ucc.uc.example.com"); r.code != 0 {
		t.Fatalf("request: exit %d: %s", r.code, r.stderr)
	}
	other := t.TempDir()
	if r := requestIn(t, other, "--host", "ucc.uc.example.com", "--key-type", "ec-p256"); r.code != 0 {
		t.Fatalf("request: exit %d: %s", r.code, r.stderr)
	}
	pending, reply, otherReply := filepath.Join(dir, "pending.p12"), filepath.Join(dir, "ucc.cer"), filepath.Join(other, "ucc.cer")
	issueReply(t, filepath.Join(dir, "ucc.csr"), reply)
	issueReply(t, filepath.Join(other, "ucc.csr"), otherReply)
	envs := map[string]string{"KP": keyPass, "OUT": "changeit1"}
	out := filepath.Join(t.TempDir(), "ucc-keys.jks")
	mergeArgs := func(inputs ...string) []string {
		return append([]string{"merge", "-o", out, "--in-pass", "env:KP", "--out-pass", "env:OUT", "--host", "ucc.uc.example.com"}, inputs...)
	}

	r := runCLI(t, "", envs, mergeArgs(pending, reply, fixture("pki", "chain.p7b"))...)
	if r.code != 0 {
		t.Fatalf("merge: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `note: `+pending+`: the placeholder of "pending: ucc.uc.example.com" is replaced by the certificate the CA issued (`+reply) ||
		!strings.Contains(r.stdout, "  ucc.uc.example.com  [key]") || r.stderr != "" {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	s, err := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	if err != nil || len(s.Entries) != 1 || s.Entries[0].Alias != "ucc.uc.example.com" || len(s.Entries[0].Chain) != 3 || request.IsPending(s.Entries[0]) {
		t.Fatalf("%v %+v", err, s)
	}
	os.Remove(out)

	cases := []struct {
		name    string
		args    []string
		message string
		file    string
	}{
		{"pending key without its reply", mergeArgs(pending, fixture("pki", "chain.p7b")),
			"the CA's reply for " + pending + " (CN=ucc.uc.example.com) is missing: add the certificate the CA issued for this request", pending},
		{"reply without its pending key", mergeArgs(reply, fixture("pki", "chain.p7b")),
			reply + ": the private key of CN=ucc.uc.example.com is in none of the inputs", reply},
		{"a reply for another key", mergeArgs(pending, otherReply),
			otherReply + ": CN=ucc.uc.example.com was issued for another key than the one pending in " + pending, otherReply},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", envs, c.args...)
			if r.code != 1 || !strings.Contains(r.stderr, c.message) {
				t.Errorf("exit %d\nstderr %q\nwant   %q", r.code, r.stderr, c.message)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s written (%v)", out, err)
			}
			r = runCLI(t, "", envs, append(c.args, "--json")...)
			var doc failureDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Error.File != c.file || !strings.Contains(doc.Error.Message, c.message) {
				t.Errorf("JSON %s (%v)", r.stdout, err)
			}
		})
	}

	// --append: a store of Front Ends gets the connector host's entry; a
	// pending key without reply never reaches it.
	store := filepath.Join(t.TempDir(), "keys.jks")
	if r := runCLI(t, "", envs, "merge", "-o", store, "--in-pass", "pass:fe1-export", "--out-pass", "env:OUT", fixture("exports", "fe1-openssl.pfx")); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before, _ := os.ReadFile(store)
	r = runCLI(t, "", envs, "merge", "--append", "-o", store, "--in-pass", "env:KP", "--out-pass", "env:OUT", pending)
	if r.code != 1 || !strings.Contains(r.stderr, "the CA's reply for "+pending) {
		t.Fatalf("--append without reply: exit %d %s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(store); string(after) != string(before) {
		t.Error("the store changed")
	}
	r = runCLI(t, "", envs, "merge", "--append", "-o", store, "--in-pass", "env:KP", "--out-pass", "env:OUT", pending, reply, fixture("pki", "chain.p7b"))
	if r.code != 0 {
		t.Fatalf("--append: exit %d %s", r.code, r.stderr)
	}
	s, err = keystore.Load(store, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	var got []string
	for _, e := range s.Entries {
		got = append(got, e.Alias)
	}
	if err != nil || !reflect.DeepEqual(got, []string{"fe1.uc.example.com", "ucc.uc.example.com"}) {
		t.Fatalf("%v %v", err, got)
	}
}

// On a terminal the pending key's password is asked twice; a non-ASCII
// one is refused and asked again.
func TestRequestPrompts(t *testing.T) {
	dir := t.TempDir()
	p := &fakePrompter{answers: []string{"pässwort", "pending-pass", "pending-pass"}}
	var stdout, stderr strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, prompter: p,
		getenv: func(string) (string, bool) { return "", false }, now: time.Now}
	code := run(context.Background(), []string{"uccert", "request", "--host", "ucc.uc.example.com", "--key-type", "ec-p256",
		"-o", filepath.Join(dir, "ucc.csr"), "--key-out", filepath.Join(dir, "pending.p12")}, e)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := []string{"new password for pending.p12", "new password for pending.p12", "new password for pending.p12 (again)"}
	if !reflect.DeepEqual(p.labels, want) || !strings.Contains(stderr.String(), "not ASCII; choose an ASCII password; try again") {
		t.Errorf("prompts %q\nstderr %s", p.labels, stderr.String())
	}
	if _, err := keystore.Load(filepath.Join(dir, "pending.p12"), keystore.DecodeOptions{Password: secret.NewPassword("pending-pass")}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "--in-pass prompt --out-pass prompt") {
		t.Errorf("the merge line should ask for the password:\n%s", stdout.String())
	}
}
