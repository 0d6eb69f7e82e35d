package merge_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
)

func load(file, pass string) merge.Input {
	s, err := keystore.Load("../../fixtures/"+file, keystore.DecodeOptions{Password: secret.NewPassword(pass)})
	if err != nil {
		panic(err)
	}
	return merge.Input{Name: file, Store: s}
}

// Merge keeps the same certificate once and says so.
func ExampleMerge() {
	res, err := merge.Merge([]merge.Input{
		load("exports/fe1-openssl.pfx", "fe1-export"),
		load("exports/fe1-windows.pfx", "win-export"), // the same certificate, exported from Windows
		load("exports/fe4-ec-keytool.p12", "fe4-export"),
	}, merge.Options{Format: keystore.FormatJKS})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Entries {
		fmt.Println(p.Entry.Alias, len(p.Entry.Chain))
	}
	fmt.Println(len(res.Notes), "note")
	// Output:
	// fe1.uc.example.com 3
	// fe4.uc.example.com 3
	// 1 note
}

// TrustStore makes one trusted entry per distinct certificate.
func ExampleTrustStore() {
	res, err := merge.TrustStore([]merge.Input{load("pki/chain.p7b", "")}, merge.TrustOptions{Format: keystore.FormatJKS})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Entries {
		fmt.Println(p.Entry.Alias, p.Entry.Kind)
	}
	fmt.Println(len(res.Findings), "warnings")
	// Output:
	// uc-test-issuing-ca trusted
	// uc-test-root-ca trusted
	// 0 warnings
}

// Merge's findings are those of `uccert verify` on the merged store: here
// an expired export, and a Front End that no entry serves.
func ExampleMerge_findings() {
	res, err := merge.Merge([]merge.Input{load("stores/expired.jks", "changeit1")}, merge.Options{
		Format: keystore.FormatJKS, BaseName: "ucc.jks", FEs: []string{"fe2.uc.example.com"},
		Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range res.Findings {
		fmt.Println(f.Severity, f.Check, f.Subject)
	}
	// Output:
	// error cert-expired ucc.jks#expired.uc.example.com
	// error fe-identity-missing ucc.jks
	// warn fqdn-unexpected ucc.jks#expired.uc.example.com
}

// Renewal: with Replace, the renewed Front End certificate takes the
// place and the alias of the entry it renews; the Front End that shares
// only the pool's name with it stays.
func ExampleMerge_replace() {
	base := load("stores/ucc-with-fes.jks", "changeit1")
	res, err := merge.Merge([]merge.Input{load("exports/fe1-renewed.pfx", "fe1-renewed")}, merge.Options{
		Base: base.Store, BaseName: "ucc-keys.jks", Format: keystore.FormatJKS, Replace: true,
		Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Replaced {
		fmt.Printf("%s %x %s → %s %x %s\n", r.Old.Alias, r.Old.Leaf().SerialNumber, r.Old.Leaf().NotAfter.Format(time.DateOnly),
			r.New.Alias, r.New.Leaf().SerialNumber, r.New.Leaf().NotAfter.Format(time.DateOnly))
	}
	fmt.Println(len(res.Store.Entries), "entries")
	// Output:
	// fe1.uc.example.com 2000 2040-06-01 → fe1.uc.example.com 2201 2041-06-01
	// 3 entries
}

// Remove takes the expired entries out of a store; the store passed in
// is not changed (write Result.Store, e.g. with keystore.Update).
func ExampleRemove() {
	s := load("stores/fe1-expired-first.jks", "changeit1").Store
	res, err := merge.Remove(s, merge.Selector{Expired: true}, merge.RemoveOptions{
		Name: "ucc-keys.jks", Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Removed {
		fmt.Println("removed", r.Entry.Alias, r.Reasons)
	}
	for _, e := range res.Store.Entries {
		fmt.Println("kept", e.Alias)
	}
	_, err = merge.Remove(s, merge.Selector{Aliases: []string{"fe1-old"}}, merge.RemoveOptions{Name: "ucc-keys.jks"})
	fmt.Println(errors.Is(err, merge.ErrNoMatch))
	// Output:
	// removed fe1-expired [expired on 2021-06-01]
	// kept fe1-renewed
	// kept ucc.uc.example.com
	// true
}

// Secret keys (Java SecretKeyEntry) go into PKCS#12; JKS cannot hold
// them: the merge names each, or drops each with a note when asked.
func ExampleOptions_dropSecrets() {
	in := []merge.Input{load("stores/secret-keys.p12", "changeit1")}
	_, err := merge.Merge(in, merge.Options{Format: keystore.FormatJKS})
	fmt.Println(err)
	res, _ := merge.Merge(in, merge.Options{Format: keystore.FormatJKS, DropSecrets: true})
	for _, n := range res.Notes {
		fmt.Println(n)
	}
	res, _ = merge.Merge(in, merge.Options{Format: keystore.FormatPKCS12})
	for _, p := range res.Entries {
		fmt.Println(p.Entry.Kind, p.Entry.Alias, p.Entry.KeyDescription())
	}
	// Output:
	// secret keys cannot be stored in this store type (jks; only PKCS#12 holds secret keys): stores/secret-keys.p12: "aes-key" (AES 128), "hmac-key" (HmacSHA256 256)
	// stores/secret-keys.p12: secret key "aes-key" (AES 128) dropped, as asked: jks stores cannot hold secret keys
	// stores/secret-keys.p12: secret key "hmac-key" (HmacSHA256 256) dropped, as asked: jks stores cannot hold secret keys
	// key fe2.uc.example.com RSA 2048
	// secret aes-key AES 128
	// secret hmac-key HmacSHA256 256
}
