package secret

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// distinctive is a secret no message would contain by accident.
const distinctive = "Zq9!xK-SECRET-ÿ-7"

func TestParseSource(t *testing.T) {
	tests := []struct {
		in   string
		want Source
	}{
		{"pass:" + distinctive, Source{KindPass, distinctive}},
		{"pass:", Source{KindPass, ""}},
		{"pass:a:b::c:", Source{KindPass, "a:b::c:"}},
		{"pass: spaced ", Source{KindPass, " spaced "}},
		{"pass:pass:x", Source{KindPass, "pass:x"}},
		{"env:UCC_PASS", Source{KindEnv, "UCC_PASS"}},
		{"file:/etc/uccert/pw.txt", Source{KindFile, "/etc/uccert/pw.txt"}},
		{`file:C:\pw\store.txt`, Source{KindFile, `C:\pw\store.txt`}},
		{"file:a:b", Source{KindFile, "a:b"}},
		{"stdin", Source{KindStdin, ""}},
		{"prompt", Source{KindPrompt, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSource(tt.in)
			if err != nil {
				t.Fatalf("ParseSource: %v", err)
			}
			if got != tt.want {
				t.Fatalf("ParseSource = %#v, want %#v (Value %q)", got, tt.want, tt.want.Value)
			}
			if got.Value != tt.want.Value {
				t.Fatalf("Value = %q, want %q", got.Value, tt.want.Value)
			}
		})
	}
}

func TestParseSourceErrors(t *testing.T) {
	tests := []struct {
		in       string
		wantHint string // substring the message must contain
	}{
		{"", "empty"},
		{"pas:" + distinctive, `did you mean pass:TEXT?`},
		{"PASS:" + distinctive, `did you mean pass:TEXT?`},
		{"password:" + distinctive, `did you mean pass:TEXT?`},
		{"pass", `did you mean pass:TEXT?`},
		{"envv:" + distinctive, `did you mean env:VAR?`},
		{"fiel:" + distinctive, `did you mean file:PATH?`},
		{`C:\` + distinctive, `did you mean file:PATH?`},
		{"stdn", `did you mean stdin?`},
		{"STDIN", `did you mean stdin?`},
		{"stdin:" + distinctive, `did you mean stdin?`},
		{"promt", `did you mean prompt?`},
		{"prompt:" + distinctive, `did you mean prompt?`},
		{distinctive, "needs the pass: prefix"},
		{"envvar:X", `did you mean env:VAR?`},
		{"filename:/x", `did you mean file:PATH?`},
		{"passwd", `did you mean pass:TEXT?`},
		{"fd:3", "valid forms are pass:TEXT, env:VAR, file:PATH, stdin and prompt"},
		{"x:" + distinctive, "valid forms"},
		{"env:", "needs a variable name"},
		{"env:A=B", "cannot contain"},
		{"file:", "needs a path"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			src, err := ParseSource(tt.in)
			if !errors.Is(err, ErrBadSource) {
				t.Fatalf("ParseSource(%q) = %v, %v; want ErrBadSource", tt.in, src, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantHint) {
				t.Errorf("message %q lacks %q", msg, tt.wantHint)
			}
			if !strings.Contains(msg, "valid forms are") && !strings.Contains(msg, "as in ") && !strings.Contains(msg, "cannot contain") {
				t.Errorf("message %q does not list the valid forms", msg)
			}
			if strings.Contains(msg, distinctive) || strings.Contains(msg, "SECRET") {
				t.Errorf("message leaks the secret: %q", msg)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{
		KindPass: "pass", KindEnv: "env", KindFile: "file", KindStdin: "stdin", KindPrompt: "prompt", 0: "Kind(0)", 42: "Kind(42)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestSourceString(t *testing.T) {
	tests := []struct {
		src      Source
		str, gos string
	}{
		{Source{KindPass, distinctive}, "pass:***", `secret.Source{Kind: secret.KindPass, Value: "***"}`},
		{Source{KindPass, ""}, "pass:***", `secret.Source{Kind: secret.KindPass, Value: "***"}`},
		{Source{KindEnv, "V"}, "env:V", `secret.Source{Kind: secret.KindEnv, Value: "V"}`},
		{Source{KindFile, "/p"}, "file:/p", `secret.Source{Kind: secret.KindFile, Value: "/p"}`},
		{Source{KindStdin, ""}, "stdin", `secret.Source{Kind: secret.KindStdin, Value: ""}`},
		{Source{KindPrompt, ""}, "prompt", `secret.Source{Kind: secret.KindPrompt, Value: ""}`},
		{Source{}, "invalid source (Kind(0))", `secret.Source{Kind: secret.Kind(0), Value: ""}`},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := fmt.Sprintf("%#v", tt.src); got != tt.gos {
			t.Errorf("%%#v = %q, want %q", got, tt.gos)
		}
	}
}

// formats are the fmt verbs checked for leaks.
var formats = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-30v", "%T"}

func TestSourceFormattingNeverLeaks(t *testing.T) {
	src, err := ParseSource("pass:" + distinctive)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{
		"value":   src,
		"pointer": &src,
		"slice":   []Source{src},
		"map":     map[string]Source{"k": src},
		"struct":  struct{ S Source }{src},
	}
	for name, v := range values {
		for _, f := range formats {
			out := fmt.Sprintf(f, v)
			if strings.Contains(out, "SECRET") || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", "SECRET")) {
				t.Errorf("%s with %s leaks: %s", name, f, out)
			}
		}
		for _, out := range []string{fmt.Sprint(v), fmt.Sprintln(v)} {
			if strings.Contains(out, "SECRET") {
				t.Errorf("%s with Sprint leaks: %s", name, out)
			}
		}
	}
	if got := fmt.Sprintf("%q", src); got != `"pass:***"` {
		t.Errorf("%%q = %s", got)
	}
}

func TestCheckStdinOnce(t *testing.T) {
	in := Source{Kind: KindStdin}
	if err := CheckStdinOnce(in, Source{Kind: KindPrompt}, Source{Kind: KindPass}); err != nil {
		t.Errorf("one stdin: %v", err)
	}
	if err := CheckStdinOnce(); err != nil {
		t.Errorf("none: %v", err)
	}
	err := CheckStdinOnce(in, Source{Kind: KindPass}, in)
	if !errors.Is(err, ErrStdinUsedTwice) {
		t.Fatalf("two stdin: %v, want ErrStdinUsedTwice", err)
	}
	if !strings.Contains(err.Error(), "only one password option may read stdin") {
		t.Errorf("message = %q", err)
	}
}
