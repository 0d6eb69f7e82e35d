package merge

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore"
)

func fingerprintOf(t *testing.T, pem string) string {
	t.Helper()
	f, err := certfile.Load(filepath.Join("../../fixtures/pki", pem))
	if err != nil {
		t.Fatal(err)
	}
	return certfile.Fingerprint(f.Certificates[0])
}

// The guide's procedures judged by Java: the merged JKS and PKCS#12 (both
// profiles) of exports from OpenSSL, OpenSSL -legacy, NSS and Windows hold
// one PrivateKeyEntry per Front End with chain 3 and keys under the store
// password; keytool lists the aliases; OpenSSL counts the keys; and a JSSE
// mutual-TLS handshake on loopback, server and client built from the
// merged store and the trust store, presents each Front End's certificate
// for its SNI name.
func TestMergedStoresJudgedByJava(t *testing.T) {
	jvm := judge.Java(t)
	judge.Require(t, "openssl")
	dir := t.TempDir()
	inputs := []Input{
		in(t, "exports/fe1-openssl.pfx", "fe1-export"),
		in(t, "exports/fe2-legacy.pfx", "fe2-export"),
		in(t, "exports/fe3-nss.p12", "nss-export"),
		in(t, "exports/fe2-windows.pfx", "win-export"),
	}
	tr, err := TrustStore([]Input{in(t, "pki/root.cer", "")}, TrustOptions{Aliases: []string{"ucc-cert"}, Format: keystore.FormatJKS})
	if err != nil {
		t.Fatal(err)
	}
	trust := filepath.Join(dir, "trust.jks")
	if err := keystore.WriteFile(trust, tr.Store, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatJKS, Password: secret.NewPassword("trustpass1")}}); err != nil {
		t.Fatal(err)
	}
	if got := jvm.ListStore(t, trust, "JKS", "trustpass1"); len(got) != 1 || got[0].Kind != "trustedCertEntry" || got[0].Alias != "ucc-cert" {
		t.Fatalf("Java sees the trust store as %+v", got)
	}
	want := map[string]string{
		"fe1.uc.example.com": fingerprintOf(t, "fe1.pem"),
		"fe2.uc.example.com": fingerprintOf(t, "fe2.pem"),
		"fe3.uc.example.com": fingerprintOf(t, "fe3.pem"),
	}
	for _, c := range []struct {
		file     string
		format   keystore.Format
		javaType string
		profile  keystore.Profile
	}{
		{"ucc.jks", keystore.FormatJKS, "JKS", keystore.ProfileModern},
		{"ucc.p12", keystore.FormatPKCS12, "PKCS12", keystore.ProfileModern},
		{"ucc-legacy.p12", keystore.FormatPKCS12, "PKCS12", keystore.ProfileLegacy},
	} {
		t.Run(c.file, func(t *testing.T) {
			res, err := Merge(inputs, Options{Format: c.format})
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, c.file)
			err = keystore.WriteFile(out, res.Store, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: c.format, Password: secret.NewPassword("changeit1"), Profile: c.profile}})
			if err != nil {
				t.Fatal(err)
			}
			entries := jvm.ListStore(t, out, c.javaType, "changeit1")
			if len(entries) != 3 {
				t.Fatalf("Java lists %+v", entries)
			}
			for _, e := range entries {
				if e.Kind != "PrivateKeyEntry" || e.ChainLen != 3 || e.Status != "ok" || want[e.Alias] != e.SHA256 {
					t.Errorf("Java sees %+v", e)
				}
			}
			if got := strings.Join(judge.KeytoolList(t, out, c.javaType, "changeit1"), ","); got != "fe1.uc.example.com,fe2.uc.example.com,fe3.uc.example.com" {
				t.Errorf("keytool -list: %s", got)
			}
			if c.format == keystore.FormatPKCS12 {
				keys, _, err := judge.OpenSSLPKCS12Info(t, out, "changeit1", c.profile == keystore.ProfileLegacy)
				if err != nil || keys != 3 {
					t.Errorf("openssl counts %d keys: %v", keys, err)
				}
			}
			addr := jvm.StartTLSServer(t, out, c.javaType, "changeit1", trust, "JKS", "trustpass1")
			for name, fp := range want {
				got, reply, err := jvm.TLSClient(t, addr, name, out, c.javaType, "changeit1", trust, "JKS", "trustpass1")
				if err != nil {
					t.Errorf("handshake for %s: %v", name, err)
					continue
				}
				if got != fp || !strings.HasPrefix(reply, "server-saw-client:") {
					t.Errorf("SNI %s: server presented %s (want %s), reply %q", name, got, fp, reply)
				}
			}
		})
	}
}

// PEM inputs with encrypted keys as OpenSSL writes them (fixtures/pem/:
// openssl pkcs12 without -nodes, PKCS#8 PBES2, OpenSSL's traditional
// DEK-Info form; RSA and EC) merge, with their password, into a JKS and a
// PKCS#12 store that Java reads: one PrivateKeyEntry per key, chain 3, the
// key under the store password.
func TestMergeEncryptedPEMJudgedByJava(t *testing.T) {
	jvm := judge.Java(t)
	dir := t.TempDir()
	inputs := []Input{
		in(t, "pem/fe1-from-pfx.pem", "pem-export1"),
		in(t, "pem/fe4-ec-traditional-aes128.pem", "pem-export1"),
	}
	want := map[string]string{
		"fe1.uc.example.com": fingerprintOf(t, "fe1.pem"),
		"fe4.uc.example.com": fingerprintOf(t, "fe4.pem"),
	}
	for _, c := range []struct {
		file     string
		format   keystore.Format
		javaType string
	}{{"pem.jks", keystore.FormatJKS, "JKS"}, {"pem.p12", keystore.FormatPKCS12, "PKCS12"}} {
		res, err := Merge(inputs, Options{Format: c.format})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, c.file)
		if err := keystore.WriteFile(out, res.Store, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: c.format, Password: secret.NewPassword("changeit1")}}); err != nil {
			t.Fatal(err)
		}
		entries := jvm.ListStore(t, out, c.javaType, "changeit1")
		if len(entries) != 2 {
			t.Fatalf("%s: Java lists %+v", c.file, entries)
		}
		for _, e := range entries {
			if e.Kind != "PrivateKeyEntry" || e.ChainLen != 3 || e.Status != "ok" || want[e.Alias] != e.SHA256 {
				t.Errorf("%s: Java sees %+v", c.file, e)
			}
		}
	}
}

// Aliases derived from hostile names (an ESC sequence and a CR in a
// dNSName, ESC, BEL and a bidi override in a CN) hold '_' for each rune a
// terminal must not get raw: keytool -list, which prints aliases as they
// are, shows them harmless (0.2.0 stored them raw).
func TestDerivedAliasesAreSafe(t *testing.T) {
	judge.Require(t, "keytool")
	dir := t.TempDir()
	keys, err := Merge([]Input{in(t, "exports/hostile-names.pfx", "hostile-export")}, Options{Format: keystore.FormatJKS})
	if err != nil {
		t.Fatal(err)
	}
	trust, err := TrustStore([]Input{in(t, "pki/hostile-root.cer", "")}, TrustOptions{Format: keystore.FormatJKS})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		s    *keystore.Store
		want string
	}{
		"keys.jks":  {keys.Store, "fe9.uc.example.com_[2k_fe1.uc.example.com"},
		"trust.jks": {trust.Store, "uc-hostile-root_[2j_-_ac-tset"},
	} {
		out := filepath.Join(dir, name)
		if err := keystore.WriteFile(out, c.s, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatJKS, Password: secret.NewPassword("changeit1")}}); err != nil {
			t.Fatal(err)
		}
		if got := judge.KeytoolList(t, out, "JKS", "changeit1"); len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: keytool lists %q, want %q", name, got, c.want)
		}
	}
}
