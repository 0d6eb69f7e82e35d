package preflight

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/secret"
)

const fx = "../../fixtures"

func store(path, pass string) *StoreSpec {
	return &StoreSpec{Path: filepath.Join(fx, path), Password: secret.NewPassword(pass), HasPassword: true}
}

// input is Options with the stores not yet opened, so that cases can
// change a spec.
type input struct {
	Kerberos            bool
	CertStore, KeyStore *StoreSpec
	Krb5                string
	Host                string
	FEs                 []string
	Now                 time.Time
	WarnDays            int
}

func run(in input) *finding.Report {
	return Run(Options{Kerberos: in.Kerberos, CertStore: Open(in.CertStore), KeyStore: Open(in.KeyStore), Krb5: in.Krb5,
		Host: in.Host, FEs: in.FEs, Now: in.Now, WarnDays: in.WarnDays}).Report
}

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// problems lists the non-ok findings as "check/severity", sorted.
func problems(r *finding.Report) []string {
	var out []string
	for _, f := range r.Problems() {
		out = append(out, string(f.Check)+"/"+f.Severity.String())
	}
	sort.Strings(out)
	return out
}

// One case per check, on fixtures made by openssl, keytool and Java: the
// exact set of warnings and errors, by check name and severity.
func TestChecks(t *testing.T) {
	trust := store("stores/truststore.jks", "trustpass1")
	ucc := func(path string) input {
		return input{Host: "ucc.uc.example.com", CertStore: store(path, "changeit1"), KeyStore: trust, Now: now}
	}
	with := func(o input, f func(*input)) input { f(&o); return o }
	cases := []struct {
		name string
		opts input
		want []string
	}{
		{"clean mtls pair", with(ucc("stores/ucc-with-fes.jks"), func(o *input) { o.FEs = []string{"fe1.uc.example.com", "fe2.uc.example.com"} }), nil},
		{"clean PKCS#12", ucc("stores/ucc-with-fes.p12"), nil},
		{"store-unreadable missing", ucc("stores/nope.jks"), []string{"store-unreadable/error"}},
		{"store-unreadable garbage", ucc("hostile/garbage.bin"), []string{"store-unreadable/error"}},
		{"store-unreadable truncated", ucc("hostile/truncated.jks"), []string{"store-unreadable/error"}},
		{"store-wrong-password", with(ucc("stores/ucc.jks"), func(o *input) { o.CertStore.Password = secret.NewPassword("wrong-pass") }), []string{"store-wrong-password/error"}},
		{"store-type-mismatch", with(ucc("stores/ucc-with-fes.p12"), func(o *input) { o.CertStore.Type = "jks" }), []string{"store-type-mismatch/error"}},
		{"args-type-mismatch", with(ucc("stores/ucc-with-fes.p12"), func(o *input) { o.CertStore.Type, o.CertStore.TypeFromArgs = "jks", true }), []string{"args-type-mismatch/error"}},
		{"key-password-differs (keytool trap)", with(ucc("stores/trap.jks"), func(o *input) { o.Host = "fe1.uc.example.com" }), []string{"key-password-differs/error"}},
		{"key-cert-mismatch (JKS)", with(ucc("stores/mismatch.jks"), func(o *input) { o.Host = "fe2.uc.example.com" }), []string{"key-cert-mismatch/error"}},
		{"key-weak RSA 1024", with(ucc("stores/rsa1024.jks"), func(o *input) { o.Host = "weak.uc.example.com" }), []string{"key-weak/error"}},
		{"key-weak DSA among four RSA keys (JKS)", ucc("stores/four-rsa-one-dsa.jks"), []string{"key-weak/error"}},
		{"key-weak DSA among four RSA keys (PKCS#12)", ucc("stores/four-rsa-one-dsa.p12"), []string{"key-weak/error"}},
		{"a DSA entry serves no name", with(ucc("stores/four-rsa-one-dsa.p12"), func(o *input) { o.Host = "dsa.uc.example.com" }), []string{"host-identity-missing/error", "key-weak/error"}},
		{"cert-expired", with(ucc("stores/expired.jks"), func(o *input) { o.Host = "expired.uc.example.com" }), []string{"cert-expired/error"}},
		{"cert-not-yet-valid", with(ucc("stores/notyet.jks"), func(o *input) { o.Host = "notyet.uc.example.com" }), []string{"cert-not-yet-valid/error"}},
		{"cert-expires-soon", with(ucc("stores/ucc.jks"), func(o *input) { o.Now = time.Date(2040, 5, 20, 0, 0, 0, 0, time.UTC) }), []string{"cert-expires-soon/warn"}},
		{"cert-expires-soon outside window", with(ucc("stores/ucc.jks"), func(o *input) { o.Now = time.Date(2040, 5, 20, 0, 0, 0, 0, time.UTC); o.WarnDays = 5 }), nil},
		{"cert-weak-signature SHA-1", with(ucc("stores/sha1.jks"), func(o *input) { o.Host = "sha1.uc.example.com" }), []string{"cert-weak-signature/error"}},
		{"cert-eku server only", with(ucc("stores/serveronly.jks"), func(o *input) { o.Host = "serveronly.uc.example.com" }), []string{"cert-eku/error"}},
		{"no EKU extension is fine", with(ucc("stores/noeku.jks"), func(o *input) { o.Host = "noeku.uc.example.com" }), nil},
		{"chain-untrusted: unrelated CA", with(ucc("stores/ucc.jks"), func(o *input) { o.KeyStore = store("stores/truststore-other.jks", "trustpass1") }), []string{"chain-untrusted/error"}},
		{"chain-untrusted: other CA's leaf", with(ucc("stores/other-leaf.jks"), func(o *input) { o.Host = "fe1.uc.example.com" }), []string{"chain-untrusted/error"}},
		{"chain-incomplete: trust store completes it", with(ucc("stores/nochain.jks"), func(o *input) { o.Host = "fe1.uc.example.com" }), []string{"chain-incomplete/warn"}},
		{"leaf trusted directly", with(ucc("stores/nochain.jks"), func(o *input) {
			o.Host = "fe1.uc.example.com"
			o.KeyStore = store("stores/truststore-leaf.jks", "trustpass1")
		}), []string{"truststore-not-ca/warn"}},
		{"chain-untrusted: incomplete, the trust store lacks the issuing CA", with(ucc("stores/nochain.jks"), func(o *input) {
			o.Host = "fe1.uc.example.com"
			o.KeyStore = store("stores/truststore-other.jks", "trustpass1")
		}), []string{"chain-untrusted/error"}},
		{"issuing CA as the only anchor", with(ucc("stores/ucc.jks"), func(o *input) { o.KeyStore = store("stores/truststore-issuing-only.jks", "trustpass1") }), nil},
		{"host-identity-missing", with(ucc("stores/ucc-with-fes.jks"), func(o *input) { o.Host = "ucc2.uc.example.com" }), []string{"host-identity-missing/error"}},
		{"host served by a wildcard", with(ucc("stores/wildcard.jks"), func(o *input) { o.Host = "anything.uc.example.com" }), nil},
		{"host not served by the wildcard two levels down", with(ucc("stores/wildcard.jks"), func(o *input) { o.Host = "a.b.uc.example.com" }), []string{"host-identity-missing/error"}},
		{"wrong host", with(ucc("stores/wronghost.jks"), func(o *input) { o.Host = "fe1.uc.example.com" }), []string{"host-identity-missing/error"}},
		{"fe-identity-missing", with(ucc("stores/ucc-with-fes.jks"), func(o *input) { o.FEs = []string{"fe1.uc.example.com", "fe3.uc.example.com"} }), []string{"fe-identity-missing/error", "fqdn-unexpected/warn"}},
		{"fqdn-cn-only", with(ucc("stores/cnonly.jks"), func(o *input) { o.Host = "cnonly.uc.example.com" }), []string{"fqdn-cn-only/warn"}},
		{"fqdn-unexpected", with(ucc("stores/ucc-with-fes.jks"), func(o *input) { o.FEs = []string{"fe1.uc.example.com"} }), []string{"fqdn-unexpected/warn"}},
		{"mixed-key-algorithms", with(ucc("stores/mixed-rsa-ec.jks"), func(o *input) { o.Host = "fe1.uc.example.com" }), []string{"mixed-key-algorithms/warn"}},
		{"identity-duplicate: expired first", ucc("stores/fe1-expired-first.jks"), []string{"cert-expired/error", "identity-duplicate/warn"}},
		{"identity-duplicate: renewed first (PKCS#12)", ucc("stores/fe1-renewed-first.p12"), []string{"cert-expired/error", "identity-duplicate/warn"}},
		{"identity-duplicate: not for a shared pool name", with(ucc("stores/ucc-with-fes.jks"), func(o *input) { o.FEs = []string{"fe1.uc.example.com", "fe2.uc.example.com"} }), nil},
		{"truststore-empty", with(ucc("stores/ucc.jks"), func(o *input) { o.KeyStore = store("stores/truststore-empty.jks", "trustpass1") }), []string{"truststore-empty/error"}},
		{"truststore-not-ca", with(ucc("stores/ucc.jks"), func(o *input) { o.KeyStore = store("stores/truststore-leaf.jks", "trustpass1") }), []string{"truststore-not-ca/warn"}},
		{"kerberos mode: trust store + krb5.conf", input{Kerberos: true, Host: "fe1.uc.example.com", CertStore: trust, Krb5: filepath.Join(fx, "krb5/good.conf"), Now: now}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(c.opts)
			got := problems(r)
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("problems %v, want %v", got, c.want)
				for _, f := range r.Problems() {
					t.Logf("  %s %s %s: %s", f.Severity, f.Check, f.Subject, f.Message)
				}
			}
			for _, f := range r.Findings {
				if f.Subject == "" || f.Message == "" || (f.Severity >= finding.Warn && f.Hint == "") {
					t.Errorf("incomplete finding %+v", f)
				}
				if strings.Contains(f.Message+f.Hint, "changeit1") || strings.Contains(f.Message+f.Hint, "trustpass1") {
					t.Errorf("password in finding %+v", f)
				}
			}
		})
	}
}

// A dNSName of raw UTF-8 (OpenSSL copies it as given) is read, and
// reported: escaped in the message, its A-label in the hint.
func TestMalformedNameReported(t *testing.T) {
	r := run(input{Host: "xn--bcher-kva.uc.example.com", CertStore: store("exports/idn.pfx", "idn-export"),
		KeyStore: store("stores/truststore.jks", "trustpass1"), Now: now})
	if got := problems(r); strings.Join(got, ",") != "cert-malformed-name/warn,host-identity-missing/error" {
		t.Fatalf("problems %v", got)
	}
	f := r.ByCheck(CheckCertMalformedName)
	if len(f) != 1 || !strings.Contains(f[0].Message, `dNSName "b\u00fccher.uc.example.com"`) ||
		!strings.Contains(f[0].Hint, "xn--bcher-kva.uc.example.com") || !strings.HasSuffix(f[0].Subject, "idn.pfx#bücher.uc.example.com") {
		t.Fatalf("%+v", f)
	}
}

// Subjects name the file, file#alias or file:line.
func TestSubjects(t *testing.T) {
	r := run(input{Host: "fe1.uc.example.com", CertStore: store("stores/trap.jks", "changeit1"), Now: now})
	f := r.ByCheck(CheckKeyPasswordDiffers)
	if len(f) != 1 || !strings.HasSuffix(f[0].Subject, "trap.jks#fe1.uc.example.com") {
		t.Fatalf("%+v", f)
	}
	r = run(input{Host: "fe1.uc.example.com", Krb5: filepath.Join(fx, "krb5/weak-enctype-des.conf"), Now: now})
	f = r.ByCheck("krb5-weak-enctype")
	if len(f) == 0 || f[0].Severity != finding.Error || !strings.HasSuffix(f[0].Subject, "weak-enctype-des.conf:3") {
		t.Fatalf("%+v", f)
	}
}

// Every krb5.conf fixture yields its check (the krb5conf package tests
// lines and details; this proves verify carries them through).
func TestKrb5Findings(t *testing.T) {
	cases := map[string]string{
		"syntax-missing-brace.conf":    "krb5-syntax/error",
		"no-default-realm.conf":        "krb5-no-default-realm/error",
		"default-realm-undefined.conf": "krb5-default-realm-undefined/error",
		"realm-no-kdc.conf":            "krb5-realm-no-kdc/error",
		"realm-lowercase.conf":         "krb5-realm-lowercase/warn",
		"domain-realm-undefined.conf":  "krb5-domain-realm-undefined/error",
		"host-realm-mismatch.conf":     "krb5-host-realm-mismatch/error",
		"weak-enctype-des.conf":        "krb5-weak-enctype/error",
		"weak-checksum.conf":           "krb5-weak-checksum/warn",
		"good.conf":                    "",
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			r := run(input{Host: "fe1.uc.example.com", Krb5: filepath.Join(fx, "krb5", file), Now: now})
			got := strings.Join(problems(r), ",")
			if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
				t.Fatalf("problems %s, want %s", got, want)
			}
		})
	}
}

// A name no entry serves but one nearly does is answered with "did you
// mean"; a certificate name with a final dot serves the name with the dot
// (as crypto/x509), and the name without it is told why it fails.
func TestIdentityNearMiss(t *testing.T) {
	trust := store("stores/truststore.jks", "trustpass1")
	cases := []struct {
		name, store, pass, host string
		fes                     []string
		want                    string // in the identity finding's message; "" = served
	}{
		{"host typo", "stores/ucc-with-fes.jks", "changeit1", "ucc01.uc.example.com", nil, `did you mean ucc.uc.example.com (entry "ucc.uc.example.com")?`},
		{"fe in another domain", "stores/ucc-with-fes.jks", "changeit1", "ucc.uc.example.com", []string{"fe1.lab.example.com"}, "did you mean fe1.uc.example.com"},
		{"nothing near", "stores/ucc-with-fes.jks", "changeit1", "mail.other.org", nil, "no key entry's certificate names the connector host mail.other.org"},
		{"final dot given", "exports/ucc-dot.pfx", "dot-export", "ucc.uc.example.com.", nil, ""},
		{"final dot missing", "exports/ucc-dot.pfx", "dot-export", "ucc.uc.example.com", nil, "names ucc.uc.example.com. with a final dot"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(input{CertStore: store(c.store, c.pass), KeyStore: trust, Host: c.host, FEs: c.fes, Now: now})
			var got *finding.Finding
			for i, f := range r.Findings {
				if (f.Check == CheckHostIdentityMissing || f.Check == CheckFEIdentityMissing) && f.Severity == finding.Error {
					got = &r.Findings[i]
				}
			}
			switch {
			case c.want == "" && got != nil:
				t.Errorf("unexpected %s: %s", got.Check, got.Message)
			case c.want != "" && got == nil:
				t.Errorf("no identity error; problems %v", problems(r))
			case c.want != "" && !strings.Contains(got.Message, c.want):
				t.Errorf("message %q lacks %q (hint %q)", got.Message, c.want, got.Hint)
			}
		})
	}
}

// A chain that ends at a root the trust store lacks names the root as
// self-signed; a chain whose issuer nobody holds names the issuer.
func TestChainUntrustedWording(t *testing.T) {
	cases := []struct {
		name string
		in   input
		want string
	}{
		{"self-signed root not trusted", input{Host: "ucc.uc.example.com", CertStore: store("stores/ucc.jks", "changeit1"), KeyStore: store("stores/truststore-other.jks", "trustpass1"), Now: now},
			"the chain ends at the self-signed CN=UC Test Root CA, which the trust store does not hold"},
		{"issuer held by nobody", input{Host: "fe1.uc.example.com", CertStore: store("stores/nochain.jks", "changeit1"), KeyStore: store("stores/truststore-other.jks", "trustpass1"), Now: now},
			"neither the store nor the trust store holds CN=UC Test Issuing CA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := run(c.in).ByCheck(CheckChainUntrusted)
			if len(fs) == 0 || !strings.Contains(fs[0].Message, c.want) {
				t.Errorf("findings %+v, want %q", fs, c.want)
			}
		})
	}
}
