package keystore_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
)

// Load reads any supported file; a wrong password is its own error.
func ExampleLoad() {
	s, err := keystore.Load("../../fixtures/exports/fe1-openssl.pfx", keystore.DecodeOptions{Password: secret.NewPassword("fe1-export")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range s.Entries {
		fmt.Println(s.Format, e.Kind, e.Alias, len(e.Chain), keystore.PublicKeyDescription(e.Leaf().PublicKey))
	}
	_, err = keystore.Load("../../fixtures/exports/fe1-openssl.pfx", keystore.DecodeOptions{Password: secret.NewPassword("guess")})
	fmt.Println(errors.Is(err, keystore.ErrIncorrectPassword))
	// Output:
	// pkcs12 key fe1.uc.example.com 3 RSA 2048
	// true
}

// The keytool trap: a JKS whose key kept the pfx password. The entry is
// listed with its chain, and KeyErr says why the key is not usable.
func ExampleDecodeOptions_keyPasswords() {
	opts := keystore.DecodeOptions{Password: secret.NewPassword("changeit1")}
	s, _ := keystore.Load("../../fixtures/stores/trap.jks", opts)
	fmt.Println(errors.Is(s.Entries[0].KeyErr, keystore.ErrKeyPassword))

	opts.KeyPasswords = []secret.Password{secret.NewPassword("fe1-export")} // keytool's -srckeypass
	s, _ = keystore.Load("../../fixtures/stores/trap.jks", opts)
	fmt.Println(s.Entries[0].Key != nil, s.Entries[0].KeyPasswordDiffers)
	// Output:
	// true
	// true true
}

// WriteFile writes atomically and reads the result back before it
// replaces anything; every key is protected by the store password.
func ExampleWriteFile() {
	in, _ := keystore.Load("../../fixtures/exports/fe1-openssl.pfx", keystore.DecodeOptions{Password: secret.NewPassword("fe1-export")})
	dir, _ := os.MkdirTemp("", "uccert-example")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "ucc.p12")
	err := keystore.WriteFile(out, in, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{
		Format:   keystore.FormatPKCS12,
		Password: secret.NewPassword("changeit1"),
		Profile:  keystore.ProfileLegacy, // for JREs before 8u301
	}})
	fmt.Println(err)
	err = keystore.WriteFile(out, in, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatPKCS12, Password: secret.NewPassword("changeit1")}})
	fmt.Println(errors.Is(err, keystore.ErrExists))
	// Output:
	// <nil>
	// true
}

// Detect tells the format from the content, not the file name.
func ExampleDetect() {
	for _, f := range []string{"exports/fe3-nss.p12", "stores/frontends.jks", "pki/root.cer", "pki/chain.p7b", "pki/chain.pem"} {
		data, _ := os.ReadFile(filepath.Join("../../fixtures", f))
		fmt.Println(f, keystore.Detect(data))
	}
	// Output:
	// exports/fe3-nss.p12 pkcs12
	// stores/frontends.jks jks
	// pki/root.cer der
	// pki/chain.p7b pkcs7
	// pki/chain.pem pem
}

// Entries uccert cannot use are listed, never dropped: a DSA key (which
// TLS cannot use, but a merge carries over) and Java secret keys.
func ExampleEntry_KeyDescription() {
	for _, f := range []struct{ file, pass string }{
		{"../../fixtures/stores/four-rsa-one-dsa.p12", "changeit1"},
		{"../../fixtures/stores/secret-keys.p12", "changeit1"},
	} {
		s, err := keystore.Load(f.file, keystore.DecodeOptions{Password: secret.NewPassword(f.pass)})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range s.Entries {
			fmt.Println(e.Kind, e.Alias, e.KeyDescription(), e.Writable() == nil, e.Usable() == nil)
		}
	}
	// Output:
	// key fe1.uc.example.com RSA 2048 true true
	// key fe2.uc.example.com RSA 2048 true true
	// key dsa.uc.example.com DSA 2048 true false
	// key fe3.uc.example.com RSA 2048 true true
	// key ucc.uc.example.com RSA 2048 true true
	// key fe2.uc.example.com RSA 2048 true true
	// secret aes-key AES 128 true true
	// secret hmac-key HmacSHA256 256 true true
}
