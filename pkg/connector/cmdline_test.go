package connector

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestSplitArgs checks the C runtime's splitting rules, including the
// examples of Microsoft's "Parsing C++ command-line arguments".
func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{``, nil},
		{"  \t ", nil},
		{`-a b`, []string{"-a", "b"}},
		{"-a\t\tb  ", []string{"-a", "b"}},
		// Microsoft's table (with a leading flag so no token is argv[0]).
		{`-x "a b c" d e`, []string{"-x", "a b c", "d", "e"}},
		{`-x "ab\"c" "\\" d`, []string{"-x", `ab"c`, `\`, "d"}},
		{`-x a\\\b d"e f"g h`, []string{"-x", `a\\\b`, "de fg", "h"}},
		{`-x a\\\"b c d`, []string{"-x", `a\"b`, "c", "d"}},
		{`-x a\\\\"b c" d e`, []string{"-x", `a\\b c`, "d", "e"}},
		{`-x a"b"" c d"`, []string{"-x", `ab" c d`}}, // the table's a"b"" c d ends inside quotes: an error here
		// More.
		{`-x "" ""`, []string{"-x", "", ""}},
		{`-x C:\certs\ y`, []string{"-x", `C:\certs\`, "y"}},
		{`-x "C:\my certs\\" y`, []string{"-x", `C:\my certs\`, "y"}},
		{`-x C:\Program" "Files\GCTI`, []string{"-x", `C:\Program Files\GCTI`}},
		{`-x C:\"Program\" Files`, []string{"-x", `C:"Program"`, "Files"}}, // \" is a literal quote
		{`-x """"`, []string{"-x", `"`}},
		{`-x \\\\`, []string{"-x", `\\\\`}},
		{`-x \"`, []string{"-x", `"`}},
		{`-x "Zoë ключ"`, []string{"-x", "Zoë ключ"}},
		{`"-x" y`, []string{"-x", "y"}},
		// A first token that is not a flag is the program: argv[0] rules.
		{`ucc-launcher.exe -host h`, []string{"ucc-launcher.exe", "-host", "h"}},
		{`"C:\Program Files\GCTI\ucc\" -a`, []string{`C:\Program Files\GCTI\ucc\`, "-a"}},
		{`C:\a\"b c"\d -a`, []string{`C:\a\b c\d`, "-a"}},
		{`  prog`, []string{"prog"}},
	} {
		got, spans, err := splitArgs(tc.line)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitArgs(%s) = %q, %v; want %q", tc.line, got, err, tc.want)
			continue
		}
		for i, sp := range spans {
			if strings.TrimSpace(tc.line[sp[0]:sp[1]]) != tc.line[sp[0]:sp[1]] || sp[0] >= sp[1] {
				t.Errorf("splitArgs(%s): bad span %v for %q", tc.line, sp, got[i])
			}
		}
	}
}

func TestParseCommandLineErrors(t *testing.T) {
	for _, tc := range []struct {
		line, msg string
		err       error
	}{
		{`-cert_store_file "C:\Program Files\x.p12 -cert_store_pass x`, "column 18", ErrUnbalancedQuote},
		{`-cert_store_file "C:\x\" -cert_store_pass x`, "column 18", ErrUnbalancedQuote},
		{`-a "b""`, "column 4", ErrUnbalancedQuote},
		{`-x a"b"" c d`, "column 5", ErrUnbalancedQuote},
		{`-x C:\"Program Files"\GCTI`, "column 21", ErrUnbalancedQuote},
		{`"C:\Program Files\ucc.exe -a`, "column 1", ErrUnbalancedQuote},
		{`-ä "ö`, "column 4", ErrUnbalancedQuote},
		{"-a\x00b", "column 3", ErrBadCharacter},
		{"-a b\nc", "column 5", ErrBadCharacter},
		{"-a \xff", "UTF-8", ErrBadCharacter},
	} {
		_, _, err := ParseCommandLine(tc.line)
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseCommandLine(%q) error = %v, want %v with %q", tc.line, err, tc.err, tc.msg)
		}
		if _, _, err := ParseBatLine(tc.line); !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseBatLine(%q) error = %v, want %v with %q", tc.line, err, tc.err, tc.msg)
		}
	}
	a, _, err := ParseCommandLine("-cert_store_file a.p12\r\n")
	if err != nil || a.CertStore.File != "a.p12" {
		t.Errorf("trailing CRLF: %+v, %v", a, err)
	}
}

// The command lines of the vendor's deployment guide.
func TestParseCommandLineGuide(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		args       Args
		probs      []want
	}{
		{
			name: "mtls with the guide's -ket_store_type",
			line: `-cert_store_file C:\certs\ucc.p12 -cert_store_pass changeit -cert_store_type pkcs12 -key_store_file C:\certs\trust.jks -key_store_pass changeit -ket_store_type jks`,
			args: Args{
				CertStore: StoreArgs{File: `C:\certs\ucc.p12`, Pass: pw("changeit"), HasPass: true, Type: "pkcs12"},
				KeyStore:  StoreArgs{File: `C:\certs\trust.jks`, Pass: pw("changeit"), HasPass: true},
			},
			probs: []want{{ProblemUnknownFlag, "-ket_store_type", "-key_store_type", 10}},
		},
		{
			name: "the guide's -cert_store_<path>",
			line: `-cert_store_<path> C:\certs\trust.jks -cert_store_pass changeit -cert_store_type jks`,
			args: Args{
				CertStore: StoreArgs{Pass: pw("changeit"), HasPass: true, Type: "jks"},
			},
			probs: []want{{ProblemUnknownFlag, "-cert_store_<path>", "-cert_store_file", 0}},
		},
		{
			name: "tls-kerberos",
			line: `-cert_store_file "C:\Program Files\GCTI\ucc\trust.jks" -cert_store_pass changeit -cert_store_type jks -krb_conf_file "C:\Program Files\GCTI\krb5.conf"`,
			args: Args{
				CertStore: StoreArgs{File: `C:\Program Files\GCTI\ucc\trust.jks`, Pass: pw("changeit"), HasPass: true, Type: "jks"},
				KrbConf:   `C:\Program Files\GCTI\krb5.conf`,
			},
		},
		{
			name: "whole command line with the launcher",
			line: `"C:\Program Files\GCTI\ucc\ucc-launcher.exe" -host genesys-cfg -port 2020 -app "UCC Connector" -cert_store_file ucc.p12`,
			args: Args{
				CertStore: StoreArgs{File: "ucc.p12"},
				Other:     []string{`C:\Program Files\GCTI\ucc\ucc-launcher.exe`, "-host", "genesys-cfg", "-port", "2020", "-app", "UCC Connector"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, probs, err := ParseCommandLine(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*a, tc.args) {
				t.Errorf("got  %+v\nwant %+v", *a, tc.args)
			}
			checkProblems(t, probs, tc.probs)
			if tc.args.KrbConf != "" && a.Mode() != ModeTLSKerberos {
				t.Errorf("Mode = %v", a.Mode())
			}
		})
	}
}

func TestParseBatLine(t *testing.T) {
	launcherArgs := []string{"ucc-launcher.exe", "-host", "genesys-cfg", "-port", "2020", "-app", "UCC_Connector", "-l", `C:\GCTI\ucc\license.dat`, "-http_port", "8080"}
	const launcher = `ucc-launcher.exe -host genesys-cfg -port 2020 -app UCC_Connector -l "C:\GCTI\ucc\license.dat" -http_port 8080`
	for _, tc := range []struct {
		name, line string
		args       Args
		probs      []want
	}{
		{
			name: "the guide's startup.bat line",
			line: launcher + ` -cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass s3cret -cert_store_type pkcs12 -key_store_file C:\GCTI\ucc\trust.jks -key_store_pass changeit -key_store_type jks` + "\r\n",
			args: Args{
				CertStore: StoreArgs{File: `C:\Program Files\GCTI\ucc\ucc.p12`, Pass: pw("s3cret"), HasPass: true, Type: "pkcs12"},
				KeyStore:  StoreArgs{File: `C:\GCTI\ucc\trust.jks`, Pass: pw("changeit"), HasPass: true, Type: "jks"},
				Other:     launcherArgs,
			},
		},
		{
			name: "%% and carets",
			line: `@ ` + launcher + ` -cert_store_file "C:\GCTI\100%% ucc\ucc.p12" -cert_store_pass 50%%^&^^up^(1^) -key_store_pass "a&b^c|d"`,
			args: Args{
				CertStore: StoreArgs{File: `C:\GCTI\100% ucc\ucc.p12`, Pass: pw("50%&^up(1)"), HasPass: true},
				KeyStore:  StoreArgs{Pass: pw("a&b^c|d"), HasPass: true},
				Other:     launcherArgs,
			},
		},
		{
			name: `cmd.exe counts \" as a quote`,
			line: `ucc.exe -cert_store_pass "a\"b^&c" -key_store_pass ^"x y^"`,
			args: Args{
				CertStore: StoreArgs{Pass: pw(`a"b&c`), HasPass: true},
				KeyStore:  StoreArgs{Pass: pw("^x y"), HasPass: true}, // cmd.exe is inside quotes at ^"x
				Other:     []string{"ucc.exe"},
			},
		},
		{
			name: `^" is a quote for the launcher, not for cmd.exe`,
			line: `ucc.exe -key_store_pass ^"x y^&z^"`,
			args: Args{KeyStore: StoreArgs{Pass: pw("x y&z"), HasPass: true}, Other: []string{"ucc.exe"}},
		},
		{
			name:  "the guide's typo in a bat line",
			line:  launcher + ` -key_store_file C:\certs\trust.jks -ket_store_type jks`,
			args:  Args{KeyStore: StoreArgs{File: `C:\certs\trust.jks`}, Other: launcherArgs},
			probs: []want{{ProblemUnknownFlag, "-ket_store_type", "-key_store_type", 13}},
		},
		{
			name: "variables, lone %, redirections and a second command",
			line: `%~dp0ucc-launcher.exe -app %APP_NAME% -cert_store_file %GCTI_HOME%\ucc.p12 -x %1 %* -cert_store_pass 50%off >>"C:\logs\ucc log.txt" 2>&1 <nul & pause`,
			args: Args{
				CertStore: StoreArgs{File: `%GCTI_HOME%\ucc.p12`, Pass: pw("50off"), HasPass: true},
				Other:     []string{"%~dp0ucc-launcher.exe", "-app", "%APP_NAME%", "-x", "%1", "%*"},
			},
			probs: []want{
				{ProblemBatSyntax, "%~dp0", "", 0},
				{ProblemBatSyntax, "%APP_NAME%", "", 2},
				{ProblemBatSyntax, "%GCTI_HOME%", "", 4},
				{ProblemBatSyntax, "%1", "", 6},
				{ProblemBatSyntax, "%*", "", 7},
				{ProblemBatSyntax, "%", "", 9},
				{ProblemBatSyntax, ">>", "", -1},
				{ProblemBatSyntax, "2>&1", "", -1},
				{ProblemBatSyntax, "<", "", -1},
				{ProblemBatSyntax, "&", "", -1},
			},
		},
		{
			name: "a password cut by cmd.exe",
			line: `ucc.exe -cert_store_pass a>b -key_store_pass x|y`,
			args: Args{CertStore: StoreArgs{Pass: pw("a"), HasPass: true}, KeyStore: StoreArgs{Pass: pw("x"), HasPass: true}, Other: []string{"ucc.exe"}},
			probs: []want{
				{ProblemBatSyntax, ">", "", -1},
				{ProblemBatSyntax, "|", "", -1},
			},
		},
		{
			name:  "cmd.exe takes % to the next % as a variable",
			line:  `ucc.exe -cert_store_pass 50%off -x %1`,
			args:  Args{CertStore: StoreArgs{Pass: pw("50%off"), HasPass: true}, Other: []string{"ucc.exe", "-x", "%1"}},
			probs: []want{{ProblemBatSyntax, "%...%", "", 2}},
		},
		{
			name:  "a variable inside a password is not named",
			line:  `ucc.exe -cert_store_pass ab%cd%ef`,
			args:  Args{CertStore: StoreArgs{Pass: pw("ab%cd%ef"), HasPass: true}, Other: []string{"ucc.exe"}},
			probs: []want{{ProblemBatSyntax, "%...%", "", 2}},
		},
		{
			name: "quoted operators are literal",
			line: `ucc.exe -cert_store_file "C:\a&b (x86)\<c>|d^e.p12"`,
			args: Args{CertStore: StoreArgs{File: `C:\a&b (x86)\<c>|d^e.p12`}, Other: []string{"ucc.exe"}},
		},
		{
			name: "a handle digit needs a delimiter before it",
			line: `ucc.exe -port 2020>nul -x 2>nul`,
			args: Args{Other: []string{"ucc.exe", "-port", "2020", "-x"}},
			probs: []want{
				{ProblemBatSyntax, ">", "", -1},
				{ProblemBatSyntax, "2>", "", -1},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, probs, err := ParseBatLine(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*a, tc.args) {
				t.Errorf("got  %+v\nwant %+v", *a, tc.args)
			}
			checkProblems(t, probs, tc.probs)
		})
	}
}

func TestParseBatLineErrors(t *testing.T) {
	for _, tc := range []struct {
		line string
		err  error
		msg  string
	}{
		{`ucc.exe -cert_store_pass x^`, ErrLineContinuation, "column 27"},
		{`ucc.exe -cert_store_file "C:\x\" -y`, ErrUnbalancedQuote, "column 26"},
		{`ucc.exe %%-cert_store_file "C:\x\" -y`, ErrUnbalancedQuote, "column 28"}, // columns are in the line as written
		{"ucc.exe \xfe", ErrBadCharacter, "UTF-8"},
	} {
		_, _, err := ParseBatLine(tc.line)
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseBatLine(%q) error = %v, want %v with %q", tc.line, err, tc.err, tc.msg)
		}
	}
	// A caret at the end inside quotes is literal.
	a, _, err := ParseBatLine(`ucc.exe -cert_store_pass "x^"`)
	if err != nil || a.CertStore.Pass.Reveal() != "x^" {
		t.Errorf("quoted caret: %+v %v", a, err)
	}
}
