package pkcs12

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// The secret keys of testdata/secretkeys-keytool.p12, as OpenSSL decrypts
// them by hand (testdata/README.md, make-testdata.sh).
var keytoolSecrets = map[string]struct {
	alg, oid, key string
}{
	"aes128":     {"AES", "2.16.840.1.101.3.4.1", "E54C374437EAA3A21D720996106CCD6C"},
	"hmacsha256": {"HmacSHA256", "1.2.840.113549.2.9", "21E174563092C3D65AC69ACFE1F12DDBE7F025F07B45059C7E592769C8CBD380"},
	"desede":     {"DESede", "1.3.14.3.2.17", "B5BAF2A8EC3EEC156EF7AED3E6A17FC737642320F8F70DEA"},
	"hmacsha512": {"HmacSHA512", "1.2.840.113549.2.11", "E4EC9CD0CBC7AA999570D90695ECD25C2D39601D2C9084387402325FDAA16F6839A820EE28E85E14D423D3BCE337EBFF7DF2C390E51380431E52E7EF66B3EEDF"},
}

// checkSecrets compares secrets with want (alias → algorithm name, OID,
// key in hex).
func checkSecrets(t *testing.T, secrets []SecretBag, want map[string]struct{ alg, oid, key string }) {
	t.Helper()
	if len(secrets) != len(want) {
		t.Fatalf("%d secrets, want %d", len(secrets), len(want))
	}
	for _, s := range secrets {
		w, ok := want[s.Attrs.FriendlyName]
		if !ok {
			t.Errorf("unexpected secret %q", s.Attrs.FriendlyName)
			continue
		}
		key, err := s.Key()
		if err != nil {
			t.Fatal(err)
		}
		if s.AlgorithmName != w.alg || s.Algorithm.String() != w.oid || !strings.EqualFold(hex.EncodeToString(key), w.key) {
			t.Errorf("%s: %s (%s) %x; want %s (%s) %s", s.Attrs.FriendlyName, s.AlgorithmName, s.Algorithm, key, w.alg, w.oid, w.key)
		}
	}
}

// keytool's secret keys decode to the bytes OpenSSL finds in them.
func TestSecretBagsFromKeytool(t *testing.T) {
	c, err := Decode(testdata(t, "secretkeys-keytool.p12"), "secret-pass", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Keys) != 0 || len(c.Certs) != 0 || len(c.Skipped) != 0 {
		t.Errorf("keys %d, certificates %d, skipped %q", len(c.Keys), len(c.Certs), c.Skipped)
	}
	checkSecrets(t, c.Secrets, keytoolSecrets)
}

// Secret bags we write are Java SecretKeyEntries: keytool lists them under
// their aliases, Java's KeyStore.getKey returns them (StoreCheck), and the
// store keytool writes from ours (keytool -importkeystore, which copies
// each key through getKey and setEntry) holds the same key bytes.
func TestSecretBagsJudgedByJava(t *testing.T) {
	const pw = "changeit1"
	aes := unhex(t, "00112233445566778899aabbccddeeff")
	mac := unhex(t, "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")
	want := map[string]struct{ alg, oid, key string }{
		"aes-key":  {"AES", "2.16.840.1.101.3.4.1", hex.EncodeToString(aes)},
		"hmac-key": {"HmacSHA256", "1.2.840.113549.2.9", hex.EncodeToString(mac)},
	}
	rk, _ := testKeys(t)
	leaf := selfSigned(t, rk, "fe1.uc.example.com")
	rkDER, err := x509.MarshalPKCS8PrivateKey(rk)
	if err != nil {
		t.Fatal(err)
	}
	jvm := judge.Java(t)
	for name, p := range map[string]Profile{"modern": Modern(), "legacy": Legacy()} {
		for _, withKey := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "/secrets only", true: "/with a key entry"}[withKey], func(t *testing.T) {
				c := &Contents{}
				for _, s := range []struct {
					alias, alg string
					key        []byte
				}{{"aes-key", "AES", aes}, {"hmac-key", "HmacSHA256", mac}} {
					sb, err := NewSecret(s.alg, s.key, Attributes{FriendlyName: s.alias, HasFriendlyName: true})
					if err != nil {
						t.Fatal(err)
					}
					c.Secrets = append(c.Secrets, sb)
				}
				aliases := []string{"aes-key", "hmac-key"}
				if withKey {
					attrs := Attributes{FriendlyName: "fe1", HasFriendlyName: true, LocalKeyID: []byte{1}}
					c.Keys = []KeyBag{{PKCS8: rkDER, Attrs: attrs}}
					c.Certs = []CertBag{{Cert: leaf, Attrs: attrs}}
					aliases = []string{"aes-key", "fe1", "hmac-key"}
				}
				data, err := Encode(c, pw, p, nil)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				ours := filepath.Join(dir, "ours.p12")
				if err := os.WriteFile(ours, data, 0o600); err != nil {
					t.Fatal(err)
				}
				if got := judge.KeytoolList(t, ours, "PKCS12", pw); strings.Join(got, ",") != strings.Join(aliases, ",") {
					t.Errorf("keytool lists %q, want %q", got, aliases)
				}
				entries := jvm.ListStore(t, ours, "PKCS12", pw)
				if len(entries) != len(aliases) {
					t.Fatalf("Java lists %+v", entries)
				}
				for _, e := range entries {
					wantKind, wantAlg := "SecretKeyEntry", want[e.Alias].alg
					if e.Alias == "fe1" {
						wantKind, wantAlg = "PrivateKeyEntry", "RSA"
					}
					if e.Kind != wantKind || e.KeyAlg != wantAlg || e.Status != "ok" {
						t.Errorf("Java: %+v, want %s %s ok", e, wantKind, wantAlg)
					}
				}
				// keytool's own copy of our store.
				copied := filepath.Join(dir, "keytool.p12")
				t.Setenv("UCCERT_TEST_PASS", pw)
				if out, err := judge.Keytool(t, "-importkeystore", "-noprompt",
					"-srckeystore", ours, "-srcstoretype", "PKCS12", "-srcstorepass:env", "UCCERT_TEST_PASS",
					"-destkeystore", copied, "-deststoretype", "PKCS12", "-deststorepass:env", "UCCERT_TEST_PASS"); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				back, err := os.ReadFile(copied)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Equal(back, data) {
					t.Fatal("keytool wrote our bytes back unchanged")
				}
				got, err := Decode(back, pw, 0)
				if err != nil {
					t.Fatal(err)
				}
				checkSecrets(t, got.Secrets, want)
			})
		}
	}
}

func TestNewSecret(t *testing.T) {
	for i, n := range oidNames[:secretKeyNames] {
		if !strings.HasPrefix(n.name, "AES") && !strings.HasPrefix(n.name, "DES") && !strings.HasPrefix(n.name, "Hmac") {
			t.Errorf("oidNames[%d] = %q is not a secret-key algorithm", i, n.name)
		}
	}
	if _, err := NewSecret("Blowfish", []byte{1}, Attributes{}); err == nil {
		t.Error("NewSecret accepted an algorithm it has no OID for")
	}
	s, err := NewSecret("DESede", make([]byte, 24), Attributes{})
	if err != nil || s.Algorithm.String() != "1.3.14.3.2.17" {
		t.Fatalf("DESede: %v %v", s.Algorithm, err)
	}
}
