package e2e

import (
	"encoding/pem"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// uccert.exe request on Windows, with the outputs under C:\Program Files
// (spaces in the folder and the file names) and the pending key's password
// in a file saved with CRLF, as Notepad saves it: OpenSSL on the Linux
// side verifies the request, reads the pending key with the password
// without its CR, and an OpenSSL CA issues the certificate; the INF has
// CRLF line ends and the request's fields. uccert.exe merge then pairs the
// reply (DER, as certreq saves it) with the pending key and the CA chain,
// and Java loads the result. A pending key without its reply, a reply
// without its key and a reply for another key are refused.
func TestWineRequest(t *testing.T) {
	s := setup(t)
	const pass = "pending-pass"
	s.w.WriteFile(t, s.path("key.pass"), []byte(pass+"\r\n"))
	csr, pending, inf, reply := "ucc host.csr", "ucc pending.p12", "ucc host.inf", "ucc host.cer"

	r := s.ok(t, "request", "--host", "ucc.uc.example.com", "--dns", "ucc-pool.uc.example.com",
		"-o", s.path(csr), "--key-out", s.path(pending), "--key-pass", "file:"+s.path("key.pass"), "--inf", s.path(inf))
	for _, want := range []string{
		`certreq -submit -attrib "CertificateTemplate:WebServer" "` + s.path(csr) + `" "` + s.path(reply) + `"`,
		`uccert merge -o ucc-keys.jks --in-pass "file:` + s.path("key.pass") + `" --out-pass prompt "` + s.path(pending) + `" "` + s.path(reply) + `"`,
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.Stdout)
		}
	}
	if strings.Contains(r.Stdout+r.Stderr, pass) {
		t.Error("the password was printed")
	}

	// The request, judged by OpenSSL.
	if _, err := judge.OpenSSL(t, nil, "req", "-in", s.linux(csr), "-verify", "-noout"); err != nil {
		t.Fatalf("openssl req -verify: %v", err)
	}
	text, err := judge.OpenSSL(t, nil, "req", "-in", s.linux(csr), "-noout", "-text")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Subject: CN = ucc.uc.example.com", "DNS:ucc.uc.example.com, DNS:ucc-pool.uc.example.com",
		"TLS Web Server Authentication, TLS Web Client Authentication", "Digital Signature, Key Encipherment", "sha256WithRSAEncryption"} {
		if !strings.Contains(text, want) {
			t.Errorf("openssl req -text lacks %q:\n%s", want, text)
		}
	}
	// The pending key opens with the password as typed, without the CR.
	if keys, certs, err := judge.OpenSSLPKCS12Info(t, s.linux(pending), pass, false); err != nil || keys != 1 || certs != 1 {
		t.Errorf("openssl pkcs12: %d keys, %d certificates, %v", keys, certs, err)
	}
	// The INF.
	data, err := os.ReadFile(s.linux(inf))
	if err != nil {
		t.Fatal(err)
	}
	text = string(data)
	if strings.Count(text, "\n") != strings.Count(text, "\r\n") || strings.Count(text, "\r") != strings.Count(text, "\r\n") {
		t.Errorf("the INF's line ends are not all CRLF: %q", text)
	}
	for _, want := range []string{"\r\n[NewRequest]\r\n", "\r\nSubject = \"CN=ucc.uc.example.com\"\r\n", "\r\nKeyLength = 2048\r\n",
		"\r\n_continue_ = \"dns=ucc.uc.example.com&\"\r\n", "\r\n_continue_ = \"dns=ucc-pool.uc.example.com\"\r\n",
		"\r\nOID = 1.3.6.1.5.5.7.3.1 ; Server Authentication\r\n", "\r\nOID = 1.3.6.1.5.5.7.3.2 ; Client Authentication\r\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("the INF lacks %q:\n%s", want, text)
		}
	}

	// A pending key without its reply never reaches a store.
	store := "ucc keys.jks"
	refused := s.uccert(t, "merge", "-o", s.path(store), "--in-pass", "file:"+s.path("key.pass"), "--out-pass", "file:"+s.path("out.pass"),
		s.path(pending), s.path("ca chain.p7b"))
	if refused.ExitCode != 1 || !strings.Contains(refused.Stderr, "the CA's reply for "+s.path(pending)+" (CN=ucc.uc.example.com) is missing") {
		t.Errorf("merge without the reply: exit %d\n%s%s", refused.ExitCode, refused.Stdout, refused.Stderr)
	}

	// The CA's reply, DER as certreq -submit saves it.
	certPEM, err := judge.OpenSSLSignCSR(t, s.linux(csr), fixturesPath("pki/issuing.pem"), fixturesPath("pki/issuing.key.pem"), 365)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(certPEM))
	s.w.WriteFile(t, s.path(reply), block.Bytes)
	s.ok(t, "merge", "-o", s.path(store), "--in-pass", "file:"+s.path("key.pass"), "--out-pass", "file:"+s.path("out.pass"),
		s.path(pending), s.path(reply), s.path("ca chain.p7b"))
	if got := keyAliases(t, s.linux(store), "JKS", storePass); !reflect.DeepEqual(got, []string{"ucc.uc.example.com"}) {
		t.Fatalf("Java: %v", got)
	}

	// A reply without its key, and a reply for another key (a second
	// request's), are refused too, naming the file.
	s.ok(t, "request", "--host", "ucc.uc.example.com", "-o", s.path("other.csr"), "--key-out", s.path("other.p12"),
		"--key-pass", "file:"+s.path("key.pass"))
	otherPEM, err := judge.OpenSSLSignCSR(t, s.linux("other.csr"), fixturesPath("pki/issuing.pem"), fixturesPath("pki/issuing.key.pem"), 365)
	if err != nil {
		t.Fatal(err)
	}
	s.w.WriteFile(t, s.path("other.cer"), []byte(otherPEM))
	for _, c := range []struct {
		name, message string
		inputs        []string
	}{
		{"reply without key", s.path(reply) + ": the private key of CN=ucc.uc.example.com is in none of the inputs", []string{s.path(reply), s.path("ca chain.p7b")}},
		{"reply for another key", s.path("other.cer") + ": CN=ucc.uc.example.com was issued for another key than the one pending in " + s.path(pending),
			[]string{s.path(pending), s.path("other.cer")}},
	} {
		r := s.uccert(t, append([]string{"merge", "-o", s.path("refused.jks"), "--in-pass", "file:" + s.path("key.pass"),
			"--out-pass", "file:" + s.path("out.pass")}, c.inputs...)...)
		if r.ExitCode != 1 || !strings.Contains(r.Stderr, c.message) {
			t.Errorf("%s: exit %d\n%s%s", c.name, r.ExitCode, r.Stdout, r.Stderr)
		}
	}
	assertOnly(t, s.dir, append(keys(inputs), keys(passFiles)...), "key.pass", csr, pending, inf, reply, store, "other.csr", "other.p12", "other.cer")
}
