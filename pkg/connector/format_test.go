package connector

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// goldenFormats are exact outputs of FormatGenesys and FormatBat (with
// the launcher "ucc-launcher.exe -host h").
var goldenFormats = []struct {
	name     string
	tokens   []string
	genesys  string
	bat      string // after "ucc-launcher.exe -host h "
	batAlone string // FormatBat("", tokens), when it differs from bat
}{
	{"plain", []string{"-cert_store_file", `C:\certs\ucc.p12`, "-cert_store_pass", "changeit", "-cert_store_type", "pkcs12"},
		`-cert_store_file C:\certs\ucc.p12 -cert_store_pass changeit -cert_store_type pkcs12`,
		`-cert_store_file C:\certs\ucc.p12 -cert_store_pass changeit -cert_store_type pkcs12`, ""},
	{"Program Files", []string{"-cert_store_file", `C:\Program Files\GCTI\ucc\ucc.p12`},
		`-cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12"`,
		`-cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12"`, ""},
	{"password with spaces", []string{"-cert_store_pass", "my pass word"},
		`-cert_store_pass "my pass word"`,
		`-cert_store_pass "my pass word"`, ""},
	{"percent", []string{"-cert_store_pass", "50%off", "-key_store_pass", "%PATH%"},
		`-cert_store_pass 50%off -key_store_pass %PATH%`,
		`-cert_store_pass 50%%off -key_store_pass %%PATH%%`, ""},
	{"ampersand", []string{"-cert_store_pass", "a&b"},
		`-cert_store_pass a&b`,
		`-cert_store_pass "a&b"`, ""},
	{"caret and parentheses", []string{"-cert_store_pass", "x^y(1)", "-cert_store_file", `C:\Program Files (x86)\a.p12`},
		`-cert_store_pass x^y(1) -cert_store_file "C:\Program Files (x86)\a.p12"`,
		`-cert_store_pass "x^y(1)" -cert_store_file "C:\Program Files (x86)\a.p12"`, ""},
	{"double quote", []string{"-cert_store_pass", `pa"ss`},
		`-cert_store_pass "pa\"ss"`,
		`-cert_store_pass "pa\"ss"`, ""},
	{"double quote, then cmd.exe is outside quotes", []string{"-cert_store_pass", `p"&q`, "-key_store_pass", "a&b", "-krb_conf_file", `C:\x (1)\krb5.conf`},
		`-cert_store_pass "p\"&q" -key_store_pass a&b -krb_conf_file "C:\x (1)\krb5.conf"`,
		`-cert_store_pass "p\"^&q" -key_store_pass "a^&b" -krb_conf_file "C:\x ^(1^)\krb5.conf"`, ""},
	{"everything at once", []string{"-cert_store_pass", `a b%c&d^e"f\g\"h`},
		`-cert_store_pass "a b%c&d^e\"f\g\\\"h"`,
		`-cert_store_pass "a b%%c&d^e\"f\g\\\"h"`, ""},
	{"trailing backslash", []string{"-cert_store_file", `C:\certs\`, "-key_store_file", `C:\my certs\`, "-krb_conf_file", `C:\a\\`},
		`-cert_store_file C:\certs\ -key_store_file "C:\my certs\\" -krb_conf_file C:\a\\`,
		`-cert_store_file C:\certs\ -key_store_file "C:\my certs\\" -krb_conf_file C:\a\\`, ""},
	{"backslashes before a quote", []string{"-cert_store_pass", `a\\"b`},
		`-cert_store_pass "a\\\\\"b"`,
		`-cert_store_pass "a\\\\\"b"`, ""},
	{"empty password and tab", []string{"-cert_store_pass", "", "-key_store_pass", "a\tb"},
		`-cert_store_pass "" -key_store_pass "a` + "\t" + `b"`,
		`-cert_store_pass "" -key_store_pass "a` + "\t" + `b"`, ""},
	{"non-ASCII", []string{"-cert_store_file", `C:\Users\Zoë\ключ.jks`, "-cert_store_pass", "пароль 密码"},
		`-cert_store_file C:\Users\Zoë\ключ.jks -cert_store_pass "пароль 密码"`,
		`-cert_store_file C:\Users\Zoë\ключ.jks -cert_store_pass "пароль 密码"`, ""},
	{"@ first on a bat line", []string{"@x", "-a"},
		`@x -a`,
		`@x -a`, `"@x" -a`},
	{"no tokens", nil, ``, ``, ""},
}

func TestFormatGolden(t *testing.T) {
	const launcher = "ucc-launcher.exe -host h"
	for _, g := range goldenFormats {
		t.Run(g.name, func(t *testing.T) {
			got, err := FormatGenesys(g.tokens)
			if err != nil || got != g.genesys {
				t.Errorf("FormatGenesys = %s, %v\nwant           %s", got, err, g.genesys)
			}
			wantBat := launcher
			if g.bat != "" {
				wantBat += " " + g.bat
			}
			got, err = FormatBat(launcher, g.tokens)
			if err != nil || got != wantBat {
				t.Errorf("FormatBat = %s, %v\nwant       %s", got, err, wantBat)
			}
			alone := g.batAlone
			if alone == "" {
				alone = g.bat
			}
			if got, err = FormatBat("", g.tokens); err != nil || got != alone {
				t.Errorf(`FormatBat("") = %s, %v; want %s`, got, err, alone)
			}
			// And back.
			if g.tokens == nil || !strings.HasPrefix(g.tokens[0], "-") {
				return
			}
			if argv, _, err := splitArgs(g.genesys); err != nil || !reflect.DeepEqual(argv, g.tokens) {
				t.Errorf("genesys line splits into %q, %v", argv, err)
			}
			bl, err := splitBatLine(wantBat)
			if err != nil || !reflect.DeepEqual(bl.argv, append([]string{"ucc-launcher.exe", "-host", "h"}, g.tokens...)) || len(bl.events) != 0 {
				t.Errorf("bat line splits into %q, %v, %v", bl.argv, bl.events, err)
			}
		})
	}
}

func TestFormatBatLauncher(t *testing.T) {
	tokens := []string{"-cert_store_pass", "a&b"}
	for _, tc := range []struct {
		launcher, want string
	}{
		{`%~dp0ucc-launcher.exe -l "%GCTI%\license.dat"`, `%~dp0ucc-launcher.exe -l "%GCTI%\license.dat" -cert_store_pass "a&b"`},
		{`@"C:\Program Files\GCTI\ucc-launcher.exe" -app "UCC 1" >> ucc.log`, ""},
		// cmd.exe is inside quotes after this launcher (three quotes):
		// the token's own quotes take it outside, hence the ^.
		{`x.exe -app "a\"b"`, `x.exe -app "a\"b" -cert_store_pass "a^&b"`},
		{`x.exe -app a^&b`, `x.exe -app a^&b -cert_store_pass "a&b"`},
	} {
		got, err := FormatBat(tc.launcher, tokens)
		if tc.want == "" {
			if !errors.Is(err, ErrBadLauncher) {
				t.Errorf("FormatBat(%s) = %s, %v; want ErrBadLauncher", tc.launcher, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("FormatBat(%s) = %s, %v\nwant %s", tc.launcher, got, err, tc.want)
		}
		a, _, err := ParseBatLine(got)
		if err != nil || a.CertStore.Pass.Reveal() != "a&b" {
			t.Errorf("ParseBatLine(%s) = %+v, %v", got, a, err)
		}
	}
	for _, tc := range []struct {
		launcher string
		err      error
	}{
		{`x.exe & y.exe`, ErrBadLauncher},
		{`x.exe | more`, ErrBadLauncher},
		{`x.exe > log`, ErrBadLauncher},
		{`x.exe 50%`, ErrBadLauncher},
		{`x.exe ^`, ErrLineContinuation},
		{`"C:\Program Files\x.exe`, ErrUnbalancedQuote},
		{`x.exe -a "C:\dir\"`, ErrUnbalancedQuote},
		{"x.exe\r\n-a", ErrBadCharacter},
		{"x.exe \xff", ErrBadCharacter},
	} {
		_, err := FormatBat(tc.launcher, tokens)
		if !errors.Is(err, ErrBadLauncher) || !errors.Is(err, tc.err) {
			t.Errorf("FormatBat(%q) error = %v, want %v", tc.launcher, err, tc.err)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	for _, tok := range []string{"a\x00b", "a\nb", "a\rb", "\xff"} {
		if _, err := FormatGenesys([]string{"-cert_store_pass", tok}); !errors.Is(err, ErrBadCharacter) || strings.Contains(err.Error(), tok) {
			t.Errorf("FormatGenesys(%q) error = %v", tok, err)
		}
		if _, err := FormatBat("x.exe", []string{"-cert_store_pass", tok}); !errors.Is(err, ErrBadCharacter) {
			t.Errorf("FormatBat(%q) error = %v", tok, err)
		}
	}
	if _, err := FormatJSON(ModeMTLS, []string{"\xff"}); !errors.Is(err, ErrBadCharacter) {
		t.Errorf("FormatJSON error = %v", err)
	}
	if _, err := FormatJSON(0, nil); !errors.Is(err, ErrBadMode) {
		t.Errorf("FormatJSON(0) error = %v", err)
	}
}

func TestFormatJSON(t *testing.T) {
	got, err := FormatJSON(ModeTLSKerberos, []string{"-cert_store_file", `C:\a b\t.jks`, "-krb_conf_file", "krb5.conf"})
	want := `{"mode":"tls-kerberos","args":["-cert_store_file","C:\\a b\\t.jks","-krb_conf_file","krb5.conf"]}`
	if err != nil || string(got) != want {
		t.Errorf("FormatJSON = %s, %v\nwant %s", got, err, want)
	}
	if got, err := FormatJSON(ModeMTLS, nil); err != nil || string(got) != `{"mode":"mtls","args":[]}` {
		t.Errorf("FormatJSON(nil) = %s, %v", got, err)
	}
}

func TestRedact(t *testing.T) {
	in := []string{"ucc.exe", "-cert_store_file", "c.p12", "-cert_store_pass", "-s1", "-key_store_pass", "-cert_store_type",
		"-cert_store_pas", "s2", "-key_store_pass=s3", "-ket_store_pass", "s4", "-key_store_pass", "", "-l", "lic"}
	orig := append([]string(nil), in...)
	want := []string{"ucc.exe", "-cert_store_file", "c.p12", "-cert_store_pass", Redacted, "-key_store_pass", "-cert_store_type",
		"-cert_store_pas", Redacted, "-key_store_pass=" + Redacted, "-ket_store_pass", Redacted, "-key_store_pass", Redacted, "-l", "lic"}
	got := Redact(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Redact =\n%q\nwant\n%q", got, want)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Error("Redact modified its input")
	}
	if Redact(nil) != nil {
		t.Error("Redact(nil) != nil")
	}
}

func TestRemotePath(t *testing.T) {
	for _, tc := range []struct{ dir, file, want string }{
		{`C:\GCTI\ucc`, "/tmp/x/ucc.p12", `C:\GCTI\ucc\ucc.p12`},
		{`C:\GCTI\ucc\`, "ucc.p12", `C:\GCTI\ucc\ucc.p12`},
		{"/opt/ucc/", `C:\a\b.jks`, "/opt/ucc/b.jks"},
		{"/opt/ucc", `C:\a\b.jks`, "/opt/ucc/b.jks"},
		{`C:\Program Files\GCTI\ucc`, `D:\exports\fe 1.pfx`, `C:\Program Files\GCTI\ucc\fe 1.pfx`},
		{"C:", "trust.jks", `C:\trust.jks`},
		{"C:", `C:trust.jks`, `C:\trust.jks`},
		{"certs", "/a/trust.jks", "certs/trust.jks"},
		{"C:/GCTI/ucc", `x\y\krb5.conf`, "C:/GCTI/ucc/krb5.conf"},
		{`C:/GCTI\ucc`, "a/b", `C:/GCTI\ucc\b`},
		{`\\server\share`, "/a/b.jks", `\\server\share\b.jks`},
		{"", `C:\a\b.jks`, "b.jks"},
		{"/opt", "/a/dir/", "/opt/dir"},
		{"/opt", `C:\Users\Zoë\ключ.jks`, "/opt/ключ.jks"},
	} {
		if got := RemotePath(tc.dir, tc.file); got != tc.want {
			t.Errorf("RemotePath(%q, %q) = %q, want %q", tc.dir, tc.file, got, tc.want)
		}
	}
}

func TestLengthLimits(t *testing.T) {
	long := strings.Repeat("a", MaxBatLine)
	if _, err := FormatBat("", []string{"-cert_store_file", long}); !errors.Is(err, ErrTooLong) {
		t.Errorf("FormatBat of a long path: %v", err)
	}
	if _, err := FormatGenesys([]string{"-cert_store_file", long}); err != nil {
		t.Errorf("FormatGenesys of an 8 KiB path: %v", err)
	}
	if _, _, err := ParseBatLine("x " + long); !errors.Is(err, ErrTooLong) {
		t.Errorf("ParseBatLine of a long line: %v", err)
	}
	huge := strings.Repeat("日", MaxCommandLine/3) // 3 bytes, 1 unit each: over in bytes, not in units
	if _, _, err := ParseCommandLine("-cert_store_file " + huge); err != nil {
		t.Errorf("ParseCommandLine of %d units: %v", MaxCommandLine/3+17, err)
	}
	emoji := strings.Repeat("😀", MaxCommandLine/2) // 2 units each
	if _, _, err := ParseCommandLine("-x " + emoji); !errors.Is(err, ErrTooLong) {
		t.Errorf("ParseCommandLine of a long line: %v", err)
	}
	if _, err := FormatGenesys([]string{"-x", emoji}); !errors.Is(err, ErrTooLong) {
		t.Errorf("FormatGenesys of a long line: %v", err)
	}
}
