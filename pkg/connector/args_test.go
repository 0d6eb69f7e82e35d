package connector

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/secret"
)

// want is a compact expected Problem: kind, flag, suggestion, index.
type want struct {
	kind  ProblemKind
	flag  string
	sugg  string
	index int
}

func checkProblems(t *testing.T, got []Problem, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d problems %v, want %d %v", len(got), got, len(wants), wants)
	}
	for i, w := range wants {
		g := got[i]
		if g.Kind != w.kind || g.Flag != w.flag || g.Suggestion != w.sugg || g.Index != w.index {
			t.Errorf("problem %d = {%s %q %q %d} %q, want {%s %q %q %d}", i, g.Kind, g.Flag, g.Suggestion, g.Index, g.Message, w.kind, w.flag, w.sugg, w.index)
		}
		if g.Message == "" {
			t.Errorf("problem %d has no message", i)
		}
		if !errors.Is(g, g.Kind.sentinel()) || g.Kind.sentinel() == nil {
			t.Errorf("problem %d does not wrap the sentinel of %s", i, g.Kind)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		argv  []string
		args  Args
		probs []want
	}{
		{
			name: "mtls",
			argv: strings.Fields(`-cert_store_file C:\certs\ucc.p12 -cert_store_pass changeit -cert_store_type pkcs12 -key_store_file C:\certs\trust.jks -key_store_pass changeit -key_store_type jks`),
			args: Args{
				CertStore: StoreArgs{File: `C:\certs\ucc.p12`, Pass: pw("changeit"), HasPass: true, Type: "pkcs12"},
				KeyStore:  StoreArgs{File: `C:\certs\trust.jks`, Pass: pw("changeit"), HasPass: true, Type: "jks"},
			},
		},
		{
			name:  "guide typo -ket_store_type",
			argv:  strings.Fields(`-key_store_file C:\certs\trust.jks -ket_store_type jks`),
			args:  Args{KeyStore: StoreArgs{File: `C:\certs\trust.jks`}},
			probs: []want{{ProblemUnknownFlag, "-ket_store_type", "-key_store_type", 2}},
		},
		{
			name:  "guide typo -cert_store_<path>",
			argv:  strings.Fields(`-cert_store_<path> C:\certs\trust.jks`),
			args:  Args{},
			probs: []want{{ProblemUnknownFlag, "-cert_store_<path>", "-cert_store_file", 0}},
		},
		{
			name:  "placeholder without a value",
			argv:  []string{"-key_store_<path>"},
			args:  Args{},
			probs: []want{{ProblemUnknownFlag, "-key_store_<path>", "-key_store_file", 0}},
		},
		{
			name: "unknown flags by value shape, case, dashes, near misses",
			argv: []string{"-cert_store_x", "jks", "-CERT_STORE_FILE", "a.p12", "--key_store_pass", "pw", "-krb5_conf_file", "krb5.conf", "-keystore_pasword", "pw2", "-cert-store-file", "b.jks"},
			args: Args{},
			probs: []want{
				{ProblemUnknownFlag, "-cert_store_x", "-cert_store_type", 0},
				{ProblemUnknownFlag, "-CERT_STORE_FILE", "-cert_store_file", 2},
				{ProblemUnknownFlag, "--key_store_pass", "-key_store_pass", 4},
				{ProblemUnknownFlag, "-krb5_conf_file", "-krb_conf_file", 6},
				{ProblemUnknownFlag, "-keystore_pasword", "-key_store_pass", 8},
				{ProblemUnknownFlag, "-cert-store-file", "-cert_store_file", 10},
			},
		},
		{
			name:  "value after '='",
			argv:  []string{"-cert_store_pass=s3cret", "-cert_store_file", "x.p12"},
			args:  Args{CertStore: StoreArgs{File: "x.p12"}},
			probs: []want{{ProblemUnknownFlag, "-cert_store_pass", "-cert_store_pass", 0}},
		},
		{
			name: "launcher flags are kept",
			argv: []string{"ucc-launcher.exe", "-host", "genesys-cfg", "-port", "2020", "-app", "UCC_Connector", "-l", `C:\GCTI\license.dat`, "-http_port", "8080", "-cert_store_file", "a.p12", "-V", "-keyfile", "k"},
			args: Args{CertStore: StoreArgs{File: "a.p12"}, Other: []string{"ucc-launcher.exe", "-host", "genesys-cfg", "-port", "2020", "-app", "UCC_Connector", "-l", `C:\GCTI\license.dat`, "-http_port", "8080", "-V", "-keyfile", "k"}},
		},
		{
			name:  "missing value at the end",
			argv:  []string{"-cert_store_file", "a.p12", "-cert_store_pass"},
			args:  Args{CertStore: StoreArgs{File: "a.p12"}},
			probs: []want{{ProblemMissingValue, "-cert_store_pass", "", 2}},
		},
		{
			name:  "missing value before a known flag",
			argv:  []string{"-cert_store_file", "-cert_store_pass", "pw", "-cert_store_type", "-key_store_file", "t.jks"},
			args:  Args{CertStore: StoreArgs{Pass: pw("pw"), HasPass: true}, KeyStore: StoreArgs{File: "t.jks"}},
			probs: []want{{ProblemMissingValue, "-cert_store_file", "", 0}, {ProblemMissingValue, "-cert_store_type", "", 3}},
		},
		{
			name: "a password may start with '-'",
			argv: []string{"-cert_store_pass", "-x9", "-cert_store_type", "jks", "-key_store_pass", "-ket_store_type"},
			args: Args{CertStore: StoreArgs{Pass: pw("-x9"), HasPass: true, Type: "jks"}, KeyStore: StoreArgs{Pass: pw("-ket_store_type"), HasPass: true}},
		},
		{
			name:  "a file that looks like a flag is a missing value",
			argv:  []string{"-cert_store_file", "-ket_store_type", "jks"},
			args:  Args{},
			probs: []want{{ProblemMissingValue, "-cert_store_file", "", 0}, {ProblemUnknownFlag, "-ket_store_type", "-key_store_type", 1}},
		},
		{
			name:  "empty file and type values, empty password",
			argv:  []string{"-cert_store_file", "", "-cert_store_pass", "", "-cert_store_type", "", "-krb_conf_file", ""},
			args:  Args{CertStore: StoreArgs{Pass: pw(""), HasPass: true}},
			probs: []want{{ProblemMissingValue, "-cert_store_file", "", 0}, {ProblemMissingValue, "-cert_store_type", "", 4}, {ProblemMissingValue, "-krb_conf_file", "", 6}},
		},
		{
			name:  "duplicates: the last wins",
			argv:  []string{"-cert_store_pass", "one", "-cert_store_file", "a.p12", "-cert_store_pass", "two", "-cert_store_pass", "three"},
			args:  Args{CertStore: StoreArgs{File: "a.p12", Pass: pw("three"), HasPass: true}},
			probs: []want{{ProblemDuplicate, "-cert_store_pass", "", 4}, {ProblemDuplicate, "-cert_store_pass", "", 6}},
		},
		{
			name: "types: any case, normalised",
			argv: []string{"-cert_store_type", "PKCS12", "-key_store_type", "Jks"},
			args: Args{CertStore: StoreArgs{Type: "pkcs12"}, KeyStore: StoreArgs{Type: "jks"}},
		},
		{
			name: "bad types are kept as given",
			argv: []string{"-cert_store_type", "p12", "-key_store_type", "jceks", "-cert_store_type", "PFX", "-key_store_type", "jsk"},
			args: Args{CertStore: StoreArgs{Type: "PFX"}, KeyStore: StoreArgs{Type: "jsk"}},
			probs: []want{
				{ProblemBadType, "-cert_store_type", "pkcs12", 0},
				{ProblemBadType, "-key_store_type", "", 2},
				{ProblemDuplicate, "-cert_store_type", "", 4},
				{ProblemBadType, "-cert_store_type", "pkcs12", 4},
				{ProblemDuplicate, "-key_store_type", "", 6},
				{ProblemBadType, "-key_store_type", "jks", 6},
			},
		},
		{
			name: "tls-kerberos",
			argv: []string{"-cert_store_file", `C:\Program Files\GCTI\trust.jks`, "-cert_store_pass", "changeit", "-cert_store_type", "jks", "-krb_conf_file", `C:\Program Files\GCTI\krb5.conf`},
			args: Args{CertStore: StoreArgs{File: `C:\Program Files\GCTI\trust.jks`, Pass: pw("changeit"), HasPass: true, Type: "jks"}, KrbConf: `C:\Program Files\GCTI\krb5.conf`},
		},
		{name: "empty", argv: nil, args: Args{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, probs := Parse(tc.argv)
			if !reflect.DeepEqual(*a, tc.args) {
				t.Errorf("Parse = %+v\nwant    %+v", *a, tc.args)
			}
			checkProblems(t, probs, tc.probs)
		})
	}
}

func TestTokensAndMode(t *testing.T) {
	a := &Args{
		CertStore: StoreArgs{File: "c.p12", Pass: pw(""), HasPass: true, Type: "pkcs12"},
		KeyStore:  StoreArgs{File: "t.jks", Type: "jks"},
		KrbConf:   "krb5.conf",
		Other:     []string{"-host", "h"},
	}
	want := []string{"-cert_store_file", "c.p12", "-cert_store_pass", "", "-cert_store_type", "pkcs12", "-key_store_file", "t.jks", "-key_store_type", "jks", "-krb_conf_file", "krb5.conf"}
	if got := a.Tokens(); !reflect.DeepEqual(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
	if a.Mode() != ModeTLSKerberos {
		t.Errorf("Mode = %v", a.Mode())
	}
	if (&Args{}).Tokens() != nil || (&Args{}).Mode() != ModeMTLS {
		t.Errorf("empty Args: %q %v", (&Args{}).Tokens(), (&Args{}).Mode())
	}
	if got := knownFlags(); len(got) != 7 || got[0] != FlagCertStoreFile || got[6] != FlagKrbConfFile {
		t.Errorf("knownFlags = %q", got)
	}
	knownFlags()[0] = "x" // must not change the table
	if knownFlags()[0] != FlagCertStoreFile {
		t.Error("knownFlags returned the table itself")
	}
}

func TestModeAndKindNames(t *testing.T) {
	for _, m := range []Mode{ModeMTLS, ModeTLSKerberos} {
		got, err := ParseMode(strings.ToUpper(m.String()))
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m, got, err)
		}
		b, err := m.MarshalText()
		var back Mode
		if err != nil || back.UnmarshalText(b) != nil || back != m {
			t.Errorf("text round trip of %v: %q %v %v", m, b, err, back)
		}
	}
	if _, err := ParseMode("kerberos"); !errors.Is(err, ErrBadMode) {
		t.Errorf("ParseMode(kerberos) error = %v", err)
	}
	var m Mode
	if err := m.UnmarshalText([]byte("x")); !errors.Is(err, ErrBadMode) {
		t.Errorf("UnmarshalText error = %v", err)
	}
	if _, err := Mode(0).MarshalText(); !errors.Is(err, ErrBadMode) || Mode(0).String() != "Mode(0)" {
		t.Errorf("zero Mode: %v %q", err, Mode(0))
	}
	for k, s := range map[ProblemKind]string{ProblemUnknownFlag: "unknown-flag", ProblemMissingValue: "missing-value", ProblemDuplicate: "duplicate", ProblemBadType: "bad-type", ProblemBatSyntax: "bat-syntax", 0: "ProblemKind(0)"} {
		if k.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(k), k, s)
		}
	}
	for _, f := range []Format{Genesys, Bat, JSON} {
		if got, err := ParseFormat(strings.ToUpper(f.String())); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("cmd"); !errors.Is(err, ErrBadFormat) || Format(9).String() != "Format(9)" {
		t.Errorf("ParseFormat(cmd) error = %v", err)
	}
}

// TestNoPasswordInProblems puts a distinctive password everywhere a
// mistake can surround it and checks that no Problem or error shows it.
func TestNoPasswordInProblems(t *testing.T) {
	lines := []string{
		`-cert_store_pass SeKr1t -cert_store_pass SeKr1t -cert_store_pass`,
		`-cert_store_pas SeKr1t -ket_store_pass SeKr1t -key_store_pass=SeKr1t`,
		`-cert_store_pass -SeKr1t -cert_store_type jks -key_store_pass -SeKr1t`,
		`-cert_store_pass "SeKr1t -cert_store_file x`,
		`-cert_store_pass SeKr1t -key_store_pass`,
	}
	bat := []string{
		`ucc.exe -cert_store_pass Se%Kr1t% -key_store_pass a%SeKr1t%b -cert_store_pas x%SeKr1t%`,
		`ucc.exe -cert_store_pass Se>Kr1t -key_store_pass SeKr1t&SeKr1t`,
		`ucc.exe -cert_store_pass SeKr1t%1 -key_store_pass "SeKr1t`,
		`ucc.exe -cert_store_pass SeKr1t^`,
	}
	check := func(line string, probs []Problem, err error) {
		if err != nil && strings.Contains(err.Error(), "Kr1t") {
			t.Errorf("%s: error shows the password: %v", line, err)
		}
		for _, p := range probs {
			if strings.Contains(p.Message+p.Flag+p.Suggestion, "Kr1t") {
				t.Errorf("%s: problem shows the password: %+v", line, p)
			}
		}
	}
	for _, l := range lines {
		_, probs, err := ParseCommandLine(l)
		check(l, probs, err)
		_, probs, err = ParseBatLine(l)
		check(l, probs, err)
	}
	for _, l := range bat {
		_, probs, err := ParseBatLine(l)
		check(l, probs, err)
	}
}

// pw makes a secret.Password for tests.
func pw(s string) secret.Password { return secret.NewPassword(s) }
