package connector

import (
	"bufio"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/judge"
)

const fx = "../../fixtures"

func fp(t *testing.T, pem string) string {
	t.Helper()
	f, err := certfile.Load(filepath.Join(fx, "pki", pem))
	if err != nil {
		t.Fatal(err)
	}
	return certfile.Fingerprint(f.Certificates[0])
}

// serve answers each connection with the client certificate's
// fingerprint, like the Java judge's server.
func serve(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				c.SetDeadline(time.Now().Add(30 * time.Second))
				tc := c.(*tls.Conn)
				if err := tc.Handshake(); err != nil {
					return
				}
				if _, err := bufio.NewReader(tc).ReadString('\n'); err != nil {
					return
				}
				peer := tc.ConnectionState().PeerCertificates
				sum := sha256.Sum256(peer[0].Raw)
				fmt.Fprintf(tc, "go-server-saw-client:%s\n", hex.EncodeToString(sum[:]))
			}(conn)
		}
	}()
	return ln.Addr().String()
}

// A Go TLS server built from Load's config answers a Java JSSE client for
// every Front End name by SNI, from a store holding RSA and EC entries —
// where Java's own key manager would present the EC certificate.
func TestGoServerFromLoadAnswersJavaBySNI(t *testing.T) {
	jvm := judge.Java(t)
	mixed := filepath.Join(fx, "stores", "mixed-rsa-ec.jks")
	trust := filepath.Join(fx, "stores", "truststore.jks")
	a := &Args{
		CertStore: StoreArgs{File: mixed, Pass: pw("changeit1"), HasPass: true, Type: "jks"},
		KeyStore:  StoreArgs{File: trust, Pass: pw("trustpass1"), HasPass: true, Type: "jks"},
	}
	m, err := Load(a, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, m.TLS)
	for name, want := range map[string]string{"fe1.uc.example.com": fp(t, "fe1.pem"), "fe4.uc.example.com": fp(t, "fe4.pem")} {
		got, reply, err := jvm.TLSClient(t, addr, name, mixed, "JKS", "changeit1", trust, "JKS", "trustpass1")
		if err != nil {
			t.Fatalf("SNI %s: %v", name, err)
		}
		if got != want {
			t.Errorf("SNI %s: the Go server presented %s, want %s", name, got, want)
		}
		if !strings.HasPrefix(reply, "go-server-saw-client:") {
			t.Errorf("SNI %s: reply %q (no client certificate?)", name, reply)
		}
	}
}

// The reverse: a Java JSSE server (PKIX key manager, client certificates
// required) and a Go client from Load's config, presenting the connector
// host's entry.
func TestGoClientFromLoadToJavaServer(t *testing.T) {
	jvm := judge.Java(t)
	keys := filepath.Join(fx, "stores", "ucc-with-fes.jks")
	trust := filepath.Join(fx, "stores", "truststore.jks")
	addr := jvm.StartTLSServer(t, keys, "JKS", "changeit1", trust, "JKS", "trustpass1")
	a := &Args{
		CertStore: StoreArgs{File: keys, Pass: pw("changeit1"), HasPass: true},
		KeyStore:  StoreArgs{File: trust, Pass: pw("trustpass1"), HasPass: true},
	}
	m, err := Load(a, LoadOptions{Host: "ucc.uc.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fe1.uc.example.com", "fe2.uc.example.com"} {
		cfg := m.TLS.Clone()
		cfg.ServerName = name
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprintln(conn, "hello")
		reply, err := bufio.NewReader(conn).ReadString('\n')
		conn.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].Raw)
		if hex.EncodeToString(sum[:]) != fp(t, strings.Split(name, ".")[0]+".pem") {
			t.Errorf("%s: Java presented another certificate", name)
		}
		if strings.TrimSpace(reply) != "server-saw-client:"+fp(t, "ucc.pem") {
			t.Errorf("%s: Java saw client %q, want the ucc certificate", name, reply)
		}
	}
}

// With an expired and a renewed entry for fe1, the Go server from Load
// presents the renewed certificate to a Java (JSSE) client whichever entry
// comes first in the store.
func TestGoServerFromLoadPresentsRenewedToJava(t *testing.T) {
	jvm := judge.Java(t)
	trust := filepath.Join(fx, "stores", "truststore.jks")
	client := filepath.Join(fx, "stores", "ucc-with-fes.jks")
	want := fp(t, "fe1-renewed.pem")
	for _, name := range []string{"fe1-expired-first.jks", "fe1-renewed-first.jks", "fe1-expired-first.p12", "fe1-renewed-first.p12"} {
		t.Run(name, func(t *testing.T) {
			store := filepath.Join(fx, "stores", name)
			m, err := Load(&Args{
				CertStore: StoreArgs{File: store, Pass: pw("changeit1"), HasPass: true},
				KeyStore:  StoreArgs{File: trust, Pass: pw("trustpass1"), HasPass: true},
			}, LoadOptions{Host: "fe1.uc.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := jvm.TLSClient(t, serve(t, m.TLS), "fe1.uc.example.com", client, "JKS", "changeit1", trust, "JKS", "trustpass1")
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("the Go server presented %s, want the renewed fe1 %s", got, want)
			}
		})
	}
}
