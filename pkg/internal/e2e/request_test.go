package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// runHostCode runs the host build of uccert and returns its exit code,
// stdout and stderr.
func runHostCode(t *testing.T, exe string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// fixturesPath is the path of fixtures/NAME.
func fixturesPath(name string) string {
	return filepath.Join("..", "..", "..", "fixtures", filepath.FromSlash(name))
}

// Day zero for the connector host, with the real binary and real judges:
// uccert request; openssl req -verify; an OpenSSL CA (the fixtures' issuing
// CA, copy_extensions) issues the certificate; uccert merge pairs it with
// the pending key and the CA chain; Java loads a key entry with the
// 3-certificate chain; uccert verify passes for the host with the
// fixtures' trust store. Then the three ways pairing fails: a pending key
// without its reply, a reply without its key, a reply for another key.
func TestRequestMergeVerify(t *testing.T) {
	exe := uccertHost(t)
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	env := []string{"UCC_KEY_PASS=pending-pass", "UCC_STORE_PASS=" + storePass, "UCC_TRUST_PASS=" + trustPass}

	out := runHost(t, exe, env, "request", "--host", "ucc.uc.example.com", "--dns", "ucc-pool.uc.example.com",
		"-o", p("ucc.csr"), "--key-out", p("pending.p12"), "--key-pass", "env:UCC_KEY_PASS", "--inf", p("ucc.inf"))
	if !strings.Contains(out, "uccert merge -o ucc-keys.jks --in-pass env:UCC_KEY_PASS --out-pass prompt "+p("pending.p12")+" "+p("ucc.cer")) {
		t.Errorf("request output:\n%s", out)
	}
	if _, err := judge.OpenSSL(t, nil, "req", "-in", p("ucc.csr"), "-verify", "-noout"); err != nil {
		t.Fatalf("openssl req -verify: %v", err)
	}
	issue := func(csr, reply string) {
		t.Helper()
		certPEM, err := judge.OpenSSLSignCSR(t, csr, fixturesPath("pki/issuing.pem"), fixturesPath("pki/issuing.key.pem"), 365)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(reply, []byte(certPEM), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	issue(p("ucc.csr"), p("ucc.cer"))

	store := p("ucc-keys.jks")
	out = runHost(t, exe, env, "merge", "-o", store, "--in-pass", "env:UCC_KEY_PASS", "--out-pass", "env:UCC_STORE_PASS",
		"--host", "ucc.uc.example.com", p("pending.p12"), p("ucc.cer"), fixturesPath("pki/chain.p7b"))
	if !strings.Contains(out, `the placeholder of "pending: ucc.uc.example.com" is replaced by the certificate the CA issued`) {
		t.Errorf("merge output:\n%s", out)
	}
	entries := judge.Java(t).ListStore(t, store, "JKS", storePass)
	if len(entries) != 1 || entries[0].Alias != "ucc.uc.example.com" || entries[0].Kind != "PrivateKeyEntry" ||
		entries[0].ChainLen != 3 || entries[0].Status != "ok" || entries[0].KeyAlg != "RSA" {
		t.Fatalf("Java sees %+v", entries)
	}
	if got := judge.KeytoolList(t, store, "JKS", storePass); !reflect.DeepEqual(got, []string{"ucc.uc.example.com"}) {
		t.Errorf("keytool -list: %q", got)
	}

	code, vout, verr := runHostCode(t, exe, env, "verify", "--json", "--host", "ucc.uc.example.com",
		"--cert-store", store, "--cert-store-pass", "env:UCC_STORE_PASS",
		"--key-store", fixturesPath("stores/truststore.jks"), "--key-store-pass", "env:UCC_TRUST_PASS")
	var report struct {
		OK      bool `json:"ok"`
		Summary struct {
			Warnings, Errors int
		} `json:"summary"`
		Findings []struct {
			Check, Severity, Subject, Message string
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(vout), &report); err != nil {
		t.Fatalf("verify: exit %d %v\n%s%s", code, err, vout, verr)
	}
	if code != 0 || !report.OK || report.Summary.Errors != 0 || report.Summary.Warnings != 0 {
		t.Errorf("verify: exit %d\n%s", code, vout)
	}
	seen := map[string]string{}
	for _, f := range report.Findings {
		seen[f.Check] = f.Severity
	}
	for _, check := range []string{"host-identity-missing", "cert-eku", "chain-untrusted", "key-cert-mismatch"} {
		if seen[check] != "ok" {
			t.Errorf("verify: %s is %q, want ok\n%s", check, seen[check], vout)
		}
	}

	// A second request (another key) and its reply.
	runHost(t, exe, env, "request", "--host", "ucc.uc.example.com", "--key-type", "ec-p256",
		"-o", p("other.csr"), "--key-out", p("other.p12"), "--key-pass", "env:UCC_KEY_PASS")
	issue(p("other.csr"), p("other.cer"))
	for _, c := range []struct {
		name    string
		inputs  []string
		message string
	}{
		{"key without reply", []string{p("pending.p12"), fixturesPath("pki/chain.p7b")},
			"the CA's reply for " + p("pending.p12") + " (CN=ucc.uc.example.com) is missing"},
		{"reply without key", []string{p("ucc.cer"), fixturesPath("pki/chain.p7b")},
			p("ucc.cer") + ": the private key of CN=ucc.uc.example.com is in none of the inputs"},
		{"reply for another key", []string{p("pending.p12"), p("other.cer")},
			p("other.cer") + ": CN=ucc.uc.example.com was issued for another key than the one pending in " + p("pending.p12")},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := p("refused.jks")
			code, stdout, stderr := runHostCode(t, exe, env, append([]string{"merge", "-o", target, "--in-pass", "env:UCC_KEY_PASS",
				"--out-pass", "env:UCC_STORE_PASS"}, c.inputs...)...)
			if code != 1 || stdout != "" || !strings.Contains(stderr, c.message) {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, c.message)
			}
			if _, err := os.Stat(target); !os.IsNotExist(err) {
				t.Errorf("%s written: %v", target, err)
			}
		})
	}
}
