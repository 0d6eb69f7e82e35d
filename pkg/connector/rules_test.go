package connector

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/tlsconf"
)

// One store-type rule (keystore.ParseStoreType) for Parse, Load and the
// checks: what the connector's Java reads, jks or pkcs12 in any case.
// 0.1.0 accepted -cert_store_type p12 in Load, refused it in Parse, and
// verify printed both a failure and an ok line for it.
func TestStoreTypeRuleIsOne(t *testing.T) {
	p12 := filepath.Join(fx, "stores", "ucc-with-fes.p12")
	trust := filepath.Join(fx, "stores", "truststore.jks")
	for _, typ := range []string{"pkcs12", "PKCS12", "Pkcs12", "p12", "pfx", "PFX", "jks", "jceks", "pkcs#12", " pkcs12"} {
		t.Run(typ, func(t *testing.T) {
			_, ruleErr := keystore.ParseStoreType(typ)
			f, _ := keystore.ParseStoreType(typ)
			valid := ruleErr == nil && f == keystore.FormatPKCS12
			a, probs := Parse([]string{FlagCertStoreFile, p12, FlagCertStorePass, "changeit1", FlagCertStoreType, typ,
				FlagKeyStoreFile, trust, FlagKeyStorePass, "trustpass1"})
			badType := false
			for _, p := range probs {
				badType = badType || errors.Is(p, ErrBadType)
			}
			if badType != (ruleErr != nil) {
				t.Errorf("Parse: bad type %v, rule error %v", badType, ruleErr)
			}
			_, err := Load(a, LoadOptions{})
			if (err == nil) != valid {
				t.Errorf("Load: %v (valid %v)", err, valid)
			}
			_, r := Check(a, CheckOptions{Problems: probs, Subject: "--args"})
			fs := r.ByCheck(preflight.CheckArgsTypeMismatch)
			errs, oks := 0, 0
			for _, f := range fs {
				switch f.Severity {
				case finding.Error:
					errs++
				case finding.OK:
					oks++
				}
			}
			if valid && (errs != 0 || oks != 1) || !valid && (errs != 1 || oks != 0) {
				t.Errorf("checks: %d errors, %d ok for args-type-mismatch: %+v", errs, oks, fs)
			}
		})
	}
}

// The mode comes from the content when the arguments allow both readings.
func TestModeFromContent(t *testing.T) {
	keys := StoreArgs{File: filepath.Join(fx, "stores", "ucc-with-fes.jks"), Pass: pw("changeit1"), HasPass: true}
	trust := StoreArgs{File: filepath.Join(fx, "stores", "truststore.jks"), Pass: pw("trustpass1"), HasPass: true}
	krb := filepath.Join(fx, "krb5", "good.conf")
	for _, c := range []struct {
		name   string
		args   Args
		force  Mode
		want   Mode
		checks []finding.Check // present in the report
	}{
		{"keys + trust + krb5 is mtls, krb5 checked", Args{CertStore: keys, KeyStore: trust, KrbConf: krb}, 0, ModeMTLS,
			[]finding.Check{preflight.CheckKeyPasswordDiffers, preflight.CheckTruststoreEmpty, "krb5-syntax"}},
		{"trust + krb5 is tls-kerberos", Args{CertStore: trust, KrbConf: krb}, 0, ModeTLSKerberos,
			[]finding.Check{preflight.CheckTruststoreEmpty, "krb5-syntax"}},
		{"trust + another store + krb5 is tls-kerberos", Args{CertStore: trust, KeyStore: keys, KrbConf: krb}, 0, ModeTLSKerberos, nil},
		{"keys + trust is mtls", Args{CertStore: keys, KeyStore: trust}, 0, ModeMTLS, nil},
		{"--mode forces", Args{CertStore: keys, KeyStore: trust, KrbConf: krb}, ModeTLSKerberos, ModeTLSKerberos,
			[]finding.Check{preflight.CheckStoresSwapped}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, r := Check(&c.args, CheckOptions{Mode: c.force, LoadOptions: LoadOptions{Host: "ucc.uc.example.com"}})
			if m.Mode != c.want {
				t.Errorf("mode %v, want %v", m.Mode, c.want)
			}
			for _, ch := range c.checks {
				if len(r.ByCheck(ch)) == 0 {
					t.Errorf("no %s finding", ch)
				}
			}
		})
	}
}

// Relative paths of an arguments file are taken relative to its folder;
// absolute ones, Windows or POSIX, stay as they are.
func TestReadArgsFileRelativePaths(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "conf", "startup.bat")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("@echo off\r\nucc-launcher.exe -cert_store_file ..\\stores\\ucc.p12 -cert_store_pass x -key_store_file C:\\certs\\t.jks -krb_conf_file krb5.conf\r\n"), 0o600)
	a, _, err := ReadArgsFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if a.CertStore.File != filepath.Join(dir, "conf", `..\stores\ucc.p12`) || a.KeyStore.File != `C:\certs\t.jks` || a.KrbConf != filepath.Join(dir, "conf", "krb5.conf") {
		t.Errorf("%q %q %q", a.CertStore.File, a.KeyStore.File, a.KrbConf)
	}
	// The fixtures' own lines, read from another working folder.
	fixtures, err := filepath.Abs(fx)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	a, probs, err := ReadArgsFile(filepath.Join(fixtures, "args", "genesys-mtls.txt"))
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if _, err := Load(a, LoadOptions{Host: "ucc.uc.example.com"}); err != nil {
		t.Fatal(err)
	}
}

// A startup.bat line continued with ^ is read as cmd.exe joins it (judged
// by Wine's cmd.exe in pkg/internal/e2e, TestWineBatContinuation): the ^
// that ends a line outside quotes escapes the next line's first character;
// inside quotes, or before a space, a ^ continues nothing; a .txt file is
// not a batch file.
func TestReadArgsFileContinuation(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, text string
		want       []string // Other, then the store tokens
		err        error
	}{
		{"startup.bat", "@echo off\r\nucc-launcher.exe -host cfg ^\r\n  -cert_store_file k.jks ^\r\n&x -cert_store_pass p\r\n",
			[]string{"ucc-launcher.exe", "-host", "cfg", "&x", "|", "-cert_store_file", filepath.Join(dir, "k.jks"), "-cert_store_pass", "p"}, nil},
		{"quoted.bat", "ucc-launcher.exe -cert_store_file k.jks -cert_store_pass \"p^\"\r\n-x\r\n",
			[]string{"ucc-launcher.exe", "|", "-cert_store_file", filepath.Join(dir, "k.jks"), "-cert_store_pass", "p^"}, nil},
		{"space.bat", "ucc-launcher.exe -cert_store_file k.jks -cert_store_pass p ^ \r\n-x\r\n",
			[]string{"ucc-launcher.exe", "|", "-cert_store_file", filepath.Join(dir, "k.jks"), "-cert_store_pass", "p"}, nil},
		{"last.bat", "ucc-launcher.exe -cert_store_file k.jks ^", nil, ErrLineContinuation},
		{"args.txt", "-cert_store_file k.jks ^\n-cert_store_pass p\n",
			[]string{"^", "|", "-cert_store_file", filepath.Join(dir, "k.jks")}, nil},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		a, _, err := ReadArgsFile(p)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := append(append(slices.Clone(a.Other), "|"), a.Tokens()...)
		var toks []string
		for _, tok := range got {
			if tok != "-cert_store_type" && tok != "jks" {
				toks = append(toks, tok)
			}
		}
		if !slices.Equal(toks, c.want) {
			t.Errorf("%s: %q, want %q", c.name, toks, c.want)
		}
	}
}

// tls-kerberos material (a trust store only) dials but refuses to listen,
// with an error that says why; a Host no entry serves and PeerNames are
// enforced by Load's configuration.
func TestLoadServesOnlyWhatItCan(t *testing.T) {
	trust := StoreArgs{File: filepath.Join(fx, "stores", "truststore.jks"), Pass: pw("trustpass1"), HasPass: true}
	keys := StoreArgs{File: filepath.Join(fx, "stores", "ucc-with-fes.jks"), Pass: pw("changeit1"), HasPass: true}
	m, err := Load(&Args{CertStore: trust, KrbConf: filepath.Join(fx, "krb5", "good.conf")}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Mode != ModeTLSKerberos || m.TLS.RootCAs == nil {
		t.Fatalf("mode %v", m.Mode)
	}
	if _, err := m.TLS.GetCertificate(&tls.ClientHelloInfo{}); !errors.Is(err, tlsconf.ErrCannotServe) {
		t.Errorf("listening with tls-kerberos material: %v", err)
	}
	if _, err := Load(&Args{CertStore: keys, KeyStore: trust}, LoadOptions{Host: "ucc01.uc.example.com"}); err == nil || !strings.Contains(err.Error(), "did you mean ucc.uc.example.com") {
		t.Errorf("a Host no entry serves: %v", err)
	}
	m, err = Load(&Args{CertStore: keys, KeyStore: trust}, LoadOptions{Host: "ucc.uc.example.com", PeerNames: []string{"pool.uc.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if m.TLS.VerifyConnection == nil {
		t.Fatal("PeerNames not enforced")
	}
	leaf := m.Keys.Entries[0].Leaf()
	if err := m.TLS.VerifyConnection(tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}}); hostname.Match(leaf, "pool.uc.example.com") == hostname.NoMatch && !errors.Is(err, tlsconf.ErrPeerName) {
		t.Errorf("a peer outside PeerNames: %v", err)
	}
}
