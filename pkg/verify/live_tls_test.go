package verify

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore"
)

func loadFixtureStore(t *testing.T, path, pass string) *keystore.Store {
	t.Helper()
	s, err := keystore.Load(filepath.Join(fx, path), keystore.DecodeOptions{Password: secret.NewPassword(pass)})
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	return s
}

// silentListener accepts TCP connections and never answers, until the
// test ends.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Live mutual-TLS handshakes against openssl s_server on loopback, which
// presents fe1 (chain issuing + root) and requires a client certificate
// verified against our CA (-Verify -verify_return_error). Each case
// asserts the check, the severity and the reason phrase.
func TestTLSHandshakeLive(t *testing.T) {
	pki := func(name string) string { return filepath.Join(fx, "pki", name) }
	// -CAfile also makes s_server name its CAs in the CertificateRequest;
	// -verifyCAfile verifies with them without naming any.
	serve := func(cert, caOption string, extra ...string) string {
		args := []string{"-cert", pki(cert + ".pem"), "-key", pki(cert + ".key.pem"), "-cert_chain", pki("chain.pem"),
			"-Verify", "2", "-verify_return_error", caOption, pki("chain.pem"), "-quiet"}
		return judge.OpenSSLServer(t, append(args, extra...)...)
	}
	mtls13 := serve("fe1", "-CAfile", "-tls1_3")
	mtls12 := serve("fe1", "-CAfile", "-tls1_2")
	noCANames13 := serve("fe1", "-verifyCAfile", "-tls1_3")
	noCANames12 := serve("fe1", "-verifyCAfile", "-tls1_2")
	expired := serve("expired", "-CAfile")

	keys := loadFixtureStore(t, "stores/ucc-with-fes.jks", "changeit1")
	otherKeys := loadFixtureStore(t, "stores/other-leaf.jks", "changeit1")
	trust := loadFixtureStore(t, "stores/truststore.jks", "trustpass1")
	otherTrust := loadFixtureStore(t, "stores/truststore-other.jks", "trustpass1")

	// target names host and dials the loopback server addr, like
	// curl --resolve host:port:127.0.0.1.
	target := func(host, addr string) Target {
		a, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		return Target{Host: host, Port: port, Addr: a}
	}
	const fe1 = "fe1.uc.example.com"
	cases := []struct {
		name        string
		keys, trust *keystore.Store
		target      Target
		host        string // Options.Host
		timeout     time.Duration
		sev         Severity
		want        []string // phrases of the message
		within      time.Duration
	}{
		{name: "ok TLS 1.3", keys: keys, trust: trust, target: target(fe1, mtls13), host: "ucc.uc.example.com",
			sev: OK, want: []string{"handshake OK", "TLS 1.3", "CN=fe1.uc.example.com", `client certificate "ucc.uc.example.com" (CN=ucc.uc.example.com) presented and accepted`}},
		{name: "ok TLS 1.2", keys: keys, trust: trust, target: target(fe1, mtls12), host: "ucc.uc.example.com",
			sev: OK, want: []string{"handshake OK", "TLS 1.2", `client certificate "ucc.uc.example.com"`}},
		{name: "client entry follows Options.Host", keys: keys, trust: trust, target: target(fe1, mtls13), host: "fe2.uc.example.com",
			sev: OK, want: []string{`client certificate "fe2.uc.example.com"`}},
		{name: "unknown server CA", keys: keys, trust: otherTrust, target: target(fe1, mtls13), host: "ucc.uc.example.com",
			sev: Error, want: []string{"unknown CA", "untrusted", "CN=fe1.uc.example.com"}},
		{name: "wrong name", keys: keys, trust: trust, target: target("ucc2.uc.example.com", mtls13), host: "ucc.uc.example.com",
			sev: Error, want: []string{"name mismatch", "does not name ucc2.uc.example.com", "fe1.uc.example.com, pool.uc.example.com"}},
		{name: "expired server certificate", keys: keys, trust: trust, target: target("expired.uc.example.com", expired), host: "ucc.uc.example.com",
			sev: Error, want: []string{"expired", "CN=expired.uc.example.com"}},
		// The server names its CAs, none of ours matches: we send no certificate.
		{name: "client CA unrelated, TLS 1.3", keys: otherKeys, trust: trust, target: target(fe1, mtls13), host: fe1,
			sev: Error, want: []string{"client certificate rejected", "we presented none", "CN=UC Test Issuing CA", "certificate required"}},
		{name: "client CA unrelated, TLS 1.2", keys: otherKeys, trust: trust, target: target(fe1, mtls12), host: fe1,
			sev: Error, want: []string{"client certificate rejected", "we presented none"}},
		// The server names no CA: we send other-leaf and the server refuses it.
		{name: "client cert refused, TLS 1.3 (late alert)", keys: otherKeys, trust: trust, target: target(fe1, noCANames13), host: fe1,
			sev: Error, want: []string{"client certificate rejected", `"fe1.uc.example.com" (CN=fe1.uc.example.com)`, "unknown certificate authority"}},
		{name: "client cert refused, TLS 1.2", keys: otherKeys, trust: trust, target: target(fe1, noCANames12), host: fe1,
			sev: Error, want: []string{"client certificate rejected", `"fe1.uc.example.com"`, "unknown certificate authority"}},
		{name: "no key store (tls-kerberos)", keys: nil, trust: trust, target: target(fe1, mtls13),
			sev: Error, want: []string{"client certificate rejected", "we presented none (no key store)"}},
		{name: "nothing listening", keys: keys, trust: trust, target: target(fe1, closedPort(t)), host: "ucc.uc.example.com",
			sev: Error, want: []string{"unreachable", "connection refused"}, within: 2 * time.Second},
		{name: "silent server", keys: keys, trust: trust, target: target(fe1, silentListener(t)), host: "ucc.uc.example.com", timeout: time.Second,
			sev: Error, want: []string{"timeout", "did not finish within 1s"}, within: 5 * time.Second},
		{name: "no trust store", keys: keys, trust: nil, target: target(fe1, mtls13), host: "ucc.uc.example.com",
			sev: Error, want: []string{"not attempted", "no trust store"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Connect: []Target{tc.target}, Timeout: tc.timeout}
			opts.Host = tc.host
			start := time.Now()
			r := liveOnly(context.Background(), tc.keys, tc.trust, opts)
			elapsed := time.Since(start)
			if len(r.Findings) != 1 {
				t.Fatalf("want one finding, got %+v", r.Findings)
			}
			f := r.Findings[0]
			t.Logf("%s %s: %s (hint: %s) [%v]", f.Severity, f.Subject, f.Message, f.Hint, elapsed.Round(time.Millisecond))
			if f.Check != CheckTLSHandshake || f.Severity != tc.sev {
				t.Errorf("got %s/%s, want %s/%s", f.Check, f.Severity, CheckTLSHandshake, tc.sev)
			}
			if want := tc.target.Host + ":" + tc.target.Port + " via 127.0.0.1"; f.Subject != want {
				t.Errorf("subject %q, want %q", f.Subject, want)
			}
			for _, w := range tc.want {
				if !strings.Contains(f.Message, w) {
					t.Errorf("message %q lacks %q", f.Message, w)
				}
			}
			if (f.Severity == Error) != (f.Hint != "") {
				t.Errorf("hint %q for a %s finding", f.Hint, f.Severity)
			}
			for _, secret := range []string{"changeit1", "trustpass1"} {
				if strings.Contains(f.Message+f.Hint+f.Subject, secret) {
					t.Errorf("finding contains a password: %+v", f)
				}
			}
			if tc.within > 0 && elapsed > tc.within {
				t.Errorf("took %v, want < %v", elapsed, tc.within)
			}
		})
	}
}

// Run reaches the live check through Options.Connect, with the stores
// it loaded, and one finding per target.
func TestRunConnect(t *testing.T) {
	addr := judge.OpenSSLServer(t, "-cert", filepath.Join(fx, "pki", "fe1.pem"), "-key", filepath.Join(fx, "pki", "fe1.key.pem"),
		"-cert_chain", filepath.Join(fx, "pki", "chain.pem"), "-Verify", "2", "-verify_return_error",
		"-CAfile", filepath.Join(fx, "pki", "chain.pem"), "-quiet")
	_, port, _ := net.SplitHostPort(addr)
	_, closed, _ := net.SplitHostPort(closedPort(t))
	r := run(context.Background(), input{
		Host:      "ucc.uc.example.com",
		CertStore: store("stores/ucc-with-fes.jks", "changeit1"),
		KeyStore:  store("stores/truststore.jks", "trustpass1"),
		Now:       now,
		Connect: []Target{
			{Host: "fe1.uc.example.com", Port: port, Addr: "127.0.0.1"},
			{Host: "127.0.0.1", Port: closed},
		},
	})
	got := r.ByCheck(CheckTLSHandshake)
	if len(got) != 2 {
		t.Fatalf("want 2 tls-handshake findings, got %+v", got)
	}
	if got[0].Severity != OK || got[0].Subject != "fe1.uc.example.com:"+port+" via 127.0.0.1" {
		t.Errorf("first: %+v", got[0])
	}
	if got[1].Severity != Error || got[1].Subject != "127.0.0.1:"+closed || !strings.Contains(got[1].Message, "unreachable") {
		t.Errorf("second: %+v", got[1])
	}
}
