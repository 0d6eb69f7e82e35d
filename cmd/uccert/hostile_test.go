package main

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// rawControl reports a control character (other than the line breaks of
// the output itself) or a bidi override in s.
func rawControl(s string) string {
	for _, r := range s {
		switch {
		case r == '\n':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0),
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return strings.ReplaceAll(string(r), "\x1b", "ESC")
		}
	}
	return ""
}

// A certificate whose CN holds ESC sequences and a BEL, whose O starts a
// new line with a forged verify line, and whose dNSName holds ESC [2K CR:
// nothing of it reaches the terminal raw, in any command; JSON keeps the
// exact values.
func TestHostileNamesAreEscaped(t *testing.T) {
	pfx := abs(t, "exports", "hostile-names.pfx")
	r := runCLI(t, "", nil, "inspect", "--pass", "pass:hostile-export", pfx)
	if r.code != 0 {
		t.Fatalf("inspect: exit %d %s", r.code, r.stderr)
	}
	golden(t, "inspect-hostile-names", normalize(r.stdout, map[string]string{abs(t): "$FIXTURES"}))
	r2 := runCLI(t, "", nil, "inspect", "--text", "--pass", "pass:hostile-export", pfx)
	dir := t.TempDir()
	r3 := runCLI(t, "", nil, "merge", "-o", filepath.Join(dir, "h.jks"), "--out-pass", "pass:changeit1", "--in-pass", "pass:hostile-export",
		"--host", "hostile.uc.example.com", pfx)
	r4 := runCLI(t, "", nil, "truststore", "-o", filepath.Join(dir, "t.jks"), "--out-pass", "pass:changeit1", abs(t, "pki", "hostile-root.cer"))
	r5 := runCLI(t, "", nil, "verify", "--host", "hostile.uc.example.com", "--cert-store", filepath.Join(dir, "h.jks"),
		"--cert-store-pass", "pass:changeit1", "--key-store", filepath.Join(dir, "t.jks"), "--key-store-pass", "pass:changeit1")
	for name, out := range map[string]result{"inspect": r, "inspect --text": r2, "merge": r3, "truststore": r4, "verify": r5} {
		if c := rawControl(out.stdout + out.stderr); c != "" {
			t.Errorf("%s prints a raw %q:\n%s%s", name, c, out.stdout, out.stderr)
		}
		for _, l := range strings.Split(out.stdout, "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, " "), "OK   tls-handshake all good") {
				t.Errorf("%s prints the forged verify line (indented or not): %q", name, l)
			}
		}
	}
	for _, want := range []string{`evil\x1b[31mred\x1b]0;title\x07`, `\nOK   tls-handshake all good`, `fe9.uc.example.com\x1b[2K\rfe1.uc.example.com`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("inspect lacks the escaped %s", want)
		}
	}
	if !strings.Contains(r4.stdout, `\u202e`) {
		t.Errorf("truststore: the bidi override is not shown escaped:\n%s", r4.stdout)
	}
	// JSON keeps the exact values.
	j := runCLI(t, "", nil, "inspect", "--json", "--pass", "pass:hostile-export", pfx)
	var doc struct {
		Files []struct {
			Entries []struct {
				Subject  string   `json:"subject"`
				DNSNames []string `json:"dns_names"`
			} `json:"entries"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	e := doc.Files[0].Entries[0]
	if !strings.Contains(e.Subject, "evil\x1b[31mred") || !strings.Contains(strings.Join(e.DNSNames, ","), "\x1b[2K\r") {
		t.Errorf("JSON lost the exact values: %+v", e)
	}
}

// verify --connect against a server presenting the hostile certificate:
// what the peer sent is escaped too.
func TestHostilePeerIsEscaped(t *testing.T) {
	cert, err := tls.LoadX509KeyPair(abs(t, "pki", "hostile-names.pem"), abs(t, "pki", "hostile-names.key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	r := runCLI(t, "", nil, "verify", "--host", "ucc.uc.example.com",
		"--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore-other.jks"), "--key-store-pass", "pass:trustpass1",
		"--connect", "peer.uc.example.com:"+port, "--resolve", "peer.uc.example.com:"+port+":127.0.0.1")
	if !strings.Contains(r.stdout, "tls-handshake") || !strings.Contains(r.stdout, `\x1b`) {
		t.Fatalf("no escaped peer names in:\n%s%s", r.stdout, r.stderr)
	}
	if c := rawControl(r.stdout + r.stderr); c != "" {
		t.Errorf("verify --connect prints a raw %q:\n%s", c, r.stdout)
	}
}
