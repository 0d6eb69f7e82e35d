package connector

import (
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/secret"
)

// pieces are the hard parts of values: spaces, quotes, backslashes,
// cmd.exe syntax, non-ASCII.
var pieces = []string{
	" ", "  ", "\t", `"`, `\`, `\\`, `\"`, "%", "%%", "%PATH%", "%1", "&", "|", "<", ">", "^", "(", ")", "!", "@", "=", ";", ",", "'",
	"-", "a", "Z", "9", "ë", "Zoë", "ключ", "密码", "Program Files", "GCTI", "ucc", ".p12", ".jks", "~", "$", "#",
}

var launchers = []string{
	"",
	`ucc-launcher.exe -host genesys-cfg -port 2020 -app UCC_Connector -l "C:\GCTI\ucc\license.dat" -http_port 8080`,
	`"C:\Program Files\GCTI\ucc\ucc-launcher.exe" -app "UCC (1) & 2" -l C:\GCTI\license.dat`,
	`@%~dp0ucc-launcher.exe -host %CFG_HOST% -app a^&b`,
	`x.exe -app "a\"b"`, // leaves cmd.exe inside quotes
}

func randValue(r *rand.Rand, n int) string {
	var b strings.Builder
	for range r.Intn(n + 1) {
		b.WriteString(pieces[r.Intn(len(pieces))])
	}
	return b.String()
}

func randPath(r *rand.Rand) string {
	var b strings.Builder
	switch r.Intn(3) {
	case 0:
		b.WriteString(`C:\`)
	case 1:
		b.WriteString("/")
	}
	for i := range r.Intn(4) + 1 {
		if i > 0 {
			b.WriteString([]string{`\`, "/"}[r.Intn(2)])
		}
		b.WriteString(randValue(r, 3))
	}
	if r.Intn(4) == 0 {
		b.WriteString(strings.Repeat(`\`, r.Intn(3)+1)) // trailing backslashes
	}
	if p := b.String(); strings.HasPrefix(p, "-") || p == "" {
		return "x" + p
	}
	return b.String()
}

func randStore(r *rand.Rand) StoreArgs {
	var s StoreArgs
	if r.Intn(5) > 0 {
		s.File = randPath(r)
	}
	if r.Intn(5) > 0 {
		s.HasPass = true
		v := randValue(r, 6) // may be empty, may start with '-'
		if _, known := lookupFlag(v); known {
			v += "x"
		}
		s.Pass = pw(v)
	}
	s.Type = []string{"", "jks", "pkcs12", "p12", "jceks", "pkcs 12"}[r.Intn(6)]
	return s
}

func randArgs(r *rand.Rand) *Args {
	a := &Args{CertStore: randStore(r)}
	if r.Intn(3) > 0 {
		a.KeyStore = randStore(r)
	}
	if r.Intn(2) == 0 {
		a.KrbConf = randPath(r)
	}
	return a
}

// onlyBadTypes reports whether probs are the bad-type problems that a's
// types call for.
func onlyBadTypes(a *Args, probs []Problem) bool {
	n := 0
	for _, t := range []string{a.CertStore.Type, a.KeyStore.Type} {
		if t != "" && normaliseType(t) == "" {
			n++
		}
	}
	if len(probs) != n {
		return false
	}
	for _, p := range probs {
		if p.Kind != ProblemBadType {
			return false
		}
	}
	return true
}

// checkRoundTrip formats a in both styles and parses it back.
func checkRoundTrip(t *testing.T, a *Args, launcher string) {
	t.Helper()
	tokens := a.Tokens()
	line, err := FormatGenesys(tokens)
	if err != nil {
		t.Fatalf("FormatGenesys(%q): %v", tokens, err)
	}
	got, probs, err := ParseCommandLine(line)
	if err != nil {
		t.Fatalf("ParseCommandLine(%s): %v", line, err)
	}
	if !reflect.DeepEqual(got.Tokens(), tokens) || !reflect.DeepEqual(got, a) || !onlyBadTypes(a, probs) {
		t.Fatalf("genesys round trip of %+v\nline %s\ngot  %+v\nproblems %v", *a, line, *got, probs)
	}

	bat, err := FormatBat(launcher, tokens)
	if err != nil {
		t.Fatalf("FormatBat(%q): %v", tokens, err)
	}
	lb, err := splitBatLine(launcher)
	if err != nil {
		t.Fatal(err)
	}
	got, probs, err = ParseBatLine(bat)
	if err != nil {
		t.Fatalf("ParseBatLine(%s): %v", bat, err)
	}
	want := *a
	want.Other = lb.argv
	var parseProbs []Problem
	for _, p := range probs {
		if p.Kind != ProblemBatSyntax {
			parseProbs = append(parseProbs, p)
		}
	}
	if !reflect.DeepEqual(got.Tokens(), tokens) || !reflect.DeepEqual(*got, want) || !onlyBadTypes(a, parseProbs) ||
		len(probs)-len(parseProbs) != len(lb.events) {
		t.Fatalf("bat round trip of %+v\nline %s\ngot  %+v\nproblems %v", *a, bat, *got, probs)
	}
}

func TestRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewSource(20240611))
	for i := range 3000 {
		checkRoundTrip(t, randArgs(r), launchers[i%len(launchers)])
	}
}

// TestTokensRoundTripRandom formats arbitrary token lists, not only
// store arguments, and splits them back.
func TestTokensRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := range 3000 {
		tokens := make([]string, r.Intn(6))
		for j := range tokens {
			tokens[j] = randValue(r, 5)
		}
		if len(tokens) > 0 && !strings.HasPrefix(tokens[0], "-") {
			tokens[0] = "-" + tokens[0]
		}
		checkTokensRoundTrip(t, tokens, launchers[i%len(launchers)])
	}
}

func checkTokensRoundTrip(t *testing.T, tokens []string, launcher string) {
	t.Helper()
	line, err := FormatGenesys(tokens)
	if err != nil {
		t.Fatalf("FormatGenesys(%q): %v", tokens, err)
	}
	argv, _, err := splitArgs(line)
	if err != nil || (len(tokens) > 0 || argv != nil) && !reflect.DeepEqual(argv, tokens) {
		t.Fatalf("genesys: %q → %s → %q, %v", tokens, line, argv, err)
	}
	bat, err := FormatBat(launcher, tokens)
	if err != nil {
		t.Fatalf("FormatBat(%q): %v", tokens, err)
	}
	lb, _ := splitBatLine(launcher)
	bl, err := splitBatLine(bat)
	want := append(append([]string(nil), lb.argv...), tokens...)
	if err != nil || !reflect.DeepEqual(bl.argv, want) && len(want) > 0 || len(bl.events) != len(lb.events) {
		t.Fatalf("bat: %q → %s → %q %v, %v", tokens, bat, bl.argv, bl.events, err)
	}
}

// declared reports whether err is one of the package's sentinel errors.
func declared(err error) bool {
	for _, e := range []error{ErrUnbalancedQuote, ErrBadCharacter, ErrLineContinuation, ErrBadLauncher, ErrTooLong} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func FuzzRoundTrip(f *testing.F) {
	for _, g := range goldenFormats {
		if len(g.tokens) >= 2 {
			f.Add(g.tokens[1], g.tokens[len(g.tokens)-1], "jks", `C:\Program Files\GCTI\krb5.conf`, launchers[1], uint8(0xff))
		}
	}
	f.Add(`C:\Users\Zoë\ключ.jks`, "", "pkcs12", "", "", uint8(3))
	f.Add(`C:\certs\`, "-x9", "PKCS12", `C:\my certs\`, launchers[4], uint8(7))
	f.Add(`a"b&c`, `50%off ^(x)`, "p12", "", launchers[3], uint8(0x1f))
	f.Fuzz(func(t *testing.T, file, pass, typ, krb, launcher string, sel uint8) {
		a := &Args{
			CertStore: StoreArgs{File: file, Pass: pw(pass), HasPass: sel&1 != 0, Type: typ},
			KrbConf:   krb,
		}
		if sel&2 != 0 {
			a.KeyStore = StoreArgs{File: krb, Pass: pw(file), HasPass: sel&4 != 0, Type: typ}
		}
		if !a.CertStore.HasPass {
			a.CertStore.Pass = secret.Password{}
		}
		if !a.KeyStore.HasPass {
			a.KeyStore.Pass = secret.Password{}
		}
		// Values Tokens cannot write (see its doc): a known flag as a
		// value, a file or type that looks like a flag; and types in
		// their normalised form.
		for _, v := range []string{file, pass, krb, typ} {
			if _, known := lookupFlag(v); known {
				return
			}
		}
		for _, v := range []string{file, krb, typ} {
			if _, _, like := storeLike(v); like {
				return
			}
		}
		if n := normaliseType(typ); n != "" {
			a.CertStore.Type = n
			if a.KeyStore.Type != "" {
				a.KeyStore.Type = n
			}
		}
		tokens := a.Tokens()
		if err := checkTokens(tokens); err != nil {
			if _, err2 := FormatGenesys(tokens); !errors.Is(err2, ErrBadCharacter) {
				t.Fatalf("FormatGenesys error %v, want ErrBadCharacter", err2)
			}
			return
		}
		if _, err := FormatBat(launcher, tokens); err != nil {
			if !declared(err) {
				t.Fatalf("FormatBat(%q) error %v is not declared", launcher, err)
			}
			launcher = ""
		}
		if _, err := FormatBat(launcher, tokens); errors.Is(err, ErrTooLong) {
			return
		}
		if _, err := FormatGenesys(tokens); errors.Is(err, ErrTooLong) {
			return
		}
		if lb, _ := splitBatLine(launcher); lb != nil {
			for _, tok := range lb.argv {
				if _, known := lookupFlag(tok); known {
					launcher = "" // store flags in the launcher would mix with ours
				}
				if _, _, like := storeLike(tok); like {
					launcher = ""
				}
			}
		}
		checkRoundTrip(t, a, launcher)
	})
}

// FuzzParseCommandLine: no panic, only declared errors, and whatever
// parses prints back to the same store arguments.
func FuzzParseCommandLine(f *testing.F) {
	for _, g := range goldenFormats {
		f.Add(g.genesys)
		f.Add("ucc-launcher.exe -host h " + g.bat)
	}
	for _, s := range []string{
		`-cert_store_file C:\certs\ucc.p12 -cert_store_pass changeit -cert_store_type pkcs12 -key_store_file C:\certs\trust.jks -key_store_pass changeit -ket_store_type jks`,
		`-cert_store_<path> C:\certs\trust.jks`,
		`%~dp0ucc-launcher.exe -app %APP_NAME% -cert_store_file %GCTI_HOME%\ucc.p12 -x %1 %* -cert_store_pass 50%off >>"C:\logs\ucc log.txt" 2>&1 <nul & pause`,
		`ucc.exe -cert_store_pass "a\"b^&c" -key_store_pass ^"x y^"`,
		`-cert_store_pass -x9 -cert_store_type JKS -cert_store_pass=abc -key_store_pass`,
		`"C:\Program Files\x.exe -a`, `-a "b""`, "x^", "-a\x00", `"`, `\"`, `^"`, `2>&1`, `%`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, parse := range []func(string) (*Args, []Problem, error){ParseCommandLine, ParseBatLine} {
			a, probs, err := parse(line)
			if err != nil {
				if !declared(err) || a != nil || probs != nil {
					t.Fatalf("error %v is not declared (or came with results)", err)
				}
				continue
			}
			for _, p := range probs {
				if p.Kind.sentinel() == nil || !errors.Is(p, p.Kind.sentinel()) || p.Message == "" || p.Index < -1 {
					t.Fatalf("bad problem %+v", p)
				}
			}
			tokens := a.Tokens()
			back, probs2, err := ParseCommandLine(mustGenesys(t, tokens))
			if err != nil || !reflect.DeepEqual(back.Tokens(), tokens) || len(back.Other) != 0 {
				t.Fatalf("Tokens %q do not print back: %+v, %v", tokens, back, err)
			}
			for _, p := range probs2 {
				if p.Kind != ProblemBadType {
					t.Fatalf("printed tokens %q give problem %v", tokens, p)
				}
			}
			bat, err := FormatBat("x.exe", tokens)
			if errors.Is(err, ErrTooLong) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			back, _, err = ParseBatLine(bat)
			if err != nil || !reflect.DeepEqual(back.Tokens(), tokens) {
				t.Fatalf("bat %s does not parse back to %q: %+v, %v", bat, tokens, back, err)
			}
			red, _ := Parse(Redact(append(append([]string(nil), a.Other...), tokens...)))
			for _, s := range []StoreArgs{red.CertStore, red.KeyStore} {
				if s.HasPass && s.Pass.Reveal() != Redacted {
					t.Fatalf("Redact left a password: %+v", red)
				}
			}
		}
	})
}

func mustGenesys(t *testing.T, tokens []string) string {
	t.Helper()
	s, err := FormatGenesys(tokens)
	if err != nil {
		t.Fatalf("FormatGenesys(%q): %v", tokens, err)
	}
	return s
}
