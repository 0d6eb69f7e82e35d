package merge

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
)

func in(t *testing.T, file, pass string, keyPass ...string) Input {
	t.Helper()
	path := filepath.Join("../../fixtures", file)
	opts := keystore.DecodeOptions{Password: secret.NewPassword(pass)}
	for _, k := range keyPass {
		opts.KeyPasswords = append(opts.KeyPasswords, secret.NewPassword(k))
	}
	s, err := keystore.Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: file, Store: s}
}

func aliases(r *Result) []string {
	var out []string
	for _, p := range r.Entries {
		out = append(out, p.Entry.Kind.String()+":"+p.Entry.Alias)
	}
	return out
}

func hasNote(r *Result, parts ...string) bool {
	for _, n := range r.Notes {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(n, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// Exports from every producer in one run: OpenSSL default, -legacy, NSS
// (BER), keytool (EC), Windows (no friendlyName, duplicate of fe1).
func TestMergeEveryProducer(t *testing.T) {
	r, err := Merge([]Input{
		in(t, "exports/fe1-openssl.pfx", "fe1-export"),
		in(t, "exports/fe2-legacy.pfx", "fe2-export"),
		in(t, "exports/fe3-nss.p12", "nss-export"),
		in(t, "exports/fe4-ec-keytool.p12", "fe4-export"),
		in(t, "exports/fe1-windows.pfx", "win-export"),
	}, Options{Format: keystore.FormatJKS})
	if err != nil {
		t.Fatal(err)
	}
	want := "key:fe1.uc.example.com,key:fe2.uc.example.com,key:fe3.uc.example.com,key:fe4.uc.example.com"
	if got := strings.Join(aliases(r), ","); got != want {
		t.Fatalf("entries %s, want %s", got, want)
	}
	for _, p := range r.Entries {
		if len(p.Entry.Chain) != 3 || p.Entry.Key == nil {
			t.Errorf("%s: chain %d, key %v", p.Entry.Alias, len(p.Entry.Chain), p.Entry.Key != nil)
		}
	}
	if !hasNote(r, "fe1-windows.pfx", "same certificate", "fe1.uc.example.com", "kept once") {
		t.Errorf("duplicate not reported: %v", r.Notes)
	}
	if r.Entries[3].Source != "exports/fe4-ec-keytool.p12" {
		t.Errorf("source %q", r.Entries[3].Source)
	}
}

func TestMergeAliasPolicy(t *testing.T) {
	// Windows exports have no friendlyName: the DNS name is used.
	r, err := Merge([]Input{in(t, "exports/fe2-windows.pfx", "win-export")}, Options{})
	if err != nil || aliases(r)[0] != "key:fe2.uc.example.com" {
		t.Fatalf("%v %v", aliases(r), err)
	}
	// A different certificate on a taken alias: renamed -2, reported.
	r, err = Merge([]Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), in(t, "stores/other-leaf.jks", "changeit1")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(aliases(r), ","); got != "key:fe1.uc.example.com,key:fe1.uc.example.com-2" {
		t.Fatalf("entries %s", got)
	}
	if !hasNote(r, "other-leaf.jks", `"fe1.uc.example.com"`, "different certificate", `"fe1.uc.example.com-2"`) {
		t.Errorf("rename not reported: %v", r.Notes)
	}
	// --alias in order; the rest by policy; JKS lower-cases.
	r, err = Merge([]Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), in(t, "exports/fe2-legacy.pfx", "fe2-export")},
		Options{Aliases: []string{"FrontEnd-1"}, Format: keystore.FormatJKS})
	if err != nil || strings.Join(aliases(r), ",") != "key:frontend-1,key:fe2.uc.example.com" {
		t.Fatalf("%v %v", aliases(r), err)
	}
	_, err = Merge([]Input{in(t, "exports/fe1-openssl.pfx", "fe1-export")}, Options{Aliases: []string{"a", "b"}})
	if !errors.Is(err, ErrTooManyAliases) {
		t.Fatalf("got %v", err)
	}
	// CN when there is no DNS name; file name as the last resort.
	cn, err := Merge([]Input{in(t, "stores/cnonly.jks", "changeit1")}, Options{})
	if err != nil || aliases(cn)[0] != "key:cnonly.uc.example.com" {
		t.Fatalf("%v %v", aliases(cn), err)
	}
	e := &keystore.Entry{}
	if got := defaultKeyAlias(e, `C:\Exports\FE9 Server.pfx`); got != "fe9 server" {
		t.Errorf("file-name alias %q", got)
	}
}

// The keytool trap store comes out usable once its key password is given.
func TestMergeRepairsKeytoolTrap(t *testing.T) {
	_, err := Merge([]Input{in(t, "stores/trap.jks", "changeit1")}, Options{})
	var ue *keystore.UnusableKeyError
	if !errors.Is(err, ErrUnusableKey) || !errors.Is(err, keystore.ErrKeyPassword) || !errors.As(err, &ue) ||
		ue.File != "stores/trap.jks" || ue.Alias != "fe1.uc.example.com" || strings.Contains(err.Error(), "--") {
		t.Fatalf("got %v", err)
	}
	r, err := Merge([]Input{in(t, "stores/trap.jks", "changeit1", "fe1-export")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Entries[0].Entry.Key == nil || !hasNote(r, "had its own password") {
		t.Fatalf("notes %v", r.Notes)
	}
}

func TestMergeCarriesTrustedAndAppends(t *testing.T) {
	base := in(t, "stores/frontends.jks", "changeit1")
	r, err := Merge([]Input{in(t, "exports/fe3-3des.pfx", "fe3-export"), in(t, "exports/fe1-openssl.pfx", "fe1-export")},
		Options{Base: base.Store, BaseName: "frontends.jks", Format: keystore.FormatJKS})
	if err != nil {
		t.Fatal(err)
	}
	got := aliases(r)
	sort.Strings(got)
	if strings.Join(got, ",") != "key:fe1.uc.example.com,key:fe2.uc.example.com,key:fe3.uc.example.com,trusted:ucc-cert" {
		t.Fatalf("entries %v", got)
	}
	kept := 0
	for _, p := range r.Entries {
		if p.Kept {
			kept++
		}
	}
	if kept != 3 || !hasNote(r, "fe1-openssl.pfx", "same certificate") {
		t.Fatalf("kept %d, notes %v", kept, r.Notes)
	}
	// Trusted entries of an input are carried over.
	r, err = Merge([]Input{in(t, "stores/frontends.p12", "changeit1")}, Options{})
	if err != nil || !strings.Contains(strings.Join(aliases(r), ","), "trusted:ucc-cert") {
		t.Fatalf("%v %v", aliases(r), err)
	}
}

func TestMergeInputsWithoutKeys(t *testing.T) {
	if _, err := Merge([]Input{in(t, "pki/root.cer", "")}, Options{}); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("certificate-only input: %v", err)
	}
	if _, err := Merge([]Input{in(t, "pki/fe1.key.pem", "")}, Options{}); !errors.Is(err, ErrUnusableKey) || !errors.Is(err, keystore.ErrNoCertificate) {
		t.Fatalf("key without certificate: %v", err)
	}
	if _, err := Merge([]Input{in(t, "stores/truststore.jks", "trustpass1")}, Options{}); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("trust store only: %v", err)
	}
	// PEM key + chain.
	r, err := Merge([]Input{in(t, "pki/fe2.bundle.pem", "")}, Options{})
	if err != nil || len(r.Entries[0].Entry.Chain) != 3 {
		t.Fatalf("%v %v", aliases(r), err)
	}
	// A chain completed from the input's other certificates.
	r, err = Merge([]Input{in(t, "exports/fe1-nochain.pfx", "fe1-export")}, Options{})
	if err != nil || len(r.Entries[0].Entry.Chain) != 1 {
		t.Fatalf("%v %v", aliases(r), err)
	}
}

func TestTrustStore(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	r, err := TrustStore([]Input{in(t, "pki/root.cer", ""), in(t, "pki/chain.p7b", ""), in(t, "pki/chain.pem", "")},
		TrustOptions{Format: keystore.FormatJKS, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(aliases(r), ","); got != "trusted:uc-test-root-ca,trusted:uc-test-issuing-ca" {
		t.Fatalf("entries %s", got)
	}
	if len(r.Findings) != 0 || !hasNote(r, "chain.p7b", "same certificate") {
		t.Fatalf("findings %v notes %v", r.Findings, r.Notes)
	}
	r, err = TrustStore([]Input{in(t, "pki/fe1.cer", ""), in(t, "pki/expired.pem", "")}, TrustOptions{Aliases: []string{"ucc-cert"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var checks []string
	for _, f := range r.Findings {
		checks = append(checks, string(f.Check))
	}
	sort.Strings(checks)
	if aliases(r)[0] != "trusted:ucc-cert" || strings.Join(checks, ",") != "cert-expired,truststore-not-ca,truststore-not-ca" {
		t.Fatalf("entries %v findings %v", aliases(r), r.Findings)
	}
	if !strings.Contains(fmt.Sprint(r.Findings), "expired on 2021-01-01") {
		t.Errorf("findings %v", r.Findings)
	}
	// Certificates of a JKS input; appending keeps what is there.
	base := in(t, "stores/truststore.jks", "trustpass1")
	r, err = TrustStore([]Input{in(t, "pki/root.cer", ""), in(t, "stores/truststore-other.jks", "trustpass1")},
		TrustOptions{Base: base.Store, BaseName: "truststore.jks", Format: keystore.FormatJKS, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(aliases(r), ","); !strings.Contains(got, "trusted:other-test-root-ca") || len(r.Entries) != 3 {
		t.Fatalf("entries %s", got)
	}
	if _, err := TrustStore([]Input{in(t, "pki/root.cer", "")}, TrustOptions{Aliases: []string{"a", "b"}}); !errors.Is(err, ErrTooManyAliases) {
		t.Fatalf("got %v", err)
	}
}

// Appending to a Windows export without friendlyName: its entries get
// aliases by the rule of new ones (0.1.0 failed with "duplicate alias: an
// entry has no alias"), each reported.
func TestMergeAppendToBaseWithoutAliases(t *testing.T) {
	base := in(t, "exports/fe1-windows.pfx", "win-export")
	for _, e := range base.Store.Entries {
		if e.Kind == keystore.KindKey && e.Alias != "" {
			t.Fatalf("fixture: the Windows export has alias %q", e.Alias)
		}
	}
	r, err := Merge([]Input{in(t, "exports/fe2-legacy.pfx", "fe2-export")},
		Options{Base: base.Store, BaseName: "fe1-windows.pfx", Format: keystore.FormatPKCS12})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(aliases(r), ",")
	if !strings.Contains(got, "key:fe1.uc.example.com") || !strings.Contains(got, "key:fe2.uc.example.com") {
		t.Fatalf("entries %v", got)
	}
	if !hasNote(r, "fe1-windows.pfx", "without an alias", `"fe1.uc.example.com"`) {
		t.Errorf("notes %q", r.Notes)
	}
	if base.Store.Entries[0].Alias != "" {
		t.Error("the base store was changed")
	}
	if _, err := keystore.Encode(r.Store, keystore.EncodeOptions{Format: keystore.FormatPKCS12, Password: secret.NewPassword("changeit1")}); err != nil {
		t.Fatalf("encode: %v", err)
	}
}

// --host or --fe: every entry that serves none of the names given is
// reported (fqdn-unexpected), --host alone included (SPEC: merge warns for
// each entry whose names match none of them); with every name given, none.
func TestMergeUnexpectedEntries(t *testing.T) {
	ins := []Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), in(t, "exports/ucc-openssl.pfx", "ucc-export")}
	unexpected := func(opts Options) []string {
		opts.Format = keystore.FormatJKS
		r, err := Merge(ins, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range r.Findings {
			if f.Check == preflight.CheckFQDNUnexpected {
				out = append(out, f.Subject)
			}
		}
		return out
	}
	if got := unexpected(Options{Host: "ucc.uc.example.com"}); len(got) != 1 || !strings.HasSuffix(got[0], "#fe1.uc.example.com") {
		t.Errorf("--host alone: %q, want the fe1 entry", got)
	}
	if got := unexpected(Options{FEs: []string{"fe1.uc.example.com"}}); len(got) != 1 || !strings.HasSuffix(got[0], "#ucc.uc.example.com") {
		t.Errorf("--fe alone: %q, want the ucc entry", got)
	}
	if got := unexpected(Options{Host: "ucc.uc.example.com", FEs: []string{"fe1.uc.example.com"}}); len(got) != 0 {
		t.Errorf("every name given: %q", got)
	}
	if got := unexpected(Options{}); len(got) != 0 {
		t.Errorf("no name given: %q", got)
	}
}
