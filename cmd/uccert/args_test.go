package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/connector"
)

func TestArgsFormats(t *testing.T) {
	const p12 = `C:\Program Files\GCTI\ucc\ucc.p12`
	base := []string{"--cert-store", p12, "--cert-store-pass", `pass:s3 cr%t&^"x`, "--key-store", `C:\certs\trust.jks`, "--key-store-pass", "pass:trustpass1"}
	launcher := `ucc-launcher.exe -host cfgsrv -port 2020 -app UCC_Connector -l "C:\GCTI\license.dat" -http_port 8080`
	wantTokens := []string{"-cert_store_file", p12, "-cert_store_pass", `s3 cr%t&^"x`, "-cert_store_type", "pkcs12",
		"-key_store_file", `C:\certs\trust.jks`, "-key_store_pass", "trustpass1", "-key_store_type", "jks"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"genesys", base,
			`-cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass "s3 cr%t&^\"x" -cert_store_type pkcs12 -key_store_file C:\certs\trust.jks -key_store_pass trustpass1 -key_store_type jks`},
		{"bat", append([]string{"--format", "bat", "--launcher", launcher}, base...),
			launcher + ` -cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass "s3 cr%%t&^\"x" -cert_store_type pkcs12 -key_store_file C:\certs\trust.jks -key_store_pass trustpass1 -key_store_type jks`},
		{"bat default launcher", append([]string{"--format", "bat"}, base...),
			`ucc-launcher.exe -cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass "s3 cr%%t&^\"x" -cert_store_type pkcs12 -key_store_file C:\certs\trust.jks -key_store_pass trustpass1 -key_store_type jks`},
		{"redact", append([]string{"--redact"}, base...),
			`-cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass ******** -cert_store_type pkcs12 -key_store_file C:\certs\trust.jks -key_store_pass ******** -key_store_type jks`},
		{"remote-dir windows", append([]string{"--remote-dir", `D:\UCC Stores\`}, base...),
			`-cert_store_file "D:\UCC Stores\ucc.p12" -cert_store_pass "s3 cr%t&^\"x" -cert_store_type pkcs12 -key_store_file "D:\UCC Stores\trust.jks" -key_store_pass trustpass1 -key_store_type jks`},
		{"remote-dir posix", append([]string{"--remote-dir", "/opt/ucc"}, base...),
			`-cert_store_file /opt/ucc/ucc.p12 -cert_store_pass "s3 cr%t&^\"x" -cert_store_type pkcs12 -key_store_file /opt/ucc/trust.jks -key_store_pass trustpass1 -key_store_type jks`},
		{"kerberos", []string{"--mode", "tls-kerberos", "--cert-store", `C:\certs\trust.jks`, "--cert-store-pass", "pass:trustpass1", "--krb5", abs(t, "krb5", "good.conf"),
			"--remote-dir", `C:\Program Files\GCTI`},
			`-cert_store_file "C:\Program Files\GCTI\trust.jks" -cert_store_pass trustpass1 -cert_store_type jks -krb_conf_file "C:\Program Files\GCTI\good.conf"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"args"}, c.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			got := strings.TrimSuffix(r.stdout, "\n")
			if got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	// What the connector would receive is what was asked for.
	r := runCLI(t, "", nil, append([]string{"args"}, base...)...)
	a, probs, err := connector.ParseCommandLine(strings.TrimSpace(r.stdout))
	if err != nil || len(probs) != 0 || strings.Join(a.Tokens(), "\x00") != strings.Join(wantTokens, "\x00") {
		t.Fatalf("genesys line parses to %q %v %v", a.Tokens(), probs, err)
	}
	r = runCLI(t, "", nil, append([]string{"args", "--format", "bat", "--launcher", launcher}, base...)...)
	a, probs, err = connector.ParseBatLine(strings.TrimSpace(r.stdout))
	if err != nil || len(probs) != 0 || strings.Join(a.Tokens(), "\x00") != strings.Join(wantTokens, "\x00") {
		t.Fatalf("bat line parses to %q %v %v", a.Tokens(), probs, err)
	}
}

func TestArgsTypeFromContentAndJSON(t *testing.T) {
	// The file says PKCS#12 whatever the extension would suggest.
	r := runCLI(t, "", nil, "args", "--format", "json", "--cert-store", abs(t, "stores", "ucc-with-fes.p12"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Mode string   `json:"mode"`
		Args []string `json:"args"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Mode != "mtls" || len(doc.Args) != 12 || doc.Args[5] != "pkcs12" || doc.Args[11] != "jks" {
		t.Fatalf("%+v", doc)
	}
}

func TestArgsFailures(t *testing.T) {
	for _, c := range []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"--mode", "tls-kerberos", "--cert-store", "t.jks", "--cert-store-pass", "pass:trustpass1"}, 2, "--krb5"},
		{[]string{"--cert-store", "t.jks", "--cert-store-pass", "pass:trustpass1", "--krb5", "k.conf"}, 2, "add --mode tls-kerberos"},
		{[]string{"--cert-store-pass", "pass:x"}, 2, "--cert-store"},
		{[]string{"--cert-store", "t.bin", "--cert-store-pass", "pass:trustpass1"}, 2, "--cert-store-type"},
		{[]string{"--cert-store", "t.jks", "--format", "xml", "--cert-store-pass", "pass:trustpass1"}, 2, "--format"},
		{[]string{"--cert-store", "t.jks"}, 2, "--cert-store-pass"},
		{[]string{"--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-pass", "pass:wrong-pw-1"}, 1, "the store password is wrong"},
		{[]string{"--cert-store", abs(t, "stores", "ucc.jks"), "--cert-store-type", "pkcs12", "--cert-store-pass", "pass:changeit1"}, 1, "the file is jks"},
		{[]string{"--cert-store", abs(t, "pki", "root.cer"), "--cert-store-pass", "pass:changeit1"}, 1, "not a keystore"},
	} {
		r := runCLI(t, "", nil, append([]string{"args"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.contains) {
			t.Errorf("%v: exit %d %q; want %d and %q", c.args, r.code, r.stderr, c.code, c.contains)
		}
		if strings.Contains(r.stderr, "wrong-pw-1") {
			t.Error("password in the error")
		}
	}
}

// args refuses, with the reason and the fix, what the connector cannot
// use, and warns about relative paths without --remote-dir.
func TestArgsRefusesWhatTheConnectorCannotUse(t *testing.T) {
	for _, c := range []struct {
		name     string
		args     []string
		contains []string
	}{
		{"key under another password", []string{"--cert-store", abs(t, "stores", "trap.jks"), "--cert-store-pass", "pass:changeit1"},
			[]string{"not protected by the store password", "fix: re-protect it"}},
		{"no key entry in an mtls cert store", []string{"--cert-store", abs(t, "stores", "truststore.jks"), "--cert-store-pass", "pass:trustpass1"},
			[]string{"no key entry", "fix:"}},
		{"missing krb5.conf in tls-kerberos", []string{"--mode", "tls-kerberos", "--cert-store", abs(t, "stores", "truststore.jks"),
			"--cert-store-pass", "pass:trustpass1", "--krb5", filepath.Join(t.TempDir(), "krb5.conf")},
			[]string{"krb5.conf", "does not exist"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"args"}, c.args...)...)
			if r.code != 1 || r.stdout != "" {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, want := range c.contains {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
	t.Chdir(abs(t, "stores"))
	r := runCLI(t, "", nil, "args", "--cert-store", "ucc.jks", "--cert-store-pass", "pass:changeit1", "--key-store", "truststore.jks", "--key-store-pass", "pass:trustpass1")
	if r.code != 0 || strings.Count(r.stderr, "is a relative path") != 2 || !strings.Contains(r.stderr, "--remote-dir") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "args", "--remote-dir", `D:\ucc`, "--cert-store", "ucc.jks", "--cert-store-pass", "pass:changeit1", "--key-store", "truststore.jks", "--key-store-pass", "pass:trustpass1")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("with --remote-dir: exit %d\n%s", r.code, r.stderr)
	}
}

// --remote-dir with quotes left in it is refused with the fix (cmd.exe
// keeps single quotes); a startup.bat line beyond ASCII is printed with a
// warning and the chcp 65001 fix.
func TestArgsWindowsTraps(t *testing.T) {
	t.Chdir("../..")
	store := []string{"args", "--cert-store", "fixtures/stores/ucc.jks", "--cert-store-pass", "pass:changeit1"}
	r := runCLI(t, "", nil, append(store, "--remote-dir", `'C:\Program Files\GCTI'`)...)
	if r.code != 2 || !strings.Contains(r.stderr, `--remote-dir "C:\Program Files\GCTI"`) || r.stdout != "" {
		t.Errorf("quoted --remote-dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, append(store, "--format", "bat", "--remote-dir", `C:\Prüfung\ucc`)...)
	if r.code != 0 || !strings.Contains(r.stderr, "chcp 65001") || !strings.Contains(r.stdout, `C:\Prüfung\ucc\ucc.jks`) {
		t.Errorf("non-ASCII bat line: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, append(store, "--format", "bat", "--remote-dir", `C:\GCTI\ucc`)...)
	if r.code != 0 || strings.Contains(r.stderr, "chcp") {
		t.Errorf("ASCII bat line: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// In mtls mode --krb5 goes with the key store and is printed last, as the
// connector reads such a line as mtls with its krb5.conf (SPEC's order);
// 0.2.0 refused it.
func TestArgsMTLSWithKrb5(t *testing.T) {
	r := runCLI(t, "", nil, "args", "--format", "json", "--cert-store", abs(t, "stores", "ucc-with-fes.p12"), "--cert-store-pass", "pass:changeit1",
		"--key-store", abs(t, "stores", "truststore.jks"), "--key-store-pass", "pass:trustpass1", "--krb5", abs(t, "krb5", "good.conf"))
	var doc struct {
		Mode string   `json:"mode"`
		Args []string `json:"args"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if doc.Mode != "mtls" || len(doc.Args) != 14 || doc.Args[12] != "-krb_conf_file" || doc.Args[13] != abs(t, "krb5", "good.conf") {
		t.Fatalf("%+v", doc)
	}
	a, _ := connector.Parse(doc.Args)
	if got := connector.DecideMode(a, nil); got != connector.ModeMTLS {
		t.Fatalf("the connector reads the line as %v", got)
	}
}
