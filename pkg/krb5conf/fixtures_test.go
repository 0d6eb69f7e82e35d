package krb5conf

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"

	"github.com/uccert/uccert/pkg/finding"

	"github.com/jcmturner/gokrb5/v8/config"
)

const (
	sevE = finding.Error
	sevW = finding.Warn
)

// mitVerdict is what MIT krb5 1.20 (klist) says about a fixture.
type mitVerdict int

const (
	mitAny    mitVerdict = iota // depends on the machine (includedir)
	mitAccept                   // the library initialises
	mitReject                   // "Improper format of Kerberos configuration file"
)

// fixtureCases is the table of fixtures/krb5/README.md: the exact set of
// findings (Parse + Check for host fe1.uc.example.com) per file.
var fixtureCases = []struct {
	file      string
	want      []w
	gokrb5Nil bool // gokrb5 cannot load the file
	mit       mitVerdict
}{
	{file: "good.conf", mit: mitAccept},
	{file: "good-crlf.conf", mit: mitAccept},
	{file: "good-multi-realm.conf", mit: mitAccept},
	{file: "syntax-missing-brace.conf", want: []w{{CheckSyntax, sevE, 6}}, mit: mitReject},
	{file: "syntax-stray-brace.conf", want: []w{{CheckSyntax, sevE, 10}}, gokrb5Nil: true, mit: mitReject},
	{file: "syntax-relation-outside-section.conf", want: []w{{CheckSyntax, sevE, 2}, {CheckNoDefaultRealm, sevE, 3}}, mit: mitAccept},
	{file: "syntax-garbage-line.conf", want: []w{{CheckSyntax, sevE, 8}}, gokrb5Nil: true, mit: mitReject},
	{file: "no-default-realm.conf", want: []w{{CheckNoDefaultRealm, sevE, 1}}, mit: mitAccept},
	{file: "default-realm-undefined.conf", want: []w{{CheckDefaultRealmUndefined, sevE, 2}}, mit: mitAccept},
	{file: "realm-no-kdc.conf", want: []w{{CheckRealmNoKDC, sevE, 6}}, mit: mitAccept},
	{file: "realm-lowercase.conf", want: []w{{CheckRealmLowercase, sevW, 6}}, mit: mitAccept},
	{file: "domain-realm-undefined.conf", want: []w{{CheckDomainRealmUndefined, sevE, 13}}, mit: mitAccept},
	{file: "host-realm-mismatch.conf", want: []w{{CheckHostRealmMismatch, sevE, 16}}, mit: mitAccept},
	{file: "weak-enctype-des.conf", want: []w{{CheckWeakEnctype, sevE, 3}, {CheckWeakEnctype, sevE, 4}}, mit: mitAccept},
	{file: "weak-checksum.conf", want: []w{{CheckWeakChecksum, sevW, 5}}, mit: mitAccept},
	{file: "includedir.conf", want: []w{{CheckSyntax, sevW, 1}}, mit: mitAny},
	{file: "utf8-bom.conf", want: []w{{CheckSyntax, sevE, 1}}, mit: mitAccept},
	{file: "checksum-by-name.conf", want: []w{{CheckSyntax, sevE, 5}, {CheckWeakChecksum, sevW, 5}}, gokrb5Nil: true, mit: mitAccept},
}

func TestFixtures(t *testing.T) {
	for _, tc := range fixtureCases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixturesDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			f, got := lint(t, data, testHost)
			if g, w := keys(got), wantKeys(tc.want); !slices.Equal(g, w) {
				t.Errorf("findings = %v, want %v", g, w)
				for _, x := range got {
					t.Logf("  %v (hint: %s)", x, x.Hint)
				}
			}
			if (f.Config == nil) != tc.gokrb5Nil {
				t.Errorf("gokrb5 Config nil = %v, want %v", f.Config == nil, tc.gokrb5Nil)
			}
		})
	}
}

// TestFixturesListed: every fixture file is in the table and in the
// README, with the checks the table expects.
func TestFixturesListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixturesDir, "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	readme, err := os.ReadFile(filepath.Join(fixturesDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(string(readme), "\n") {
		if cells := strings.Split(l, "|"); len(cells) > 3 {
			rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = cells[2]
		}
	}
	listed := map[string]bool{}
	for _, tc := range fixtureCases {
		listed[tc.file] = true
		row, ok := rows[tc.file]
		if !ok {
			t.Errorf("README.md has no row for %s", tc.file)
			continue
		}
		for _, x := range tc.want {
			if !strings.Contains(row, string(x.check)) || !strings.Contains(row, x.sev.String()) {
				t.Errorf("README.md row of %s does not name %s (%s)", tc.file, x.check, x.sev)
			}
		}
		if len(tc.want) == 0 && !strings.Contains(row, "none") {
			t.Errorf("README.md row of %s should say none", tc.file)
		}
	}
	for _, p := range files {
		if !listed[filepath.Base(p)] {
			t.Errorf("fixture %s is not tested", filepath.Base(p))
		}
	}
}

// TestGokrb5DropsUnclosedRealm proves the gokrb5 quirk the line pass
// exists for: with the realm's '}' missing, gokrb5 alone loads the file
// without error and without the realm; Parse reports the '{' line.
func TestGokrb5DropsUnclosedRealm(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(fixturesDir, "good.conf"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := os.ReadFile(filepath.Join(fixturesDir, "syntax-missing-brace.conf"))
	if err != nil {
		t.Fatal(err)
	}
	cg, err := config.NewFromString(string(good))
	if err != nil || len(cg.Realms) != 1 {
		t.Fatalf("gokrb5 on good.conf: %d realms, %v", len(cg.Realms), err)
	}
	cb, err := config.NewFromString(string(bad))
	if err != nil {
		t.Fatalf("gokrb5 now rejects the missing brace (%v): the quirk is gone, revisit the doc", err)
	}
	if len(cb.Realms) >= len(cg.Realms) {
		t.Fatalf("gokrb5 kept %d realms: the quirk is gone, revisit the doc", len(cb.Realms))
	}
	f, fs, err := Parse(bad)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 6 || se.Col != 22 {
		t.Fatalf("err = %v, want line 6 column 22", err)
	}
	if len(fs) != 1 || fs[0].Check != CheckSyntax || fs[0].Line != 6 || !strings.Contains(fs[0].Message, "drops realm UC.EXAMPLE.COM") {
		t.Fatalf("findings = %v", fs)
	}
	// The line-aware model still has the realm, so the semantic checks
	// do not pile up follow-on errors.
	if len(f.Realms) != 1 || len(f.Config.Realms) != 0 || len(Check(f, CheckOptions{Host: testHost})) != 0 {
		t.Fatalf("model: %d realms, gokrb5 %d realms", len(f.Realms), len(f.Config.Realms))
	}
}

// TestMITAgrees runs MIT krb5's klist on each fixture, when installed:
// the files MIT rejects are the ones the table says it rejects.
func TestMITAgrees(t *testing.T) {
	klist := judge.Require(t, "klist")
	for _, tc := range fixtureCases {
		if tc.mit == mitAny {
			continue
		}
		t.Run(tc.file, func(t *testing.T) {
			p, err := filepath.Abs(filepath.Join(fixturesDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(klist)
			cmd.Env = append(os.Environ(), "KRB5_CONFIG="+p, "KRB5CCNAME=FILE:"+filepath.Join(t.TempDir(), "none"))
			out, _ := cmd.CombinedOutput()
			if strings.Contains(string(out), "Heimdal") {
				t.Skip("klist is Heimdal's")
			}
			rejected := strings.Contains(string(out), "Improper format")
			if rejected != (tc.mit == mitReject) {
				t.Errorf("MIT klist: %s", out)
			}
		})
	}
}
