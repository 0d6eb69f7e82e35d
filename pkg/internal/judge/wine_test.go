package judge

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// probeSource is a Windows program that reports what it received: its
// arguments, its working directory, stdin (and whether stdin and stdout are
// consoles), an environment variable, and the content of the file named by
// its first argument; it writes "got <content>" to the file named by its
// second argument and exits with status 7.
const probeSource = `package main

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

func console(f *os.File) bool {
	var mode uint32
	return syscall.GetConsoleMode(syscall.Handle(f.Fd()), &mode) == nil
}

func main() {
	for i, a := range os.Args[1:] {
		fmt.Printf("arg%d=%q\n", i, a)
	}
	wd, err := os.Getwd()
	fmt.Printf("wd=%q %v\n", wd, err)
	fmt.Printf("console stdin=%v stdout=%v\n", console(os.Stdin), console(os.Stdout))
	in, err := io.ReadAll(os.Stdin)
	fmt.Printf("stdin=%q %v\n", in, err)
	fmt.Printf("env=%q\n", os.Getenv("UCCERT_WINE_PROBE"))
	data, err := os.ReadFile(os.Args[1])
	fmt.Printf("file=%q %v\n", data, err)
	if err := os.WriteFile(os.Args[2], append([]byte("got "), data...), 0o600); err != nil {
		fmt.Printf("write: %v\n", err)
	}
	fmt.Fprintln(os.Stderr, "to stderr")
	os.Exit(7)
}
`

var (
	probeOnce sync.Once
	probeExe  string
	probeErr  error
)

// buildProbe builds probeSource for windows/amd64 once per test process,
// into C:\judge-probe of w (removed with w's C: drive).
func buildProbe(t *testing.T, w *WinePrefix) string {
	t.Helper()
	probeOnce.Do(func() {
		dir := filepath.Join(w.CDrive(), "judge-probe")
		if probeErr = os.MkdirAll(dir, 0o755); probeErr != nil {
			return
		}
		files := map[string]string{"go.mod": "module probe\n\ngo 1.21\n", "main.go": probeSource}
		for name, content := range files {
			if probeErr = os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); probeErr != nil {
				return
			}
		}
		exe := filepath.Join(dir, "probe.exe")
		cmd := exec.Command("go", "build", "-o", exe, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			probeErr = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		probeExe = exe
	})
	if probeErr != nil {
		t.Fatalf("building the probe: %v", probeErr)
	}
	return probeExe
}

func TestWineRunsGoWindowsProgram(t *testing.T) {
	w := Wine(t)
	exe := buildProbe(t, w)
	dir := w.TempDir(t, `C:\Program Files\GCTI\judge probe`)
	if err := os.WriteFile(filepath.Join(dir, "in put.txt"), []byte("hello from Linux\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, out := `C:\Program Files\GCTI\judge probe\in put.txt`, `C:\Program Files\GCTI\judge probe\out file.txt`
	tricky := []string{`quote"inside`, `trailing backslash\`, "", "pässwörd-€", `%PATH%`, `a & b | c`}
	cases := []struct {
		name      string
		stdin     []byte
		wantStdin string
	}{
		{"stdin pipe", []byte("line one\r\nline two\n"), "line one\r\nline two\n"},
		{"stdin NUL", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, "out file.txt"))
			res := w.Run(t, exe, append([]string{in, out}, tricky...), WineRun{
				Env:   []string{"UCCERT_WINE_PROBE=value with spaces"},
				Stdin: c.stdin,
				Dir:   `C:\Program Files\GCTI`,
			})
			if res.ExitCode != 7 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
			}
			want := []string{
				`arg0="C:\\Program Files\\GCTI\\judge probe\\in put.txt"`,
				`arg1="C:\\Program Files\\GCTI\\judge probe\\out file.txt"`,
				`arg2="quote\"inside"`,
				`arg3="trailing backslash\\"`,
				`arg4=""`,
				`arg5="pässwörd-€"`,
				`arg6="%PATH%"`,
				`arg7="a & b | c"`,
				`wd="C:\\Program Files\\GCTI" <nil>`,
				"console stdin=false stdout=false",
				`stdin=` + strings.ReplaceAll(strings.ReplaceAll(`"`+c.wantStdin+`"`, "\r", `\r`), "\n", `\n`) + ` <nil>`,
				`env="value with spaces"`,
				`file="hello from Linux\r\n" <nil>`,
			}
			got := strings.Split(strings.TrimRight(res.Stdout, "\n"), "\n")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if res.Stderr != "to stderr\n" {
				t.Errorf("stderr %q", res.Stderr)
			}
			data, err := os.ReadFile(w.LinuxPath(t, out))
			if err != nil || string(data) != "got hello from Linux\r\n" {
				t.Errorf("written file: %q %v", data, err)
			}
		})
	}
}

// Start leaves stdin open: the program waits for it, and ends once the test
// closes it. Linux paths outside C: reach the program as Z:\...
func TestWineStartStdinPiecewise(t *testing.T) {
	w := Wine(t)
	exe := buildProbe(t, w)
	linux := t.TempDir()
	in, out := w.WinPath(filepath.Join(linux, "in z.txt")), w.WinPath(filepath.Join(linux, "out z.txt"))
	if !strings.HasPrefix(in, `Z:\`) {
		t.Fatalf("WinPath(%q) = %q", linux, in)
	}
	if err := os.WriteFile(filepath.Join(linux, "in z.txt"), []byte("on Z:"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := w.Start(t, exe, []string{in, out}, WineRun{Stdin: []byte("first\n")})
	if p.Exited() {
		t.Fatal("exited before stdin was closed")
	}
	if _, err := p.Stdin.Write([]byte("second\n")); err != nil {
		t.Fatal(err)
	}
	res := p.Wait(t)
	if res.ExitCode != 7 || !strings.Contains(res.Stdout, `stdin="first\nsecond\n" <nil>`) || !strings.Contains(res.Stdout, `file="on Z:" <nil>`) {
		t.Fatalf("exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if data, err := os.ReadFile(filepath.Join(linux, "out z.txt")); err != nil || string(data) != "got on Z:" {
		t.Errorf("written file: %q %v", data, err)
	}
}

func TestWinePaths(t *testing.T) {
	w := &WinePrefix{dir: "/cache/wine-run/1-x"}
	toWin := []struct{ linux, win string }{
		{"/cache/wine-run/1-x/drive_c", `C:\`},
		{"/cache/wine-run/1-x/drive_c/Program Files/GCTI/ucc certs/a b.jks", `C:\Program Files\GCTI\ucc certs\a b.jks`},
		{"/cache/wine-run/1-x/drive_cx/file", `Z:\cache\wine-run\1-x\drive_cx\file`},
		{"/tmp/x y/z", `Z:\tmp\x y\z`},
		{"/", `Z:\`},
	}
	for _, c := range toWin {
		t.Run("WinPath "+c.linux, func(t *testing.T) {
			if got := w.WinPath(c.linux); got != c.win {
				t.Errorf("WinPath(%q) = %q, want %q", c.linux, got, c.win)
			}
		})
	}
	toLinux := []struct{ win, linux string }{
		{`C:\Program Files\GCTI\ucc certs\a b.jks`, "/cache/wine-run/1-x/drive_c/Program Files/GCTI/ucc certs/a b.jks"},
		{`c:/users/x`, "/cache/wine-run/1-x/drive_c/users/x"},
		{`C:\`, "/cache/wine-run/1-x/drive_c"},
		{`Z:\tmp\x y\z`, "/tmp/x y/z"},
	}
	for _, c := range toLinux {
		t.Run("LinuxPath "+c.win, func(t *testing.T) {
			if got := w.LinuxPath(t, c.win); got != c.linux {
				t.Errorf("LinuxPath(%q) = %q, want %q", c.win, got, c.linux)
			}
		})
	}
}
