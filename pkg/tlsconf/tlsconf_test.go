package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

	"github.com/uccert/uccert/pkg/hostname"
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

// A key TLS cannot use (DSA) is left out, as Java's key manager leaves it
// out for TLS 1.3; the other entries serve, and a store of DSA keys alone
// serves nothing.
func TestDSAEntryLeftOut(t *testing.T) {
	for _, name := range []string{"four-rsa-one-dsa.jks", "four-rsa-one-dsa.p12"} {
		certs, err := Certificates(load(t, name, "changeit1"), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(certs) != 4 {
			t.Fatalf("%s: %d certificates, want the 4 RSA ones", name, len(certs))
		}
		for _, c := range certs {
			if c.Leaf.Subject.CommonName == "dsa.uc.example.com" {
				t.Errorf("%s: the DSA entry serves", name)
			}
		}
	}
	s, err := keystore.Load("../../fixtures/exports/dsa.pfx", keystore.DecodeOptions{Password: secret.NewPassword("dsa-export")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Certificates(s, nil); !errors.Is(err, ErrNoKeys) {
		t.Errorf("DSA only: %v", err)
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

// With an expired and a renewed entry for fe1, the server presents the
// renewed one whichever comes first in the store, by SNI and without it,
// and the client side presents it for ClientName.
func TestValidBeforeExpired(t *testing.T) {
	const renewed = 0x2201
	trust := load(t, "truststore.jks", "trustpass1")
	for _, name := range []string{"fe1-expired-first.jks", "fe1-renewed-first.jks", "fe1-expired-first.p12", "fe1-renewed-first.p12"} {
		t.Run(name, func(t *testing.T) {
			keys := load(t, name, "changeit1")
			server, err := New(keys, trust, Options{})
			if err != nil {
				t.Fatal(err)
			}
			client, err := New(keys, trust, Options{ClientName: "fe1.uc.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			for _, sni := range []string{"fe1.uc.example.com", "pool.uc.example.com"} {
				c := client.Clone()
				c.ServerName = sni
				srv, cli := handshake(t, server, c)
				if srv.SerialNumber.Int64() != renewed || cli.SerialNumber.Int64() != renewed {
					t.Errorf("SNI %s: server presented serial %x, client %x; want %x", sni, srv.SerialNumber, cli.SerialNumber, renewed)
				}
			}
		})
	}
}

// Choose: valid first, then the better match, then the later not-after,
// then the earlier position; the server's index agrees with it.
func TestChoose(t *testing.T) {
	keys := load(t, "fe1-expired-first.jks", "changeit1")
	var leaves []*x509.Certificate
	for _, e := range keys.Entries {
		leaves = append(leaves, e.Leaf())
	}
	at := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name string
		now  time.Time
		want int64 // serial; 0 = none
	}{
		{"fe1.uc.example.com", at(2030), 0x2201}, // the expired one comes first in the store
		{"pool.uc.example.com", at(2030), 0x2201},
		{"fe1.uc.example.com", at(2021), 0x2202}, // in 2021 only the old one is valid
		{"fe1.uc.example.com", at(2050), 0x2201}, // all expired: the later not-after
		{"fe2.uc.example.com", at(2030), 0},
	}
	for _, c := range cases {
		i := Choose(leaves, c.name, c.now)
		got := int64(0)
		if i >= 0 {
			got = leaves[i].SerialNumber.Int64()
		}
		if got != c.want {
			t.Errorf("Choose(%s, %s) = serial %x, want %x", c.name, c.now.Format("2006"), got, c.want)
		}
		cfg, err := New(keys, nil, Options{Now: func() time.Time { return c.now }})
		if err != nil {
			t.Fatal(err)
		}
		cert, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: c.name, SignatureSchemes: []tls.SignatureScheme{tls.PSSWithSHA256, tls.PKCS1WithSHA256}, SupportedVersions: []uint16{tls.VersionTLS13}})
		if err != nil {
			t.Fatal(err)
		}
		if c.want != 0 && cert.Leaf.SerialNumber.Int64() != c.want {
			t.Errorf("GetCertificate(%s, %s) = serial %x, want %x", c.name, c.now.Format("2006"), cert.Leaf.SerialNumber, c.want)
		}
	}
	if Choose(append(leaves, nil), "fe1.uc.example.com", at(2030)) < 0 {
		t.Error("a nil leaf stopped Choose")
	}
}

// PeerNames: a peer whose certificate names none of them is refused, on
// the server side with ErrPeerName.
func TestPeerNames(t *testing.T) {
	trust := load(t, "truststore.jks", "trustpass1")
	keys := load(t, "ucc-with-fes.jks", "changeit1")
	client, err := New(keys, trust, Options{ClientName: "fe1.uc.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	client.ServerName = "ucc.uc.example.com"
	ok, err := New(keys, trust, Options{PeerNames: []string{"pool.uc.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, cli := handshake(t, ok, client); cli == nil || hostname.Match(cli, "pool.uc.example.com") == hostname.NoMatch {
		t.Fatalf("the pool's certificate was not accepted: %v", cli)
	}
	refuse, err := New(keys, trust, Options{PeerNames: []string{"fe9.uc.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	err = checkPeerName([]*x509.Certificate{keys.Entries[0].Leaf()}, []string{"fe9.uc.example.com"})
	if !errors.Is(err, ErrPeerName) || !strings.Contains(err.Error(), "accepted: fe9.uc.example.com") {
		t.Errorf("checkPeerName: %v", err)
	}
	if err := handshakeErr(t, refuse, client); err == nil {
		t.Error("a client certificate outside PeerNames was accepted")
	}
}

// A trust-only configuration (tls-kerberos) refuses to serve, with a clear
// error, and still dials.
func TestTrustOnlyCannotServe(t *testing.T) {
	cfg, err := New(nil, load(t, "truststore.jks", "trustpass1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "ucc.uc.example.com"}); !errors.Is(err, ErrCannotServe) || !strings.Contains(err.Error(), "tls-kerberos") {
		t.Errorf("GetCertificate: %v", err)
	}
	if cfg.RootCAs == nil {
		t.Error("no roots to dial with")
	}
}

// handshakeErr runs a handshake and returns the client's or the server's
// error.
func handshakeErr(t *testing.T, server, client *tls.Config) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		done <- c.(*tls.Conn).Handshake()
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), client)
	if err == nil {
		// TLS 1.3: the client learns of a refused certificate on its first read.
		_, err = conn.Read(make([]byte, 1))
		conn.Close()
	}
	if serr := <-done; serr != nil {
		return serr
	}
	return err
}

// benchStore is a key store of n entries, fe0…fe(n-1).uc.example.com, all
// with one P-256 key (choice does not look at keys) and self-signed.
func benchStore(b *testing.B, n int) *keystore.Store {
	b.Helper()
	key := testpki.ECKey(b)
	s := &keystore.Store{Format: keystore.FormatJKS}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("fe%d.uc.example.com", i)
		c := testpki.SelfSigned(b, testpki.Spec{CN: name, DNS: []string{name}, Serial: int64(i + 1), Key: key})
		s.Entries = append(s.Entries, &keystore.Entry{Kind: keystore.KindKey, Alias: name, Key: key, Chain: []*x509.Certificate{c.Cert}})
	}
	return s
}

// BenchmarkChoose is the certificate choice per handshake (the SNI names
// the last entry) with 1, 60 and 500 key entries: a name index, not a
// scan (docs/PERFORMANCE.md).
func BenchmarkChoose(b *testing.B) {
	for _, n := range []int{1, 60, 500} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			cfg, err := New(benchStore(b, n), nil, Options{})
			if err != nil {
				b.Fatal(err)
			}
			hello := &tls.ClientHelloInfo{ServerName: fmt.Sprintf("fe%d.uc.example.com", n-1),
				SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}, SupportedVersions: []uint16{tls.VersionTLS13},
				SupportedCurves: []tls.CurveID{tls.CurveP256}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				c, err := cfg.GetCertificate(hello)
				if err != nil || c.Leaf.SerialNumber.Int64() != int64(n) {
					b.Fatalf("%v %v", c, err)
				}
			}
		})
	}
}

// A certificate that names its host only in the CN is chosen by SNI (Java
// clients accept it), among others: the name is matched by uccert's
// rules, not by Go's VerifyHostname, which ignores the CN.
func TestSNIChoosesCNOnly(t *testing.T) {
	keys := load(t, "ucc-with-fes.jks", "changeit1")
	keys.Entries = append(keys.Entries, load(t, "cnonly.jks", "changeit1").Entries...)
	cfg, err := New(keys, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "cnonly.uc.example.com",
		SignatureSchemes: []tls.SignatureScheme{tls.PSSWithSHA256, tls.PKCS1WithSHA256}, SupportedVersions: []uint16{tls.VersionTLS13}})
	if err != nil || cert.Leaf.Subject.CommonName != "cnonly.uc.example.com" {
		t.Fatalf("%v %v", cert.Leaf.Subject, err)
	}
}
