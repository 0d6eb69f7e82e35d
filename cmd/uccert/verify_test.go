package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestVerifyGolden(t *testing.T) {
	t.Chdir("../..") // the args fixtures name stores relative to the repository
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"verify-clean", []string{"--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com",
			"--cert-store", "fixtures/stores/ucc-with-fes.jks", "--cert-store-pass", "pass:changeit1",
			"--key-store", "fixtures/stores/truststore.jks", "--key-store-pass", "pass:trustpass1"}, 0},
		{"verify-trap", []string{"--host", "fe1.uc.example.com", "--cert-store", "fixtures/stores/trap.jks", "--cert-store-pass", "pass:changeit1",
			"--key-store", "fixtures/stores/truststore.jks", "--key-store-pass", "pass:trustpass1"}, 1},
		{"verify-startup-bat", []string{"--args-file", "fixtures/args/startup.bat", "--fe", "fe1.uc.example.com"}, 0},
		{"verify-genesys-typo", []string{"--args-file", "fixtures/args/genesys-typo.txt"}, 1},
		{"verify-kerberos", []string{"--host", "fe1.uc.example.com", "--args-file", "fixtures/args/genesys-kerberos.txt"}, 0},
		{"verify-krb5-des", []string{"--host", "fe1.uc.example.com", "--krb5", "fixtures/krb5/weak-enctype-des.conf"}, 1},
		{"verify-swapped", []string{"--host", "ucc.uc.example.com", "--cert-store", "fixtures/stores/truststore.jks", "--cert-store-pass", "pass:trustpass1",
			"--key-store", "fixtures/stores/ucc-with-fes.jks", "--key-store-pass", "pass:changeit1"}, 1},
		{"verify-no-truststore", []string{"--host", "ucc.uc.example.com", "--cert-store", "fixtures/stores/ucc-with-fes.jks", "--cert-store-pass", "pass:changeit1"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"verify"}, c.args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, c.code, r.stdout, r.stderr)
			}
			golden(t, c.name, r.stdout)
			if strings.Contains(r.stdout, "changeit1") || strings.Contains(r.stdout, "trustpass1") {
				t.Error("a password is in the output")
			}
		})
	}
}

func TestVerifyJSONAndStrict(t *testing.T) {
	t.Chdir("../..")
	args := []string{"verify", "--json", "--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com",
		"--cert-store", "fixtures/stores/ucc-with-fes.p12", "--cert-store-pass", "pass:changeit1", "--cert-store-type", "pkcs12",
		"--key-store", "fixtures/stores/truststore.jks", "--key-store-pass", "pass:trustpass1"}
	r := runCLI(t, "", nil, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		OK      bool `json:"ok"`
		Summary struct {
			Passed   int `json:"passed"`
			Warnings int `json:"warnings"`
			Errors   int `json:"errors"`
		} `json:"summary"`
		Findings []struct {
			Check    string `json:"check"`
			Severity string `json:"severity"`
			Subject  string `json:"subject"`
			Message  string `json:"message"`
			Hint     string `json:"hint"`
		} `json:"findings"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	// fe2 is in the store but not given: one fqdn-unexpected warning.
	if !doc.OK || doc.Summary.Warnings != 1 || doc.Summary.Errors != 0 || doc.Summary.Passed+1 != len(doc.Findings) {
		t.Fatalf("summary %+v of %d findings", doc.Summary, len(doc.Findings))
	}
	for _, f := range doc.Findings {
		if f.Severity == "warn" && f.Check != "fqdn-unexpected" {
			t.Errorf("unexpected warning %+v", f)
		}
	}
	r = runCLI(t, "", nil, append(args, "--strict")...)
	if r.code != 1 || !strings.Contains(r.stdout, `"ok": false`) {
		t.Fatalf("--strict: exit %d", r.code)
	}
}

func TestVerifySymbols(t *testing.T) {
	t.Chdir("../..")
	args := []string{"verify", "--host", "fe1.uc.example.com", "--krb5", "fixtures/krb5/realm-lowercase.conf"}
	r := runCLI(t, "", nil, args...)
	if !strings.Contains(r.stdout, "WARN krb5-realm-lowercase") || strings.Contains(r.stdout, "⚠") {
		t.Fatalf("plain output expected when not on a terminal:\n%s", r.stdout)
	}
	var out, errb strings.Builder
	e := testEnv(&out, &errb, nil)
	e.stdoutTTY, e.stdoutVT = true, true
	if code := runEnv(e, args...); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "⚠") || !strings.Contains(out.String(), "✔") {
		t.Fatalf("symbols expected on a terminal:\n%s", out.String())
	}
	out.Reset()
	e = testEnv(&out, &errb, map[string]string{"NO_COLOR": "1"})
	e.stdoutTTY, e.stdoutVT = true, true
	runEnv(e, args...)
	if strings.Contains(out.String(), "⚠") || strings.Contains(out.String(), "\x1b[") {
		t.Fatalf("NO_COLOR ignored:\n%s", out.String())
	}
	// A Windows console that refuses virtual terminal processing gets
	// plain text, not escape sequences.
	out.Reset()
	e = testEnv(&out, &errb, nil)
	e.stdoutTTY, e.stdoutVT = true, false
	runEnv(e, args...)
	if strings.Contains(out.String(), "⚠") || strings.Contains(out.String(), "\x1b[") || !strings.Contains(out.String(), "WARN krb5-realm-lowercase") {
		t.Fatalf("escape sequences for a console without VT:\n%s", out.String())
	}
}

func TestVerifyUsage(t *testing.T) {
	t.Chdir("../..")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "nothing to verify"},
		{[]string{"--mode", "tls-kerberos", "--cert-store", "fixtures/stores/truststore.jks", "--cert-store-pass", "pass:trustpass1"}, "krb5.conf"},
		{[]string{"--args", "x", "--args-file", "y"}, "not both"},
		{[]string{"--at", "yesterday", "--krb5", "fixtures/krb5/good.conf"}, "RFC 3339"},
		{[]string{"--cert-store", "fixtures/stores/ucc.jks"}, "--cert-store-pass"},
		{[]string{"--host", "ucc01", "--krb5", "fixtures/krb5/good.conf"}, "--host"},
		{[]string{"--mode", "kerberos", "--krb5", "fixtures/krb5/good.conf"}, "--mode"},
		{[]string{"fixtures/stores/ucc.jks"}, "--cert-store"},
		{[]string{"--warn-days", "106752", "--krb5", "fixtures/krb5/good.conf"}, "from 0 to 36500"},
		{[]string{"--warn-days", "-1", "--krb5", "fixtures/krb5/good.conf"}, "from 0 to 36500"},
		{[]string{"--at", "2040-13-01", "--krb5", "fixtures/krb5/good.conf"}, "2040-05-20"},
	} {
		r := runCLI(t, "", nil, append([]string{"verify"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// --krb5 beside the stores keeps the default mtls mode (the cert store is
// the key store); only the connector's own -krb_conf_file implies
// tls-kerberos.
func TestVerifyKrb5KeepsMTLS(t *testing.T) {
	t.Chdir("../..")
	r := runCLI(t, "", nil, "verify", "--host", "ucc.uc.example.com",
		"--cert-store", "fixtures/stores/ucc-with-fes.jks", "--cert-store-pass", "pass:changeit1",
		"--key-store", "fixtures/stores/truststore.jks", "--key-store-pass", "pass:trustpass1", "--krb5", "fixtures/krb5/good.conf")
	if r.code != 0 || !strings.Contains(r.stdout, "OK   key-password-differs") || !strings.Contains(r.stdout, "OK   krb5-syntax") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}

// uccert args refuses swapped stores, as verify does (0.1.0 printed the
// arguments and exited 0).
func TestArgsRefusesSwappedStores(t *testing.T) {
	t.Chdir("../..")
	r := runCLI(t, "", nil, "args", "--cert-store", "fixtures/stores/truststore.jks", "--cert-store-pass", "pass:trustpass1",
		"--key-store", "fixtures/stores/ucc-with-fes.jks", "--key-store-pass", "pass:changeit1")
	if r.code != 1 || !strings.Contains(r.stderr, "swap") || r.stdout != "" {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// --host keeps a final dot, as Go's TLS does: the certificate of
// ucc-dot.pfx names ucc.uc.example.com. and serves that name only; a host
// typo is answered with "did you mean".
func TestVerifyHostNearMiss(t *testing.T) {
	t.Chdir("../..")
	trust := []string{"--key-store", "fixtures/stores/truststore.jks", "--key-store-pass", "pass:trustpass1"}
	dot := append([]string{"verify", "--cert-store", "fixtures/exports/ucc-dot.pfx", "--cert-store-pass", "pass:dot-export"}, trust...)
	if r := runCLI(t, "", nil, append(dot, "--host", "ucc.uc.example.com.")...); !strings.Contains(r.stdout, "OK   host-identity-missing") {
		t.Errorf("with the dot: exit %d\n%s", r.code, r.stdout)
	}
	if r := runCLI(t, "", nil, append(dot, "--host", "ucc.uc.example.com")...); r.code != 1 || !strings.Contains(r.stdout, "with a final dot") {
		t.Errorf("without the dot: exit %d\n%s", r.code, r.stdout)
	}
	typo := append([]string{"verify", "--host", "ucc01.uc.example.com", "--cert-store", "fixtures/stores/ucc-with-fes.jks", "--cert-store-pass", "pass:changeit1"}, trust...)
	if r := runCLI(t, "", nil, typo...); r.code != 1 || !strings.Contains(r.stdout, "did you mean ucc.uc.example.com") {
		t.Errorf("typo: exit %d\n%s", r.code, r.stdout)
	}
}

// --at takes a date; --warn-days up to 100 years still reports.
func TestVerifyAtDateAndLongWindow(t *testing.T) {
	t.Chdir("../..")
	base := []string{"verify", "--host", "ucc.uc.example.com", "--cert-store", "fixtures/stores/ucc.jks", "--cert-store-pass", "pass:changeit1",
		"--key-store", "fixtures/stores/truststore.jks", "--key-store-pass", "pass:trustpass1"}
	if r := runCLI(t, "", nil, append(base, "--at", "2040-05-20")...); !strings.Contains(r.stdout, "WARN cert-expires-soon") {
		t.Errorf("--at 2040-05-20: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", nil, append(base, "--warn-days", "36500")...); !strings.Contains(r.stdout, "WARN cert-expires-soon") {
		t.Errorf("--warn-days 36500: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// The connector's command line (--args) is judged as the connector would
// start with it: naming no cert store, or no krb5.conf in tls-kerberos
// mode, is an error finding (0.2.0 passed a command line naming no store,
// and stopped with a usage error on the missing krb5.conf).
func TestVerifyArgsLackingWhatTheModeNeeds(t *testing.T) {
	t.Chdir("../..")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--args", ""}, "FAIL store-unreadable             --args: no cert store"},
		{[]string{"--args", "-host cfg -port 2020"}, "FAIL store-unreadable             --args: no cert store"},
		{[]string{"--mode", "tls-kerberos", "--args", "-cert_store_file fixtures/stores/truststore.jks -cert_store_pass trustpass1 -cert_store_type jks"},
			"FAIL krb5-syntax                  --args: no krb5.conf"},
	} {
		r := runCLI(t, "", nil, append([]string{"verify", "--host", "ucc.uc.example.com"}, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stdout, c.want) {
			t.Errorf("%q: exit %d, want 1 and %q\n%s%s", c.args, r.code, c.want, r.stdout, r.stderr)
		}
	}
}
