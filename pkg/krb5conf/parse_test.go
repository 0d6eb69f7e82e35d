package krb5conf

import (
	"errors"
	"fmt"
	"io/fs"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/finding"

	"github.com/jcmturner/gokrb5/v8/config"
)

// base is a valid file of 6 lines; cases append to it from line 7.
const base = `[libdefaults]
 default_realm = R.EXAMPLE
[realms]
 R.EXAMPLE = {
  kdc = kdc.r.example
 }
`

func TestInMemory(t *testing.T) {
	cases := []struct {
		name, in, host string
		want           []w
		gokrb5Nil      bool
	}{
		{name: "base", in: base},
		{name: "empty", in: "", want: []w{{CheckNoDefaultRealm, sevE, 1}}},
		{name: "only comments", in: "# a\n; b\n   # c\n\n", want: []w{{CheckNoDefaultRealm, sevE, 1}}},
		{name: "stray brace only", in: "}", want: []w{{CheckSyntax, sevE, 1}, {CheckNoDefaultRealm, sevE, 1}}},
		{name: "unterminated header", in: "[libdefaults", want: []w{{CheckSyntax, sevE, 1}, {CheckNoDefaultRealm, sevE, 1}}},
		{name: "text after header", in: base + "[domain_realm] x = R.EXAMPLE\n", want: []w{{CheckSyntax, sevE, 7}}},
		{name: "final header and brace", in: base + "[domain_realm]*\n[realms]\n S.EXAMPLE = {\n  kdc = s\n }*\n"},
		{name: "text after closing brace", in: base + "[realms]\n S.EXAMPLE = {\n  kdc = s\n } x\n", want: []w{{CheckSyntax, sevW, 10}}},
		{name: "unknown section typo", in: "[libdefault]\n default_realm = R.EXAMPLE\n",
			want: []w{{CheckSyntax, sevW, 1}, {CheckNoDefaultRealm, sevE, 1}}},
		{name: "garbage before first section", in: "hello\n" + base,
			want: []w{{CheckSyntax, sevE, 1}}},
		{name: "lone open brace", in: base + "{\n", want: []w{{CheckSyntax, sevE, 7}}, gokrb5Nil: true},
		{name: "unclosed at end of file", in: base + "[realms]\n S.EXAMPLE = {\n  kdc = s\n", want: []w{{CheckSyntax, sevE, 8}}},
		{name: "two unclosed blocks", in: "[realms]\n R.EXAMPLE = {\n  kdc = a\n  x = {\n[libdefaults]\n default_realm = R.EXAMPLE\n",
			want: []w{{CheckSyntax, sevE, 2}, {CheckSyntax, sevE, 4}}},
		{name: "nested block in realm: gokrb5 panics", in: base + "[realms]\n S.EXAMPLE = {\n  kdc = s\n  auth_to_local_names = {\n   joe = joseph\n  }\n }\n",
			want: []w{{CheckSyntax, sevE, 10}}, gokrb5Nil: true},
		{name: "brace on the next line", in: base + "[realms]\n S.EXAMPLE =\n {\n  kdc = s\n }\n",
			want: []w{{CheckSyntax, sevE, 9}}, gokrb5Nil: true},
		{name: "empty value then relation", in: base + "[libdefaults]\n forwardable =\n proxiable = true\n", want: []w{{CheckSyntax, sevE, 8}}, gokrb5Nil: true},
		{name: "empty value at end of file", in: base + "[libdefaults]\n default_keytab_name =\n"},
		{name: "empty boolean: gokrb5 rejects", in: base + "[libdefaults]\n forwardable =\n", want: []w{{CheckSyntax, sevE, 8}}, gokrb5Nil: true},
		{name: "one-line block", in: base + "[realms]\n S.EXAMPLE = { kdc = s }\n", want: []w{{CheckSyntax, sevE, 8}}, gokrb5Nil: true},
		{name: "realm that is not a block", in: base + "[realms]\n S.EXAMPLE = kdc.s\n", want: []w{{CheckSyntax, sevE, 8}}},
		{name: "block in domain_realm", in: base + "[domain_realm]\n x = {\n }\n", want: []w{{CheckSyntax, sevE, 8}}, gokrb5Nil: true},
		{name: "tag with spaces", in: base + "[libdefaults]\n default realm = R.EXAMPLE\n", want: []w{{CheckSyntax, sevE, 8}}},
		{name: "relation without tag", in: base + "[libdefaults]\n = x\n", want: []w{{CheckSyntax, sevE, 8}}},
		{name: "final tag", in: base + "[libdefaults]\n forwardable* = true\n"},
		{name: "comment after value", in: base + "[realms]\n S.EXAMPLE = {\n  kdc = s # primary\n }\n", want: []w{{CheckSyntax, sevW, 9}}},
		{name: "quoted value", in: "[libdefaults]\n default_realm = \"R.EXAMPLE\"\n[realms]\n R.EXAMPLE = {\n  kdc = a\n }\n"},
		{name: "default_realm twice", in: base + "[libdefaults]\n default_realm = S.EXAMPLE\n", want: []w{{CheckSyntax, sevW, 8}}},
		{name: "default_realm twice, same value", in: base + "[libdefaults]\n default_realm = R.EXAMPLE\n"},
		{name: "gokrb5 rejects a boolean", in: base + "[libdefaults]\n forwardable = maybe\n", want: []w{{CheckSyntax, sevE, 8}}, gokrb5Nil: true},
		{name: "v4 directive: gokrb5 warns", in: base + "[realms]\n S.EXAMPLE = {\n  kdc = s\n  v4_realm = S\n }\n", want: []w{{CheckSyntax, sevW, 10}}},
		{name: "includedir at column 1", in: "includedir /etc/krb5.conf.d\n" + base, want: []w{{CheckSyntax, sevW, 1}}},
		{name: "include inside a section", in: base + "[libdefaults]\ninclude /etc/krb5.extra\n",
			want: []w{{CheckSyntax, sevW, 8}, {CheckSyntax, sevE, 8}}, gokrb5Nil: true},
		{name: "indented includedir", in: base + " includedir /etc/krb5.conf.d\n", want: []w{{CheckSyntax, sevE, 7}}},
		{name: "relation named include", in: base + "[libdefaults]\n include = x\n"},
		{name: "BOM before a comment", in: "\ufeff# krb5.conf\n" + base},
		{name: "BOM before a header", in: "\ufeff" + base, want: []w{{CheckSyntax, sevE, 1}}},
		{name: "relation outside a section, with a block", in: "R.EXAMPLE = {\n kdc = a\n}\n" + base, want: []w{{CheckSyntax, sevE, 1}}},

		{name: "default_realm empty", in: "[libdefaults]\n default_realm = \"\"\n", want: []w{{CheckNoDefaultRealm, sevE, 2}}},
		{name: "no libdefaults, one realm", in: "[realms]\n R.EXAMPLE = {\n  kdc = a\n }\n", want: []w{{CheckNoDefaultRealm, sevE, 1}}},
		{name: "realm in two blocks", in: "[libdefaults]\n default_realm = R.EXAMPLE\n[realms]\n R.EXAMPLE = {\n  admin_server = a\n }\n R.EXAMPLE = {\n  kdc = a\n }\n"},
		{name: "realm with an empty kdc", in: "[libdefaults]\n default_realm = R.EXAMPLE\n[realms]\n R.EXAMPLE = {\n  kdc = \"\"\n }\n",
			want: []w{{CheckRealmNoKDC, sevE, 4}}},
		{name: "mixed-case realm", in: "[libdefaults]\n default_realm = R.Example\n[realms]\n R.Example = {\n  kdc = a\n }\n",
			want: []w{{CheckRealmLowercase, sevW, 4}}},
		{name: "domain_realm case-sensitive realm", in: base + "[domain_realm]\n .r.example = r.example\n",
			want: []w{{CheckDomainRealmUndefined, sevE, 8}}},

		{name: "host in default realm by fallback", in: base, host: "fe1.r.example"},
		{name: "host mismatch by fallback", in: base, host: "fe1.other.example",
			want: []w{{CheckHostRealmMismatch, sevE, 2}}},
		{name: "host mismatch by .domain", in: base + "[domain_realm]\n .r.example = R.EXAMPLE\n .example = S.EXAMPLE\n[realms]\n S.EXAMPLE = {\n  kdc = s\n }\n",
			host: "fe1.s.example", want: []w{{CheckHostRealmMismatch, sevE, 9}}},
		{name: "host matches most specific entry", in: base + "[domain_realm]\n .example = S.EXAMPLE\n .r.example = R.EXAMPLE\n[realms]\n S.EXAMPLE = {\n  kdc = s\n }\n",
			host: "FE1.R.EXAMPLE."},
		{name: "host mismatch skipped: default realm undefined", in: "[libdefaults]\n default_realm = X.EXAMPLE\n", host: "fe1.r.example",
			want: []w{{CheckDefaultRealmUndefined, sevE, 2}}},
		{name: "host is an IP address", in: base, host: "192.0.2.7"},
		{name: "single-label host", in: base, host: "fe1"},

		{name: "rc4-hmac only is fine", in: base + "[libdefaults]\n default_tkt_enctypes = rc4-hmac\n"},
		{name: "DES removed", in: base + "[libdefaults]\n permitted_enctypes = aes256-cts-hmac-sha1-96 -des\n"},
		{name: "DES with AES", in: base + "[libdefaults]\n default_tkt_enctypes = aes256-cts-hmac-sha1-96 des-cbc-crc\n",
			want: []w{{CheckWeakEnctype, sevE, 8}}},
		{name: "DES family and number", in: base + "[libdefaults]\n permitted_enctypes = des 3 aes128-cts\n", want: []w{{CheckWeakEnctype, sevE, 8}}},
		{name: "DES upper case", in: base + "[libdefaults]\n default_tgs_enctypes = DES-CBC-MD5 +aes128-cts\n", want: []w{{CheckWeakEnctype, sevE, 8}}},
		{name: "export RC4", in: base + "[libdefaults]\n default_tgs_enctypes = rc4-hmac-exp aes128-cts\n", want: []w{{CheckWeakEnctype, sevE, 8}}},
		{name: "comma-separated list", in: base + "[libdefaults]\n default_tkt_enctypes = aes256-cts-hmac-sha1-96,aes128-cts-hmac-sha1-96\n",
			want: []w{{CheckWeakEnctype, sevE, 8}}},
		{name: "comma and space", in: base + "[libdefaults]\n default_tkt_enctypes = aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96\n"},
		{name: "only names gokrb5 does not know", in: base + "[libdefaults]\n permitted_enctypes = DEFAULT\n", want: []w{{CheckWeakEnctype, sevE, 8}}},
		{name: "DES in a realm-specific libdefaults block", in: base + "[libdefaults]\n R.EXAMPLE = {\n  default_tkt_enctypes = des-cbc-crc\n }\n",
			want: []w{{CheckWeakEnctype, sevE, 9}, {CheckSyntax, sevE, 10}}, gokrb5Nil: true},
		{name: "DES in a realm block", in: "[libdefaults]\n default_realm = R.EXAMPLE\n[realms]\n R.EXAMPLE = {\n  kdc = a\n  permitted_enctypes = des-cbc-md5\n }\n",
			want: []w{{CheckWeakEnctype, sevE, 6}}},
		{name: "allow_weak_crypto", in: base + "[libdefaults]\n allow_weak_crypto = yes\n", want: []w{{CheckWeakEnctype, sevW, 8}}},
		{name: "allow_weak_crypto false", in: base + "[libdefaults]\n allow_weak_crypto = false\n"},

		{name: "checksum by number", in: base + "[libdefaults]\n safe_checksum_type = 7\n", want: []w{{CheckWeakChecksum, sevW, 8}}},
		{name: "CRC checksum", in: base + "[libdefaults]\n kdc_req_checksum_type = 1\n ap_req_checksum_type = crc32\n",
			want: []w{{CheckWeakChecksum, sevW, 8}, {CheckWeakChecksum, sevW, 9}}},
		{name: "strong checksum", in: base + "[libdefaults]\n safe_checksum_type = 16\n ap_req_checksum_type = hmac-sha1-96-aes256\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, got := lint(t, []byte(tc.in), tc.host)
			if g, w := keys(got), wantKeys(tc.want); !slices.Equal(g, w) {
				t.Errorf("findings = %v, want %v", g, w)
				for _, x := range got {
					t.Logf("  %v", x)
				}
			}
			if (f.Config == nil) != tc.gokrb5Nil {
				t.Errorf("gokrb5 Config nil = %v, want %v", f.Config == nil, tc.gokrb5Nil)
			}
		})
	}
}

func TestModel(t *testing.T) {
	f, _, err := Load(filepath.Join(fixturesDir, "good-multi-realm.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if DefaultRealm(f) != "UC.EXAMPLE.COM" || f.NumLines != 24 {
		t.Fatalf("default realm %q, %d lines", DefaultRealm(f), f.NumLines)
	}
	if f.SectionLine("libdefaults") != 2 || f.SectionLine("realms") != 9 || f.SectionLine("domain_realm") != 20 || f.SectionLine("capaths") != 0 {
		t.Fatalf("section lines %v", f.sectionLine)
	}
	var names []string
	for _, r := range f.Realms {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{"UC.EXAMPLE.COM", "PARTNER.EXAMPLE.ORG"}) || f.Realms[0].Line != 10 || f.Realms[1].Line != 16 {
		t.Fatalf("realms %v", f.Realms)
	}
	if m := f.DomainRealm[2]; m.Domain != ".partner.example.org" || m.Realm != "PARTNER.EXAMPLE.ORG" || m.Line != 23 {
		t.Fatalf("domain_realm[2] = %+v", m)
	}
	if r, ok := f.LibDefault("dns_lookup_kdc"); !ok || r.Value != "false" || r.Line != 7 {
		t.Fatalf("dns_lookup_kdc = %+v", r)
	}
	if f.Config == nil || len(f.Config.Realms) != 2 || f.Config.LibDefaults.DefaultRealm != "UC.EXAMPLE.COM" {
		t.Fatalf("gokrb5 model %+v", f.Config)
	}
	// gokrb5 appends :88 to a kdc without port; the line-aware model keeps the text.
	if f.Config.Realms[0].KDC[0] != "dc1.uc.example.com:88" || f.Realms[0].Values("kdc")[0].Value != "dc1.uc.example.com" {
		t.Fatalf("kdc: gokrb5 %q, model %q", f.Config.Realms[0].KDC[0], f.Realms[0].Values("kdc")[0].Value)
	}
}

func TestKDCHosts(t *testing.T) {
	f, _, err := Load(filepath.Join(fixturesDir, "good-multi-realm.conf"))
	if err != nil {
		t.Fatal(err)
	}
	want := []KDC{
		{"UC.EXAMPLE.COM", "dc1.uc.example.com", 88, 11},
		{"UC.EXAMPLE.COM", "dc2.uc.example.com", 88, 12},
		{"PARTNER.EXAMPLE.ORG", "2001:db8::53", 750, 17},
	}
	if got := KDCHosts(f); !slices.Equal(got, want) {
		t.Fatalf("KDCHosts = %v, want %v", got, want)
	}

	f, _, _ = Parse([]byte(`[realms]
 A.EXAMPLE = {
  kdc = tcp/dc1.a.example:8888
  kdc = udp/DC2.a.example
  kdc = dc3.a.example*
  kdc = 2001:db8::1
  kdc = [2001:db8::2]
  kdc = https://kkdcp.a.example/KdcProxy
  kdc = http://kkdcp.a.example:8080/KdcProxy
  kdc = dc4.a.example:port
  kdc = ""
  admin_server = adm.a.example
  sub = {
   kdc = nested.a.example
  }
 }
`))
	want = []KDC{
		{"A.EXAMPLE", "dc1.a.example", 8888, 3},
		{"A.EXAMPLE", "DC2.a.example", 88, 4},
		{"A.EXAMPLE", "dc3.a.example", 88, 5},
		{"A.EXAMPLE", "2001:db8::1", 88, 6},
		{"A.EXAMPLE", "2001:db8::2", 88, 7},
		{"A.EXAMPLE", "kkdcp.a.example", 443, 8},
		{"A.EXAMPLE", "kkdcp.a.example", 8080, 9},
		{"A.EXAMPLE", "dc4.a.example", 0, 10},
	}
	if got := KDCHosts(f); !slices.Equal(got, want) {
		t.Fatalf("KDCHosts =\n%v\nwant\n%v", got, want)
	}
	if KDCHosts(nil) != nil {
		t.Fatal("KDCHosts(nil) != nil")
	}
}

// TestRealmForHost: the precedence of MIT krb5 1.20's
// krb5_get_host_realm, then its krb5_get_fallback_host_realm, measured
// with libkrb5 on the same [domain_realm].
func TestRealmForHost(t *testing.T) {
	f, _, err := Parse([]byte(`[libdefaults]
 default_realm = DEF.REALM
[domain_realm]
 uc.example.com = NODOT.REALM
 .uc.example.com = DOT.REALM
 .example.com = EXDOT.REALM
 exact.uc.example.com = EXACT.REALM
 example.org = ORG.REALM
`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ host, realm, how string }{
		{"exact.uc.example.com", "EXACT.REALM", "line 7"}, // the host itself first
		{"fe1.uc.example.com", "DOT.REALM", "line 5"},     // .domain before domain at the same level
		{"uc.example.com", "NODOT.REALM", "line 4"},       // exact host name
		{"a.b.uc.example.com", "DOT.REALM", "line 5"},     // longest parent first
		{"x.example.com", "EXDOT.REALM", "line 6"},        // shorter parent
		{"fe1.example.org", "ORG.REALM", "line 8"},        // a parent without leading dot matches too
		{"FE1.UC.Example.COM.", "DOT.REALM", "line 5"},    // case and trailing dot ignored
		{"fe1.other.net", "OTHER.NET", "fallback"},        // upper-cased parent domain
		{"fe1", "DEF.REALM", "default realm"},             // single label
		{"192.0.2.1", "", "IP address"},                   //
		{"", "", ""},                                      //
	}
	for _, c := range cases {
		realm, how := RealmForHost(f, c.host)
		if realm != c.realm || !strings.Contains(how, c.how) {
			t.Errorf("RealmForHost(%q) = %q, %q; want %q, ...%s...", c.host, realm, how, c.realm, c.how)
		}
	}
	// gokrb5's own resolver differs: no parent entries without a dot,
	// no fallback.
	if f.Config.ResolveRealm("fe1.example.org") != "" || f.Config.ResolveRealm("fe1.other.net") != "" {
		t.Errorf("gokrb5 ResolveRealm changed: %q %q", f.Config.ResolveRealm("fe1.example.org"), f.Config.ResolveRealm("fe1.other.net"))
	}
	if r, _ := RealmForHost(nil, "x.y"); r != "" {
		t.Errorf("RealmForHost(nil) = %q", r)
	}
}

func TestLimitsAndErrors(t *testing.T) {
	big := make([]byte, MaxSize+1)
	if f, fs, err := Parse(big); f != nil || fs != nil || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Parse(1 MiB + 1) = %v, %v, %v", f, fs, err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "big.conf")
	if err := os.WriteFile(p, big, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(p); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), p) {
		t.Fatalf("Load(big) = %v", err)
	}
	if _, _, err := Load(filepath.Join(dir, "missing.conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v", err)
	}
	p = filepath.Join(fixturesDir, "syntax-stray-brace.conf")
	f, findings, err := Load(p)
	var se *SyntaxError
	if f == nil || len(findings) != 1 || !errors.As(err, &se) || !strings.Contains(err.Error(), p) || se.Line != 10 || se.Col != 5 {
		t.Fatalf("Load(stray brace) = %v, %v, %v", f, findings, err)
	}
	if Check(nil, CheckOptions{}) != nil || DefaultRealm(nil) != "" {
		t.Fatal("nil File")
	}
}

// TestLongLine: gokrb5's own loaders stop silently at a line over 64 KiB
// (bufio.Scanner's limit, error unchecked); Parse gives gokrb5 a scanner
// that takes any line of an accepted file.
func TestLongLine(t *testing.T) {
	in := "# " + strings.Repeat("x", 70_000) + "\n" + base
	c, err := config.NewFromString(in)
	if err != nil || len(c.Realms) != 0 {
		t.Fatalf("gokrb5 NewFromString: %d realms, %v: the quirk is gone", len(c.Realms), err)
	}
	f, fs, err := Parse([]byte(in))
	if err != nil || len(fs) != 0 || f.Config == nil || len(f.Config.Realms) != 1 {
		t.Fatalf("Parse: %v %v %+v", err, fs, f.Config)
	}
}

func TestSyntaxError(t *testing.T) {
	se := &SyntaxError{Line: 3, Msg: "x"}
	if se.Error() != "krb5.conf line 3: x" || !errors.Is(se, ErrSyntax) {
		t.Errorf("SyntaxError %q", se.Error())
	}
}

// Lint names the file and line in every subject, reports each check that
// found nothing as ok, and a missing file as krb5-syntax.
func TestLint(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixturesDir, "weak-enctype-des.conf"))
	if err != nil {
		t.Fatal(err)
	}
	_, fs := Lint("x/krb5.conf", data, nil, CheckOptions{Host: testHost})
	per := map[finding.Check]finding.Severity{}
	for _, f := range fs {
		if f.Severity != finding.OK && !strings.HasPrefix(f.Subject, "x/krb5.conf:") {
			t.Errorf("subject %q", f.Subject)
		}
		if s, ok := per[f.Check]; !ok || f.Severity > s {
			per[f.Check] = f.Severity
		}
	}
	for _, c := range Checks() {
		if _, ok := per[c]; !ok {
			t.Errorf("no %s finding", c)
		}
	}
	if per[CheckWeakEnctype] != finding.Error || per[CheckSyntax] != finding.OK {
		t.Errorf("severities %v", per)
	}
	_, fs = Lint("missing.conf", nil, fs_ErrNotExist(), CheckOptions{})
	if len(fs) != 1 || fs[0].Check != CheckSyntax || !strings.HasPrefix(fs[0].Message, "the file does not exist (looked for ") || !errors.Is(fs[0].Err, iofs.ErrNotExist) {
		t.Errorf("missing file: %+v", fs)
	}
}

func fs_ErrNotExist() error {
	return &iofs.PathError{Op: "open", Path: "missing.conf", Err: iofs.ErrNotExist}
}

// TestMessages: the texts an operator acts on name the right things.
func TestMessages(t *testing.T) {
	cases := []struct {
		in, host      string
		check         finding.Check
		inMsg, inHint string
	}{
		{"[libdefault]\n", "", CheckSyntax, "unknown section [libdefault]", "did you mean [libdefaults]?"},
		{base, "fe1.uc.example.com", CheckHostRealmMismatch, "UC.EXAMPLE.COM", "add `.uc.example.com = R.EXAMPLE` under [domain_realm]"},
		{base + "[domain_realm]\n fe1.r.example = S.EXAMPLE\n[realms]\n S.EXAMPLE = {\n kdc = s\n }\n", "fe1.r.example",
			CheckHostRealmMismatch, "S.EXAMPLE (by the [domain_realm] entry fe1.r.example on line 8), but default_realm is R.EXAMPLE (line 2)", "change line 8"},
		{"[libdefaults]\n default_realm = r.example\n[realms]\n R.EXAMPLE = {\n  kdc = a\n }\n", "", CheckDefaultRealmUndefined,
			"r.example", "case-sensitive: [realms] defines R.EXAMPLE on line 4"},
		{base + "[libdefaults]\n default_tkt_enctypes = des-cbc-md5 des-cbc-crc\n", "", CheckWeakEnctype,
			"DES (des-cbc-md5 des-cbc-crc): DES is disabled in current Active Directory and Java and unsupported by gokrb5; no usable", "aes256-cts-hmac-sha1-96"},
		{base + "[libdefaults]\n default_tkt_enctypes = aes256-cts,aes128-cts\n", "", CheckWeakEnctype, "separates names by spaces only", ""},
		{base + "[realms]\n S.EXAMPLE = {\n  kdc = s\n", "", CheckSyntax, "never closed before the end of the file; gokrb5 silently drops realm S.EXAMPLE", "'}'"},
		{base + "[realms]\n S.EXAMPLE =\n {\n  kdc = s\n }\n", "", CheckSyntax, "realm configuration line invalid", "same line"},
	}
	for _, c := range cases {
		_, fs := lint(t, []byte(c.in), c.host)
		found := false
		for _, x := range fs {
			if x.Check == c.check && strings.Contains(x.Message, c.inMsg) && strings.Contains(x.Hint, c.inHint) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s finding with %q / %q in %v", c.check, c.inMsg, c.inHint, fs)
		}
	}
}

// A file given by mistake (/etc/shadow) is not echoed: at most three
// lines are quoted, each cut to 40 characters, then one finding says the
// file is not a krb5.conf.
func TestLintDoesNotEchoOtherFiles(t *testing.T) {
	secret := "$6$" + strings.Repeat("h4sh", 30)
	var b strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "user%d:%s:19000:0:99999:7:::\n", i, secret)
	}
	_, fs := Lint("shadow", []byte(b.String()), nil, CheckOptions{})
	syntax := 0
	for _, f := range fs {
		if strings.Contains(f.Message, strings.Repeat("h4sh", 10)) || strings.Contains(f.Message, "user5:") {
			t.Errorf("finding echoes the file: %s", f.Message)
		}
		if f.Check == CheckSyntax && f.Severity == finding.Error {
			syntax++
		}
		if f.Check == CheckDefaultRealmUndefined && strings.Contains(f.Message, "default_realm  ") {
			t.Errorf("empty default realm in %q", f.Message)
		}
	}
	if syntax != 4 || !strings.Contains(fs[3].Message, "17 more lines are not krb5.conf syntax") {
		t.Errorf("%d syntax errors: %+v", syntax, fs)
	}
	// A real file keeps reporting every bad line.
	_, fs = Lint("bad.conf", []byte("[libdefaults]\n default_realm = A.B\nx\ny\nz\nw\nv\n"), nil, CheckOptions{})
	if n := len((&finding.Report{Findings: fs}).ByCheck(CheckSyntax)); n != 5 {
		t.Errorf("%d syntax findings after a section, want 5", n)
	}
}
