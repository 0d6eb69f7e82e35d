package e2e

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/internal/judge"
)

// argvSource is a Windows program that prints the arguments the C runtime
// split from its command line: one line each, "=" and the UTF-8 bytes in
// hex. wmain (-municode) gets them as UTF-16, so nothing passes through an
// ANSI code page.
const argvSource = `#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv) {
	static char buf[1 << 16];
	for (int i = 1; i < argc; i++) {
		int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, buf, sizeof buf, NULL, NULL);
		if (n <= 0)
			return 3;
		printf("=");
		for (int j = 0; j < n - 1; j++)
			printf("%02x", (unsigned char)buf[j]);
		printf("\n");
	}
	return 0;
}
`

// argvExe builds argvSource with mingw into w's C: drive and returns its
// Windows path.
func argvExe(t *testing.T, w *judge.WinePrefix) string {
	t.Helper()
	dir := filepath.Join(w.CDrive(), "Program Files", "uccert-e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "argv.c")
	if err := os.WriteFile(src, []byte(argvSource), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "argv.exe")
	gcc := judge.Require(t, "x86_64-w64-mingw32-gcc")
	if out, err := exec.Command(gcc, "-municode", "-O2", "-s", "-o", exe, src).CombinedOutput(); err != nil {
		t.Fatalf("x86_64-w64-mingw32-gcc argv.c: %v\n%s", err, out)
	}
	return w.WinPath(exe)
}

// quotingValues are the values TestWineQuoting has Windows read back:
// paths, aliases and passwords as admins write them, and every character
// that means something to the C runtime or to cmd.exe.
var quotingValues = []string{
	`C:\Program Files\GCTI\ucc\ucc.p12`,
	`C:\GCTI\ucc\keys.jks`,
	`C:\my certs\`,
	`C:\certs\ x`,
	`\\fileserver\certs share\trust.jks`,
	`lync-fe01.contoso.com`,
	`fe1 renewed`,
	`O'Brien's key`,
	``,
	` `,
	"tab\there",
	`pa"ss`,
	`a\"b c`,
	`"quoted"`,
	`p"&q`,
	`trailing\\`,
	`a&b`,
	`x|y`,
	`<in>out`,
	`^caret^`,
	`(1) copy`,
	`semi;colon,comma=equals`,
	`!bang!`,
	`50%`,
	`%PATH%`,
	`100%% sure`,
	`Zürich ΟΔΟΣ €`,
}

// TestWineQuoting: what uccert writes as a Windows command line is read
// back by Windows: the connector's Genesys line by the C runtime (a mingw
// program), its startup.bat line by cmd.exe and then the C runtime, and the
// words of a hint (finding.CommandArg, Windows build) by the C runtime and
// by cmd.exe's prompt. The quoting runs in the Windows build
// (testdata/quotejudge); argv.exe prints what it received.
//
// Not asked: a hint typed at cmd.exe's prompt for a value holding % (the
// prompt expands %VARIABLE%, and no quoting stops it) or a double quote
// (cmd.exe takes \" for the end of the quotes); finding.CommandArg's
// comment says so. And a startup.bat beyond ASCII: cmd.exe reads it in the
// OEM code page, so the value changes, which is why uccert warns and
// docs/args.md tells to add chcp 65001; Wine 8's cmd reads batch files in
// the OEM code page whatever chcp says (programs/cmd, WCMD_fgets), so the
// test checks only that the value changes without it.
func TestWineQuoting(t *testing.T) {
	w := judge.Wine(t)
	argv := argvExe(t, w)
	judgeExe := buildWindows(t, w, "quotejudge", ".", "./testdata/quotejudge")
	const work = `C:\uccert quoting`
	w.TempDir(t, work)
	values, err := json.Marshal(quotingValues)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteFile(t, work+`\values.json`, values)
	r := w.Run(t, judgeExe, []string{argv, work + `\values.json`, work}, judge.WineRun{})
	if r.ExitCode != 0 {
		t.Fatalf("quotejudge: exit %d\n%s", r.ExitCode, r.Stderr)
	}
	var results []struct {
		Value string              `json:"value"`
		Lines map[string]string   `json:"lines"`
		Got   map[string][]string `json:"got"`
		Err   map[string]string   `json:"err"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &results); err != nil {
		t.Fatalf("quotejudge's output: %v\n%s", err, r.Stdout)
	}
	if len(results) != len(quotingValues) {
		t.Fatalf("%d results for %d values", len(results), len(quotingValues))
	}
	for i, res := range results {
		v := quotingValues[i]
		modes := map[string][]string{
			"genesys": {"-cert_store_pass", v},
			"bat":     {"-cert_store_pass", v},
			"hint":    {"--alias", v},
		}
		if !strings.ContainsAny(v, `%"`) {
			modes["hint-cmd"] = []string{"--alias", v}
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r > 0x7f }) {
			delete(modes, "bat")
			if got, ok := res.Got["bat"]; !ok || reflect.DeepEqual(got, modes["genesys"]) {
				t.Errorf("bat %q: cmd.exe read the line %s as %q (error %q): want the value changed by the OEM code page", v, res.Lines["bat"], got, res.Err["bat"])
			}
		}
		for mode, want := range modes {
			if e, ok := res.Err[mode]; ok {
				t.Errorf("%s %q: line %s: %s", mode, v, res.Lines[mode], e)
				continue
			}
			if got := res.Got[mode]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s %q: Windows read the line %s as %q, want %q", mode, v, res.Lines[mode], got, want)
			}
		}
	}
}

// TestWineBatContinuation: a startup.bat line continued with ^ over three
// lines (a ^ inside quotes is literal and continues nothing) gives
// argv.exe, run by cmd.exe, the arguments connector.ReadArgsFile reads
// from the file. (Windows' cmd.exe also takes the next line's first
// character as escaped, so "^" then "&x" is the text &x; Wine 8's cmd.exe
// runs x as a command there, so that case is left to the unit tests.)
func TestWineBatContinuation(t *testing.T) {
	w := judge.Wine(t)
	argv := argvExe(t, w)
	const dir = `C:\uccert continuation`
	w.TempDir(t, dir)
	bat := dir + `\startup.bat`
	w.WriteFile(t, bat, []byte("@echo off\r\n"+
		`"`+argv+`" -host cfg -port 2020 ^`+"\r\n"+
		`  -cert_store_file "C:\GCTI\ucc keys.jks" -cert_store_pass "p^" ^`+"\r\n"+
		`x -cert_store_type jks`+"\r\n"))
	var r judge.WineResult
	for range 3 { // exit 9009: Wine's CreateProcess failed under load (see quotejudge's run)
		if r = w.Run(t, "cmd.exe", []string{"/d", "/c", bat}, judge.WineRun{}); r.ExitCode != 9009 {
			break
		}
	}
	if r.ExitCode != 0 {
		t.Fatalf("cmd.exe: exit %d\n%s%s", r.ExitCode, r.Stdout, r.Stderr)
	}
	var got []string
	for _, l := range strings.Split(r.Stdout, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if h, ok := strings.CutPrefix(l, "="); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				t.Fatalf("argv.exe's output: %q", r.Stdout)
			}
			got = append(got, string(b))
		}
	}
	want := []string{"-host", "cfg", "-port", "2020", "-cert_store_file", `C:\GCTI\ucc keys.jks`, "-cert_store_pass", "p^", "x", "-cert_store_type", "jks"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("cmd.exe gave argv.exe %q, want %q", got, want)
	}
	a, _, err := connector.ReadArgsFile(w.LinuxPath(t, bat))
	if err != nil {
		t.Fatal(err)
	}
	fromWindows, _ := connector.Parse(append([]string{argv}, got...)) // the program is Other[0]
	if !reflect.DeepEqual(a.Tokens(), fromWindows.Tokens()) || !reflect.DeepEqual(a.Other, fromWindows.Other) {
		t.Fatalf("ReadArgsFile: %q and %q; cmd.exe: %q and %q", a.Tokens(), a.Other, fromWindows.Tokens(), fromWindows.Other)
	}
}
