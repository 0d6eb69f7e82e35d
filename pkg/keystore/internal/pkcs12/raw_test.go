package pkcs12

import (
	"bytes"
	"errors"
	"testing"
)

// DecodeRaw checks what Decode checks and returns the same bags, with
// certificates as DER and keys as PKCS#8, unparsed: files of OpenSSL
// (modern, legacy RC2/3DES), NSS (BER), keytool (secret keys) and
// Windows, a DSA key, a wrong password; and a certificate with a negative
// serial number, which only parsing refuses.
func TestDecodeRaw(t *testing.T) {
	for _, c := range []struct{ file, password string }{
		{"exports/fe1-openssl.pfx", "fe1-export"},
		{"exports/fe2-legacy.pfx", "fe2-export"},
		{"exports/fe3-3des.pfx", "fe3-export"},
		{"exports/fe3-nss.p12", "nss-export"},
		{"exports/fe1-windows.pfx", "win-export"},
		{"exports/dsa.pfx", "dsa-export"},
		{"stores/secret-keys.p12", "changeit1"},
		{"stores/many.p12", "changeit1"},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := fixture(t, c.file)
			want, err := Decode(data, c.password, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeRaw(data, c.password, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got.MAC != want.MAC || len(got.Keys) != len(want.Keys) || len(got.Certs) != len(want.Certs) || len(got.Secrets) != len(want.Secrets) {
				t.Fatalf("raw: MAC %q, %d keys, %d certificates, %d secrets; want %q, %d, %d, %d",
					got.MAC, len(got.Keys), len(got.Certs), len(got.Secrets), want.MAC, len(want.Keys), len(want.Certs), len(want.Secrets))
			}
			for i, k := range got.Keys {
				w := want.Keys[i]
				if k.Key != nil || k.Err != nil || !bytes.Equal(k.PKCS8, w.PKCS8) || !k.Algorithm.Equal(w.Algorithm) || k.Attrs.FriendlyName != w.Attrs.FriendlyName || !bytes.Equal(k.Attrs.LocalKeyID, w.Attrs.LocalKeyID) {
					t.Errorf("key %d differs", i+1)
				}
			}
			for i, cb := range got.Certs {
				w := want.Certs[i]
				if cb.Cert != nil || !bytes.Equal(cb.Raw, w.Cert.Raw) || !bytes.Equal(w.Raw, w.Cert.Raw) || cb.Attrs.FriendlyName != w.Attrs.FriendlyName || cb.Attrs.JavaTrusted != w.Attrs.JavaTrusted {
					t.Errorf("certificate %d differs", i+1)
				}
			}
			for i, s := range got.Secrets {
				if !bytes.Equal(s.PKCS8, want.Secrets[i].PKCS8) {
					t.Errorf("secret %d differs", i+1)
				}
			}
			if _, err := DecodeRaw(data, "wrong-password", 0); !errors.Is(err, ErrIncorrectPassword) {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
	c, err := DecodeRaw(fixture(t, "exports/negserial.pfx"), "negserial-export", 0)
	if err != nil || len(c.Certs) != 3 || len(c.Keys) != 1 {
		t.Fatalf("negative serial: %v", err)
	}
	// Encode writes a raw certificate bag as it is.
	c, err = DecodeRaw(fixture(t, "exports/fe1-openssl.pfx"), "fe1-export", 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(c, "changeit1", Modern(), nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(out, "changeit1", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, cb := range back.Certs {
		if !bytes.Equal(cb.Raw, c.Certs[i].Raw) {
			t.Errorf("certificate %d not written as it was", i+1)
		}
	}
}
