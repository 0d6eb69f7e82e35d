package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
)

func load(t *testing.T, name, pass string) *keystore.Store {
	t.Helper()
	s, err := keystore.Load(filepath.Join("../../fixtures/stores", name), keystore.DecodeOptions{Password: secret.NewPassword(pass)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// handshake runs a TLS handshake in memory between server and client
// configs and returns the server certificate the client saw and the
// client certificate the server saw.
func handshake(t *testing.T, server, client *tls.Config) (srv, cli *x509.Certificate) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan *x509.Certificate, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- nil
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		if tc.Handshake() != nil || len(tc.ConnectionState().PeerCertificates) == 0 {
			done <- nil
			return
		}
		done <- tc.ConnectionState().PeerCertificates[0]
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), client)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	srv = conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	return srv, <-done
}

// The server chooses by SNI across RSA and EC entries, for TLS 1.3 and
// 1.2 alike; the client presents the entry naming ClientName.
func TestSNIAcrossRSAAndEC(t *testing.T) {
	mixed := load(t, "mixed-rsa-ec.jks", "changeit1")
	trust := load(t, "truststore.jks", "trustpass1")
	server, err := New(mixed, trust, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ucc := load(t, "ucc-with-fes.jks", "changeit1")
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for name, wantAlg := range map[string]x509.PublicKeyAlgorithm{"fe1.uc.example.com": x509.RSA, "fe4.uc.example.com": x509.ECDSA} {
			client, err := New(ucc, trust, Options{ClientName: "ucc.uc.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			client.ServerName, client.MaxVersion = name, version
			srv, cli := handshake(t, server, client)
			if srv.PublicKeyAlgorithm != wantAlg || srv.VerifyHostname(name) != nil {
				t.Errorf("TLS %x SNI %s: server presented %s (%v)", version, name, srv.Subject, srv.PublicKeyAlgorithm)
			}
			if cli == nil || cli.Subject.CommonName != "ucc.uc.example.com" {
				t.Errorf("TLS %x: server saw client %v", version, cli)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := New(load(t, "truststore.jks", "trustpass1"), nil, Options{}); !errors.Is(err, ErrNoKeys) {
		t.Errorf("trust store as key store: %v", err)
	}
	if _, err := New(nil, load(t, "truststore-empty.jks", "trustpass1"), Options{}); !errors.Is(err, ErrNoTrust) {
		t.Errorf("empty trust store: %v", err)
	}
	if _, err := New(load(t, "trap.jks", "changeit1"), nil, Options{}); !errors.Is(err, ErrNoKeys) || !errors.Is(err, keystore.ErrKeyPassword) {
		t.Errorf("locked key: %v", err)
	}
}

// A key entry stored without its chain is sent with the intermediate CA
// the trust store holds (a peer that trusts only the root verifies it),
// never with the root itself; a full chain is sent as stored.
func TestCertificatesCompleteTheChain(t *testing.T) {
	nochain := load(t, "nochain.jks", "changeit1")
	trust := load(t, "truststore.jks", "trustpass1")
	certs, err := Certificates(nochain, trust)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || len(certs[0].Certificate) != 2 {
		t.Fatalf("sent %d certificates, want leaf and issuing CA", len(certs[0].Certificate))
	}
	issuing, _ := x509.ParseCertificate(certs[0].Certificate[1])
	if issuing.Subject.CommonName != "UC Test Issuing CA" {
		t.Errorf("second certificate %s", issuing.Subject)
	}
	if certs, _ = Certificates(nochain, nil); len(certs[0].Certificate) != 1 {
		t.Errorf("without a trust store: %d certificates", len(certs[0].Certificate))
	}
	full := load(t, "ucc.jks", "changeit1")
	if certs, _ = Certificates(full, trust); len(certs[0].Certificate) != len(full.Entries[0].Chain) {
		t.Errorf("full chain: %d certificates, stored %d", len(certs[0].Certificate), len(full.Entries[0].Chain))
	}
	if _, err := Certificates(nil, trust); !errors.Is(err, ErrNoKeys) {
		t.Errorf("nil store: %v", err)
	}
}
