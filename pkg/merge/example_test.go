package merge_test

import (
	"fmt"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
)

func load(file, pass string) merge.Input {
	s, err := keystore.Load("../../fixtures/"+file, keystore.DecodeOptions{Password: pass})
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
	res, warnings, err := merge.TrustStore([]merge.Input{load("pki/chain.p7b", "")}, merge.TrustOptions{Format: keystore.FormatJKS})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Entries {
		fmt.Println(p.Entry.Alias, p.Entry.Kind)
	}
	fmt.Println(len(warnings), "warnings")
	// Output:
	// uc-test-issuing-ca trusted
	// uc-test-root-ca trusted
	// 0 warnings
}
