package finding

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSeverity(t *testing.T) {
	for s, want := range map[Severity]string{OK: "ok", Info: "info", Warn: "warn", Error: "error", 7: "Severity(7)"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
	var s Severity
	if err := s.UnmarshalText([]byte("warn")); err != nil || s != Warn {
		t.Errorf("UnmarshalText: %v %v", s, err)
	}
	if err := s.UnmarshalText([]byte("fatal")); err == nil {
		t.Error("unknown severity accepted")
	}
	if _, err := Severity(-1).MarshalText(); err == nil {
		t.Error("invalid severity marshalled")
	}
}

// A Report marshals as `uccert verify --json` prints it, and Strict makes
// warnings fail.
func TestReportJSON(t *testing.T) {
	r := &Report{}
	r.Addf("a-check", OK, "x.jks", "", "fine")
	r.Addf("b-check", Warn, "x.jks#e", "do this", "%d days", 12)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ok":true,"summary":{"passed":1,"warnings":1,"errors":0},"findings":[` +
		`{"check":"a-check","severity":"ok","subject":"x.jks","message":"fine","hint":""},` +
		`{"check":"b-check","severity":"warn","subject":"x.jks#e","message":"12 days","hint":"do this"}]}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	r.Strict = true
	if r.OK() {
		t.Error("strict report with a warning is ok")
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || len(back.Findings) != 2 || back.Findings[1].Severity != Warn {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	if b, _ := json.Marshal(&Report{}); string(b) != `{"ok":true,"summary":{"passed":0,"warnings":0,"errors":0},"findings":[]}` {
		t.Errorf("empty report: %s", b)
	}
	var empty *Report
	if empty.Problems() != nil || empty.Summary() != (Summary{}) {
		t.Error("nil report")
	}
}

func TestFailed(t *testing.T) {
	cause := errors.New("wrong password")
	r := &Report{}
	r.Fail("store-wrong-password", "a.jks", "give it", cause, "the store password is wrong")
	r.Addf("cert-expired", Error, "b.jks", "renew", "expired")
	err := error(&Failed{Findings: r.Errors()})
	if !errors.Is(err, cause) || !strings.Contains(err.Error(), "a.jks: the store password is wrong") || !strings.Contains(err.Error(), "2 problems") {
		t.Fatalf("%v", err)
	}
	if (&Failed{}).Error() == "" {
		t.Error("empty Failed")
	}
}
