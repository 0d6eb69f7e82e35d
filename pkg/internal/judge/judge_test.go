package judge

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Passwords of the stores these tests make (keytool wants at least 6 characters).
const (
	p12Pass   = "pfx-secret"
	storePass = "store-secret"
)

// cert is a certificate with its key.
type cert struct {
	x509 *x509.Certificate
	key  crypto.Signer
}

func (c cert) sha256() string {
	sum := sha256.Sum256(c.x509.Raw)
	return hex.EncodeToString(sum[:])
}

func rsaKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newCert issues a certificate for cn (also its DNS name unless isCA) with key,
// signed by issuer, or self-signed when issuer is nil.
func newCert(t *testing.T, cn string, key crypto.Signer, issuer *cert, isCA bool) cert {
	t.Helper()
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.DNSNames = []string{cn}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		if _, ok := key.(*rsa.PrivateKey); ok {
			tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	parent, parentKey := tmpl, key
	if issuer != nil {
		parent, parentKey = issuer.x509, issuer.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert{x509: c, key: key}
}

// writePEM writes the certificates (and the key, when not nil) as PEM into dir/name.
func writePEM(t *testing.T, dir, name string, key crypto.Signer, certs ...cert) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.x509.Raw})...)
	}
	if key != nil {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// exportP12 makes a PKCS#12 with openssl: leaf's key and certificate, then
// chain, under friendlyName alias, protected by p12Pass.
func exportP12(t *testing.T, dir, alias string, legacy bool, leaf cert, chain ...cert) string {
	t.Helper()
	in := writePEM(t, dir, alias+".pem", leaf.key, append([]cert{leaf}, chain...)...)
	out := filepath.Join(dir, alias+".p12")
	args := []string{"pkcs12", "-export", "-in", in, "-name", alias, "-passout", "stdin", "-out", out}
	if legacy {
		args = append(args, "-legacy")
	}
	if _, err := OpenSSL(t, []byte(p12Pass+"\n"), args...); err != nil {
		t.Fatal(err)
	}
	return out
}

// importToJKS runs keytool -importkeystore from each PKCS#12 into a JKS with
// storePass, with or without -destkeypass (the trap).
func importToJKS(t *testing.T, jks string, destKeyPass bool, p12s ...string) {
	t.Helper()
	t.Setenv("JUDGE_TEST_SRC", p12Pass)
	t.Setenv("JUDGE_TEST_DST", storePass)
	for _, p12 := range p12s {
		args := []string{"-importkeystore", "-noprompt",
			"-srckeystore", p12, "-srcstoretype", "PKCS12", "-srcstorepass:env", "JUDGE_TEST_SRC",
			"-destkeystore", jks, "-deststoretype", "JKS", "-deststorepass:env", "JUDGE_TEST_DST"}
		if destKeyPass {
			args = append(args, "-destkeypass:env", "JUDGE_TEST_DST")
		}
		if out, err := Keytool(t, args...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
}

// trustStore makes a JKS trust store with storePass holding the CA certificates.
func trustStore(t *testing.T, dir, name string, cas ...cert) string {
	t.Helper()
	t.Setenv("JUDGE_TEST_DST", storePass)
	jks := filepath.Join(dir, name)
	for i, ca := range cas {
		f := writePEM(t, dir, name+".ca.pem", nil, ca)
		if out, err := Keytool(t, "-importcert", "-noprompt", "-alias", "ca"+string(rune('1'+i)), "-file", f,
			"-keystore", jks, "-storetype", "JKS", "-storepass:env", "JUDGE_TEST_DST"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	return jks
}

func TestListStore(t *testing.T) {
	j := Java(t)
	dir := t.TempDir()
	rsaCert := newCert(t, "rsa.example.test", rsaKey(t), nil, false)
	ecCert := newCert(t, "ec.example.test", ecKey(t), nil, false)
	rsaP12 := exportP12(t, dir, "rsa-host", false, rsaCert)
	ecP12 := exportP12(t, dir, "ec-host", false, ecCert)

	wantRSA := StoreEntry{Alias: "rsa-host", Kind: "PrivateKeyEntry", ChainLen: 1, SHA256: rsaCert.sha256(), KeyAlg: "RSA", Status: "ok"}
	wantEC := StoreEntry{Alias: "ec-host", Kind: "PrivateKeyEntry", ChainLen: 1, SHA256: ecCert.sha256(), KeyAlg: "EC", Status: "ok"}

	t.Run("openssl PKCS12", func(t *testing.T) {
		if got := j.ListStore(t, rsaP12, "PKCS12", p12Pass); !reflect.DeepEqual(got, []StoreEntry{wantRSA}) {
			t.Errorf("ListStore(rsa.p12) = %+v, want %+v", got, wantRSA)
		}
		if got := j.ListStore(t, ecP12, "PKCS12", p12Pass); !reflect.DeepEqual(got, []StoreEntry{wantEC}) {
			t.Errorf("ListStore(ec.p12) = %+v, want %+v", got, wantEC)
		}
		keys, certs, err := OpenSSLPKCS12Info(t, rsaP12, p12Pass, false)
		if err != nil || keys != 1 || certs != 1 {
			t.Errorf("OpenSSLPKCS12Info = %d keys, %d certs, %v; want 1, 1, nil", keys, certs, err)
		}
		if _, _, err := OpenSSLPKCS12Info(t, rsaP12, "wrong-password", false); err == nil {
			t.Error("OpenSSLPKCS12Info with a wrong password succeeded")
		}
	})

	t.Run("legacy PKCS12", func(t *testing.T) {
		legacy := exportP12(t, t.TempDir(), "rsa-host", true, rsaCert)
		keys, certs, err := OpenSSLPKCS12Info(t, legacy, p12Pass, true)
		if err != nil || keys != 1 || certs != 1 {
			t.Errorf("OpenSSLPKCS12Info(-legacy) = %d keys, %d certs, %v; want 1, 1, nil", keys, certs, err)
		}
		if _, _, err := OpenSSLPKCS12Info(t, legacy, p12Pass, false); err == nil {
			t.Error("OpenSSL 3 read an RC2-40 PKCS#12 without -legacy")
		} else {
			t.Logf("without -legacy: %v", err)
		}
		if got := j.ListStore(t, legacy, "PKCS12", p12Pass); !reflect.DeepEqual(got, []StoreEntry{wantRSA}) {
			t.Errorf("ListStore(legacy) = %+v, want %+v", got, wantRSA)
		}
	})

	good := filepath.Join(dir, "good.jks")
	importToJKS(t, good, true, rsaP12, ecP12)

	t.Run("keytool JKS with -destkeypass", func(t *testing.T) {
		if got := j.ListStore(t, good, "JKS", storePass); !reflect.DeepEqual(got, []StoreEntry{wantEC, wantRSA}) {
			t.Errorf("ListStore(good.jks) = %+v, want %+v", got, []StoreEntry{wantEC, wantRSA})
		}
		if got, want := KeytoolList(t, good, "JKS", storePass), []string{"ec-host", "rsa-host"}; !reflect.DeepEqual(got, want) {
			t.Errorf("KeytoolList = %q, want %q", got, want)
		}
	})

	t.Run("keytool JKS without -destkeypass", func(t *testing.T) {
		trap := filepath.Join(t.TempDir(), "trap.jks")
		importToJKS(t, trap, false, rsaP12)
		got := j.ListStore(t, trap, "JKS", storePass)
		if len(got) != 1 || !strings.HasPrefix(got[0].Status, "error:java.security.UnrecoverableKeyException:") {
			t.Fatalf("ListStore(trap.jks) = %+v, want status error:java.security.UnrecoverableKeyException:...", got)
		}
		t.Logf("status: %s", got[0].Status)
		if got := j.ListStoreKeyPass(t, trap, "JKS", storePass, p12Pass); !reflect.DeepEqual(got, []StoreEntry{wantRSA}) {
			t.Errorf("ListStoreKeyPass(trap.jks, pfx password) = %+v, want %+v", got, wantRSA)
		}
	})

	t.Run("load errors", func(t *testing.T) {
		for _, tc := range []struct{ file, typ, pass, want string }{
			{good, "JKS", "wrong-password", "password was incorrect"},
			{rsaP12, "PKCS12", "wrong-password", "password was incorrect"},
			// keystore.type.compat is off: the type must match the content.
			{good, "PKCS12", storePass, "java.io.IOException"},
			{rsaP12, "JKS", p12Pass, "java.io.IOException"},
		} {
			msg := j.LoadError(t, tc.file, tc.typ, tc.pass)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("LoadError(%s as %s) = %q, want it to contain %q", filepath.Base(tc.file), tc.typ, msg, tc.want)
			}
			t.Logf("%s as %s: %s", filepath.Base(tc.file), tc.typ, msg)
		}
	})
}

func TestTLS(t *testing.T) {
	j := Java(t)
	dir := t.TempDir()
	ca := newCert(t, "Judge Test CA", ecKey(t), nil, true)
	otherCA := newCert(t, "Other CA", ecKey(t), nil, true)
	fe1 := newCert(t, "fe1.example.test", rsaKey(t), &ca, false)
	fe2 := newCert(t, "fe2.example.test", rsaKey(t), &ca, false)
	client := newCert(t, "connector.example.test", ecKey(t), &ca, false)
	stranger := newCert(t, "stranger.example.test", ecKey(t), &otherCA, false)

	server := filepath.Join(dir, "server.jks")
	importToJKS(t, server, true, exportP12(t, dir, "fe1", false, fe1, ca), exportP12(t, dir, "fe2", false, fe2, ca))
	trust := trustStore(t, dir, "trust.jks", ca)
	otherTrust := trustStore(t, dir, "other-trust.jks", otherCA)
	clientP12 := exportP12(t, dir, "client", false, client, ca)
	strangerP12 := exportP12(t, dir, "stranger", false, stranger, otherCA)

	if got := j.ListStore(t, server, "JKS", storePass); len(got) != 2 || got[0].ChainLen != 2 || got[1].ChainLen != 2 {
		t.Fatalf("ListStore(server.jks) = %+v, want two entries with chains of 2", got)
	}

	addr := j.StartTLSServer(t, server, "JKS", storePass, trust, "JKS", storePass)

	for _, fe := range []cert{fe1, fe2} {
		sni := fe.x509.DNSNames[0]
		t.Run("SNI "+sni, func(t *testing.T) {
			gotSHA, reply, err := j.TLSClient(t, addr, sni, clientP12, "PKCS12", p12Pass, trust, "JKS", storePass)
			if err != nil {
				t.Fatal(err)
			}
			if gotSHA != fe.sha256() {
				t.Errorf("server presented %s, want the certificate of %s (%s)", gotSHA, sni, fe.sha256())
			}
			if want := "server-saw-client:" + client.sha256(); reply != want {
				t.Errorf("reply = %q, want %q", reply, want)
			}
		})
	}

	for _, tc := range []struct {
		name, sni, keystore, truststore, want string
	}{
		{"SNI matches no entry", "fe3.example.test", clientP12, trust, "CertificateException"},
		{"client does not trust the CA", "fe1.example.test", clientP12, otherTrust, "PKIX path building failed"},
		{"server does not trust the client", "fe1.example.test", strangerP12, trust, "handshake-error:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := j.TLSClient(t, addr, tc.sni, tc.keystore, "PKCS12", p12Pass, tc.truststore, "JKS", storePass)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("TLSClient error = %v, want one containing %q", err, tc.want)
			}
			if tc.truststore == trust && tc.keystore == clientP12 &&
				!strings.Contains(err.Error(), "; server presented "+fe1.sha256()) &&
				!strings.Contains(err.Error(), "; server presented "+fe2.sha256()) {
				t.Errorf("TLSClient error = %v, want it to name the certificate the server presented", err)
			}
			t.Logf("%v", err)
		})
	}
}

// fakeTB records how Require ends a test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = format
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = format
	runtime.Goexit()
}

func requireMissing(tb *fakeTB) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Require(tb, "no-such-tool-uccert")
	}()
	<-done
}

func TestRequire(t *testing.T) {
	path := Require(t, "openssl")
	if !filepath.IsAbs(path) {
		t.Errorf("Require(openssl) = %q, want an absolute path", path)
	}

	t.Setenv("CI", "")
	local := &fakeTB{TB: t}
	requireMissing(local)
	if !strings.HasPrefix(local.skipped, "SKIPPING:") || local.failed != "" {
		t.Errorf("outside CI: skipped %q, failed %q; want a SKIPPING message", local.skipped, local.failed)
	}

	t.Setenv("CI", "true")
	ci := &fakeTB{TB: t}
	requireMissing(ci)
	if ci.failed == "" || ci.skipped != "" {
		t.Errorf("in CI: skipped %q, failed %q; want a failure", ci.skipped, ci.failed)
	}
}
