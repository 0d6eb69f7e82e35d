package secret

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestPasswordFormattingNeverLeaks(t *testing.T) {
	p := NewPassword(distinctive)
	type holder struct {
		P Password
		p Password // unexported: printed by reflection, not via methods
	}
	values := map[string]any{
		"value":      p,
		"pointer":    &p,
		"slice":      []Password{p},
		"map":        map[string]Password{"k": p},
		"struct":     holder{P: p, p: p},
		"ptr-struct": &holder{P: p, p: p},
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
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(f, p); got != "[redacted]" {
			t.Errorf("Sprintf(%q) = %q, want [redacted]", f, got)
		}
	}
	if p.String() != "[redacted]" || p.GoString() != "[redacted]" {
		t.Errorf("String/GoString = %q/%q", p.String(), p.GoString())
	}

	j, err := json.Marshal(struct{ P Password }{p})
	if err != nil {
		t.Fatal(err)
	}
	if string(j) != `{"P":"[redacted]"}` {
		t.Errorf("json = %s", j)
	}

	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "pw", p, "holder", holder{P: p, p: p})
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "pw", p, "holder", holder{P: p, p: p})
	if strings.Contains(logs.String(), "SECRET") || !strings.Contains(logs.String(), "[redacted]") {
		t.Errorf("slog output: %s", logs.String())
	}
}

func TestPasswordRevealLenEqual(t *testing.T) {
	var zero Password
	if zero.Reveal() != "" || zero.Len() != 0 {
		t.Errorf("zero Password = %q (len %d)", zero.Reveal(), zero.Len())
	}
	nfd := "Cafe\u0301 \u2603 日本" // decomposed é: must stay decomposed
	p := NewPassword(nfd)
	if p.Reveal() != nfd {
		t.Errorf("Reveal = %q, want %q", p.Reveal(), nfd)
	}
	if p.Len() != 10 {
		t.Errorf("Len = %d, want 10 code points", p.Len())
	}
	if !p.Equal(NewPassword(nfd)) || p.Equal(NewPassword("Café ☃ 日本")) || !zero.Equal(NewPassword("")) {
		t.Error("Equal gives wrong answers")
	}
}

func TestCheckStorePassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"12345", false},
		{"123456", true},
		{"äöüäö", false}, // 10 bytes, 5 characters
		{"äöüäöü", true},
		{"日本語日本", false},
		{"日本語日本語", true},
		{"     \t", true}, // whitespace counts
	}
	for _, tt := range tests {
		err := CheckStorePassword(NewPassword(tt.pw))
		if tt.ok && err != nil {
			t.Errorf("CheckStorePassword(%q) = %v, want nil", tt.pw, err)
		}
		if !tt.ok {
			if !errors.Is(err, ErrTooShort) {
				t.Errorf("CheckStorePassword(%q) = %v, want ErrTooShort", tt.pw, err)
			} else if err.Error() != "store passwords must have at least 6 characters (keytool refuses shorter ones)" {
				t.Errorf("message = %q", err)
			}
		}
	}
	if MinStorePasswordLen != 6 {
		t.Errorf("MinStorePasswordLen = %d", MinStorePasswordLen)
	}
}
