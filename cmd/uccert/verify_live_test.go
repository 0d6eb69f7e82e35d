package main

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/tlsconf"
)

// --connect and --resolve reach the live handshake: a Go TLS server with
// fe1's entry on loopback, dialled by address, verified by name.
func TestVerifyConnect(t *testing.T) {
	keys, err := keystore.Load(abs(t, "stores", "ucc-with-fes.jks"), keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	if err != nil {
		t.Fatal(err)
	}
	trust, err := keystore.Load(abs(t, "stores", "truststore.jks"), keystore.DecodeOptions{Password: secret.NewPassword("trustpass1")})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tlsconf.New(keys, trust, tlsconf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
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
	target := "fe1.uc.example.com:" + port
	r := runCLI(t, "", nil, "verify", "--json", "--host", "ucc.uc.example.com",
		"--cert-store", abs(t, "stores", "ucc-with-fes.jks"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1",
		"--connect", target, "--resolve", target+":127.0.0.1")
	if r.code != 0 || !strings.Contains(r.stdout, `"check": "tls-handshake"`) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The same server under a name its certificate lacks.
	other := "ucc2.uc.example.com:" + port
	r = runCLI(t, "", nil, "verify", "--cert-store", abs(t, "stores", "ucc-with-fes.jks"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1", "--host", "ucc.uc.example.com",
		"--connect", other, "--resolve", other+":127.0.0.1")
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL tls-handshake") || !strings.Contains(r.stdout, "name mismatch") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}

func TestConnectTargets(t *testing.T) {
	got, err := connectTargets([]string{"fe1.pool.example.com:5061", "[::1]:443"}, []string{"fe1.pool.example.com:5061:10.0.0.5", "[::1]:443:[::1]"})
	if err == nil {
		t.Fatalf("bracketed --resolve host accepted: %+v", got)
	}
	got, err = connectTargets([]string{"fe1.pool.example.com:5061", "fe2.pool.example.com:5061"}, []string{"FE1.pool.example.com:5061:[2001:db8::1]"})
	if err != nil || len(got) != 2 || got[0].Addr != "2001:db8::1" || got[1].Addr != "" || got[0].Port != "5061" {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range [][2][]string{
		{{"fe1.pool.example.com"}, nil},
		{{"fe1.pool.example.com:5061"}, {"fe1.pool.example.com:5061"}},
		{{"fe1.pool.example.com:5061"}, {"fe9.pool.example.com:5061:10.0.0.1"}},
	} {
		if _, err := connectTargets(bad[0], bad[1]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
