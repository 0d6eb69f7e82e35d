package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testfs"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/internal/judge"
)

// e2eVersion is the version stamped into the test build.
const e2eVersion = "v0.0.0-e2e-wine"

// certsDir is where the tests put the connector's files: the vendor's
// install folder, with a space in the last element too.
const certsDir = `C:\Program Files\GCTI\ucc certs`

// Passwords. The fixture exports' passwords are in fixtures/README.md.
const (
	storePass = "changeit1"  // the merged key stores
	trustPass = "trustpass1" // the trust store
)

// built holds the programs built for windows/amd64 in this test process.
var built sync.Map // name -> func() (string, error)

// buildWindows runs "go build" of pkg (an import path, or a folder holding a
// main package) for windows/amd64 once per test process, into
// C:\Program Files\uccert-e2e\NAME.exe of w's C: drive (removed with it),
// and returns the Windows path of the program.
func buildWindows(t *testing.T, w *judge.WinePrefix, name, dir, pkg string, flags ...string) string {
	t.Helper()
	f, _ := built.LoadOrStore(name, sync.OnceValues(func() (string, error) {
		exe := filepath.Join(w.CDrive(), "Program Files", "uccert-e2e", name+".exe")
		cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", exe, pkg)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s (windows/amd64): %w\n%s", pkg, err, out)
		}
		return exe, nil
	}))
	exe, err := f.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return w.WinPath(exe)
}

// uccertExe builds the uccert command for windows/amd64. The build flags
// are those of `make cross` (plus the version), so the build cache it
// filled serves here.
func uccertExe(t *testing.T, w *judge.WinePrefix) string {
	t.Helper()
	return buildWindows(t, w, "uccert", ".", "github.com/uccert/uccert/cmd/uccert", "-tags", "urfave_cli_no_docs", "-ldflags", "-X main.version="+e2eVersion)
}

// holderSource is a Windows program that opens the file named by its first
// argument as Go's os.Open does (sharing read and write, not delete, as most
// Windows programs do), creates the file named by its second argument to
// say so, and keeps the file open until its stdin ends.
const holderSource = `package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], nil, 0o644); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	io.ReadAll(os.Stdin)
	f.Close()
}
`

func holderExe(t *testing.T, w *judge.WinePrefix) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"go.mod": "module holder\n\ngo 1.21\n", "main.go": holderSource} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return buildWindows(t, w, "holder", dir, ".")
}

// fixture returns the content of fixtures/NAME.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// winSetup is a test's C:\Program Files\GCTI\ucc certs folder with the
// fixture files copied in (under names with spaces) and password files
// ending in CRLF, as Notepad saves them.
type winSetup struct {
	w   *judge.WinePrefix
	exe string // Windows path of uccert.exe
	dir string // Linux path of certsDir
}

// inputs maps the Windows file names the tests use to fixture files.
var inputs = map[string]string{
	`fe1 windows.pfx`: "exports/fe1-windows.pfx", // MMC style, password win-export
	`fe2 windows.pfx`: "exports/fe2-windows.pfx", // MMC style, password win-export
	`fe3 3des.pfx`:    "exports/fe3-3des.pfx",    // fe3-export
	`ucc host.pfx`:    "exports/ucc-openssl.pfx", // ucc-export
	`ca chain.p7b`:    "pki/chain.p7b",           // issuing + root, DER PKCS#7
}

// passFiles are the password files, each with Windows line endings.
var passFiles = map[string]string{
	`fe.pass`:    "win-export",
	`ucc.pass`:   "ucc-export",
	`out.pass`:   storePass,
	`trust.pass`: trustPass,
}

func setup(t *testing.T) *winSetup {
	t.Helper()
	w := judge.Wine(t)
	s := &winSetup{w: w, exe: uccertExe(t, w), dir: w.TempDir(t, certsDir)}
	for name, src := range inputs {
		w.WriteFile(t, s.path(name), fixture(t, src))
	}
	for name, pass := range passFiles {
		w.WriteFile(t, s.path(name), []byte(pass+"\r\n"))
	}
	return s
}

// path is the Windows path of name in certsDir.
func (s *winSetup) path(name string) string { return certsDir + `\` + name }

// linux is the Linux path of name in certsDir.
func (s *winSetup) linux(name string) string { return filepath.Join(s.dir, name) }

// uccert runs uccert.exe with args in certsDir and no stdin.
func (s *winSetup) uccert(t *testing.T, args ...string) judge.WineResult {
	t.Helper()
	return s.w.Run(t, s.exe, args, judge.WineRun{Dir: certsDir})
}

// ok runs uccert.exe and fails the test unless it exits 0.
func (s *winSetup) ok(t *testing.T, args ...string) judge.WineResult {
	t.Helper()
	start := time.Now()
	r := s.uccert(t, args...)
	if r.ExitCode != 0 {
		t.Fatalf("uccert %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.ExitCode, r.Stdout, r.Stderr)
	}
	t.Logf("uccert.exe %s: %v", args[0], time.Since(start).Round(time.Millisecond))
	return r
}

// mergeFEs writes certsDir\NAME from fe1 and fe2 (MMC exports, one
// password file for both) with the store password from out.pass.
func (s *winSetup) mergeFEs(t *testing.T, name string, extra ...string) judge.WineResult {
	t.Helper()
	args := append([]string{"merge", "-o", s.path(name), "--in-pass", "file:" + s.path("fe.pass"), "--out-pass", "file:" + s.path("out.pass")}, extra...)
	return s.ok(t, append(args, s.path("fe1 windows.pfx"), s.path("fe2 windows.pfx"))...)
}

// keyAliases checks with Java (KeyStore.load, getKey with the store
// password, a signature verified by the leaf) that every entry of file is a
// usable key entry with a 3-certificate chain, and returns the aliases.
func keyAliases(t *testing.T, file, storeType, pass string) []string {
	t.Helper()
	var aliases []string
	for _, e := range judge.Java(t).ListStore(t, file, storeType, pass) {
		if e.Kind != "PrivateKeyEntry" || e.Status != "ok" || e.ChainLen != 3 || e.KeyAlg != "RSA" {
			t.Errorf("%s: Java sees %+v", filepath.Base(file), e)
		}
		aliases = append(aliases, e.Alias)
	}
	sort.Strings(aliases)
	return aliases
}

func TestWineVersion(t *testing.T) {
	w := judge.Wine(t)
	exe := uccertExe(t, w)
	start := time.Now()
	r := w.Run(t, exe, []string{"--version"}, judge.WineRun{})
	t.Logf("uccert.exe --version: %v", time.Since(start).Round(time.Millisecond))
	want := "uccert " + e2eVersion + " (" + runtime.Version() + ", windows/amd64)\n"
	if r.ExitCode != 0 || r.Stdout != want || r.Stderr != "" {
		t.Fatalf("exit %d, stdout %q (want %q), stderr %q", r.ExitCode, r.Stdout, want, r.Stderr)
	}
}

// The deployment guide's procedure on Windows: merge the Front End exports
// into a JKS under C:\Program Files, add more with --append (two runs at
// once take turns), and let keytool and Java judge the result.
func TestWineMergeJKSAndAppend(t *testing.T) {
	s := setup(t)
	store := "ucc keys.jks"
	r := s.mergeFEs(t, store)
	next := `uccert args --cert-store "` + s.path(store) + `" --cert-store-pass "file:` + s.path("out.pass") + `" --key-store ucc-trust.jks --key-store-pass prompt`
	for _, want := range []string{
		`Wrote ` + s.path(store) + ` (jks): 2 entries`,
		next,
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.Stdout)
		}
	}
	// The command merge prints runs as printed (the trust store, still to
	// be built, left out).
	words := splitQuoted(strings.TrimSuffix(next, " --key-store ucc-trust.jks --key-store-pass prompt"))
	if a := s.ok(t, words[1:]...); !strings.Contains(a.Stdout, `-cert_store_file "`+s.path(store)+`" -cert_store_pass `+storePass+` -cert_store_type jks`) {
		t.Errorf("%q:\n%s", words, a.Stdout)
	}
	if strings.Contains(r.Stdout+r.Stderr, "win-export") || strings.Contains(r.Stdout+r.Stderr, storePass) {
		t.Error("a password was printed")
	}
	want := []string{"fe1.uc.example.com", "fe2.uc.example.com"}
	if got := judge.KeytoolList(t, s.linux(store), "JKS", storePass); !reflect.DeepEqual(got, want) {
		t.Fatalf("keytool -list: %v, want %v", got, want)
	}
	if got := keyAliases(t, s.linux(store), "JKS", storePass); !reflect.DeepEqual(got, want) {
		t.Fatalf("Java: %v, want %v", got, want)
	}

	// The update lock on Windows is STORE.lock, locked with LockFileEx:
	// while another process holds it (here lockholder.exe, taking it as
	// uccert does), two --append runs wait, and say for whom; once it is
	// released they take turns, each reading what the other wrote, so
	// neither entry is lost.
	lock := s.linux(store + ".lock")
	holder, pid := s.holdLock(t, store)
	first := s.w.Start(t, s.exe, []string{"merge", "--append", "-o", s.path(store), "--out-pass", "file:" + s.path("out.pass"),
		"--in-pass", "stdin", s.path("fe3 3des.pfx")}, judge.WineRun{Dir: certsDir, Stdin: []byte("fe3-export\r\n")})
	second := s.w.Start(t, s.exe, []string{"merge", "--append", "-o", s.path(store), "--out-pass", "file:" + s.path("out.pass"),
		"--in-pass", "file:" + s.path("ucc.pass"), s.path("ucc host.pfx")}, judge.WineRun{Dir: certsDir})
	waiting := "uccert: waiting for PID " + strconv.Itoa(pid) + " (" + s.path(store) + ".lock)"
	for i, p := range []*judge.WineProcess{first, second} {
		waitFor(t, "the waiting message", func() bool {
			if p.Exited() {
				r := p.Wait(t)
				t.Fatalf("--append run %d did not wait for the lock: exit %d\n%s%s", i+1, r.ExitCode, r.Stdout, r.Stderr)
			}
			return strings.Contains(p.Stderr(), waiting)
		})
	}
	if r := holder.Wait(t); r.ExitCode != 0 {
		t.Fatalf("lockholder: exit %d\n%s", r.ExitCode, r.Stderr)
	}
	for i, p := range []*judge.WineProcess{first, second} {
		if r := p.Wait(t); r.ExitCode != 0 {
			t.Fatalf("--append run %d after the lock was released: exit %d\n%s%s", i+1, r.ExitCode, r.Stdout, r.Stderr)
		}
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
	want = []string{"fe1.uc.example.com", "fe2.uc.example.com", "fe3.uc.example.com", "ucc.uc.example.com"}
	if got := judge.KeytoolList(t, s.linux(store), "JKS", storePass); !reflect.DeepEqual(got, want) {
		t.Fatalf("keytool -list after both --append runs: %v, want %v", got, want)
	}
	if got := keyAliases(t, s.linux(store), "JKS", storePass); !reflect.DeepEqual(got, want) {
		t.Fatalf("Java after both --append runs: %v, want %v", got, want)
	}
	assertOnly(t, s.dir, append(keys(inputs), keys(passFiles)...), store)
}

// lockholderExe builds pkg/internal/e2e/testdata/lockholder for Windows:
// a process that holds a store's update lock as uccert does.
func lockholderExe(t *testing.T, w *judge.WinePrefix) string {
	t.Helper()
	return buildWindows(t, w, "lockholder", ".", "github.com/uccert/uccert/pkg/internal/e2e/testdata/lockholder")
}

// holdLock starts lockholder.exe on certsDir\NAME and returns it with its
// PID once it holds the lock (the lock file names it); Wait releases it.
func (s *winSetup) holdLock(t *testing.T, name string) (*judge.WineProcess, int) {
	t.Helper()
	p := s.w.Start(t, lockholderExe(t, s.w), []string{s.path(name)}, judge.WineRun{Dir: certsDir, Stdin: []byte{}})
	var pid int
	waitFor(t, "lockholder.exe to hold the lock", func() bool {
		if p.Exited() {
			r := p.Wait(t)
			t.Fatalf("lockholder: exit %d: %s%s", r.ExitCode, r.Stdout, r.Stderr)
		}
		b, _ := os.ReadFile(s.linux(name + ".lock"))
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return false
		}
		pid, _ = strconv.Atoi(f[0])
		return pid > 0
	})
	return p, pid
}

// The update lock under Windows: a lock file whose process is gone (a
// PID that no longer runs; a lockholder.exe killed while holding it, as
// Task Manager would) is taken over at once, with a note; a live holder
// makes --append say "waiting for PID N (FILE.lock)" after 2 s and
// succeed once it is released, and --lock-timeout 1s fail naming the PID.
func TestWineLock(t *testing.T) {
	s := setup(t)
	store := "ucc keys.jks"
	s.mergeFEs(t, store)
	lock := s.linux(store + ".lock")
	appendArgs := func(pass, file string, extra ...string) []string {
		return append([]string{"merge", "--append", "-o", s.path(store), "--out-pass", "file:" + s.path("out.pass"), "--in-pass", pass, s.path(file)}, extra...)
	}
	others := append(keys(inputs), keys(passFiles)...)

	t.Run("a dead PID", func(t *testing.T) {
		if err := os.WriteFile(lock, []byte("4242 GONEHOST\r\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := s.ok(t, appendArgs("file:"+s.path("ucc.pass"), "ucc host.pfx")...)
		if want := "uccert: note: " + s.path(store) + ".lock was left behind by PID 4242 on host GONEHOST, which has ended; taken over"; !strings.Contains(r.Stderr, want) || strings.Contains(r.Stderr, "waiting") {
			t.Errorf("stderr %q, want %q", r.Stderr, want)
		}
		assertOnly(t, s.dir, others, store)
	})
	t.Run("a killed holder", func(t *testing.T) {
		holder, pid := s.holdLock(t, store)
		holder.Kill()
		if b, err := os.ReadFile(lock); err != nil || !strings.HasPrefix(string(b), strconv.Itoa(pid)+" ") {
			t.Fatalf("the killed holder's lock file: %q %v", b, err)
		}
		r := s.ok(t, appendArgs("pass:fe3-export", "fe3 3des.pfx", "--lock-timeout", "0")...)
		if want := "uccert: note: " + s.path(store) + ".lock was left behind by PID " + strconv.Itoa(pid) + ", which has ended; taken over"; !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr %q, want %q", r.Stderr, want)
		}
		assertOnly(t, s.dir, others, store)
	})
	t.Run("a live holder", func(t *testing.T) {
		holder, pid := s.holdLock(t, store)
		r := s.uccert(t, appendArgs("file:"+s.path("fe.pass"), "fe1 windows.pfx", "--lock-timeout", "1s")...)
		if want := "PID " + strconv.Itoa(pid) + " holds " + s.path(store) + ".lock (waited 1s)"; r.ExitCode != 1 || !strings.Contains(r.Stderr, want) {
			t.Errorf("--lock-timeout 1s: exit %d, stderr %q, want %q", r.ExitCode, r.Stderr, want)
		}
		p := s.w.Start(t, s.exe, appendArgs("file:"+s.path("fe.pass"), "fe1 windows.pfx"), judge.WineRun{Dir: certsDir})
		waiting := "uccert: waiting for PID " + strconv.Itoa(pid) + " (" + s.path(store) + ".lock)"
		waitFor(t, "the waiting message", func() bool {
			if p.Exited() {
				r := p.Wait(t)
				t.Fatalf("did not wait: exit %d\n%s", r.ExitCode, r.Stderr)
			}
			return strings.Contains(p.Stderr(), waiting)
		})
		holder.Wait(t)
		if r := p.Wait(t); r.ExitCode != 0 {
			t.Fatalf("after the release: exit %d\n%s", r.ExitCode, r.Stderr)
		}
		assertOnly(t, s.dir, others, store)
	})
	want := []string{"fe1.uc.example.com", "fe2.uc.example.com", "fe3.uc.example.com", "ucc.uc.example.com"}
	if got := keyAliases(t, s.linux(store), "JKS", storePass); !reflect.DeepEqual(got, want) {
		t.Fatalf("Java: %v, want %v", got, want)
	}
}

// waitFor polls cond every 20 ms for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func keys(m map[string]string) []string {
	var k []string
	for name := range m {
		k = append(k, name)
	}
	return k
}

// assertOnly fails unless dir holds exactly names and more (no temporary
// or lock file left behind).
func assertOnly(t *testing.T, dir string, names []string, more ...string) {
	t.Helper()
	testfs.AssertOnlyFiles(t, dir, append(slices.Clone(names), more...)...)
}

// A "prompt" password source without a console must fail at once with a
// clear message; like omitting a password without a console, it is a usage
// error (exit 2): the command line asks for what cannot be done.
func TestWinePromptWithoutConsole(t *testing.T) {
	s := setup(t)
	out := s.path("new.jks")
	cases := []struct {
		name    string
		args    []string
		stdin   []byte
		code    int
		message string
	}{
		{"--out-pass prompt, stdin NUL", []string{"--out-pass", "prompt", "--in-pass", "file:" + s.path("fe.pass")}, nil,
			2, "uccert: new password for new.jks: prompt: no terminal to prompt for a password; give the password with env:VAR, file:PATH or stdin\n"},
		{"--out-pass prompt, stdin a pipe", []string{"--out-pass", "prompt", "--in-pass", "file:" + s.path("fe.pass")}, []byte("changeit1\r\n"),
			2, "uccert: new password for new.jks: prompt: no terminal to prompt for a password; give the password with env:VAR, file:PATH or stdin\n"},
		{"--in-pass prompt", []string{"--out-pass", "file:" + s.path("out.pass"), "--in-pass", "prompt"}, nil,
			2, "uccert: password for fe1 windows.pfx: prompt: no terminal to prompt for a password; give the password with env:VAR, file:PATH or stdin\n"},
		{"--out-pass omitted", []string{"--in-pass", "file:" + s.path("fe.pass")}, nil,
			2, "uccert: new password for new.jks: none given and no terminal to ask on; use --out-pass SRC (pass:TEXT, env:VAR, file:PATH or stdin)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"merge", "-o", out}, c.args...), s.path("fe1 windows.pfx"))
			start := time.Now()
			r := s.w.Run(t, s.exe, args, judge.WineRun{Dir: certsDir, Stdin: c.stdin})
			t.Logf("exit %d after %v; stderr: %q", r.ExitCode, time.Since(start).Round(time.Millisecond), r.Stderr)
			if r.ExitCode != c.code || !strings.HasPrefix(r.Stderr, c.message) || r.Stdout != "" {
				t.Errorf("exit %d (want %d)\nstdout %q\nstderr %q\nwant stderr starting %q", r.ExitCode, c.code, r.Stdout, r.Stderr, c.message)
			}
			if _, err := os.Stat(s.linux("new.jks")); !os.IsNotExist(err) {
				t.Errorf("new.jks: %v", err)
			}
		})
	}
}

// The trust store from the CA chain (PKCS#7 from AD CS), then the
// connector's arguments for both stores and a preflight, all with the
// stores under C:\Program Files.
func TestWineTruststoreArgsVerify(t *testing.T) {
	s := setup(t)
	keys, trust := "ucc keys.jks", "ucc trust.jks"
	s.mergeFEs(t, keys)
	r := s.ok(t, "truststore", "-o", s.path(trust), "--out-pass", "file:"+s.path("trust.pass"), s.path("ca chain.p7b"))
	if !strings.Contains(r.Stdout, `uccert args --key-store "`+s.path(trust)+`" --key-store-pass "file:`+s.path("trust.pass")+`" --cert-store ucc-keys.jks --cert-store-pass prompt`) {
		t.Errorf("truststore output:\n%s", r.Stdout)
	}
	if got, want := judge.KeytoolList(t, s.linux(trust), "JKS", trustPass), []string{"uc-test-issuing-ca", "uc-test-root-ca"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("keytool -list: %v, want %v", got, want)
	}
	for _, e := range judge.Java(t).ListStore(t, s.linux(trust), "JKS", trustPass) {
		if e.Kind != "trustedCertEntry" {
			t.Errorf("Java sees %+v", e)
		}
	}

	stores := []string{"--cert-store", s.path(keys), "--cert-store-pass", "file:" + s.path("out.pass"),
		"--key-store", s.path(trust), "--key-store-pass", "file:" + s.path("trust.pass")}
	wantTokens := []string{"-cert_store_file", s.path(keys), "-cert_store_pass", storePass, "-cert_store_type", "jks",
		"-key_store_file", s.path(trust), "-key_store_pass", trustPass, "-key_store_type", "jks"}
	const launcher = `ucc-launcher.exe -host cfgsrv -port 2020 -app UCC_Connector -l "C:\GCTI\license.dat" -http_port 8080`
	var batLine string
	t.Run("args genesys", func(t *testing.T) {
		r := s.ok(t, append([]string{"args", "--format", "genesys"}, stores...)...)
		want := `-cert_store_file "C:\Program Files\GCTI\ucc certs\ucc keys.jks" -cert_store_pass changeit1 -cert_store_type jks ` +
			`-key_store_file "C:\Program Files\GCTI\ucc certs\ucc trust.jks" -key_store_pass trustpass1 -key_store_type jks` + "\n"
		if r.Stdout != want {
			t.Errorf("got  %q\nwant %q", r.Stdout, want)
		}
		a, probs, err := connector.ParseCommandLine(strings.TrimSpace(r.Stdout))
		if err != nil || len(probs) != 0 || !reflect.DeepEqual(a.Tokens(), wantTokens) {
			t.Errorf("parses to %q %v %v", a.Tokens(), probs, err)
		}
	})
	t.Run("args bat", func(t *testing.T) {
		r := s.ok(t, append([]string{"args", "--format", "bat", "--launcher", launcher}, stores...)...)
		want := launcher + ` -cert_store_file "C:\Program Files\GCTI\ucc certs\ucc keys.jks" -cert_store_pass changeit1 -cert_store_type jks ` +
			`-key_store_file "C:\Program Files\GCTI\ucc certs\ucc trust.jks" -key_store_pass trustpass1 -key_store_type jks` + "\n"
		if r.Stdout != want {
			t.Errorf("got  %q\nwant %q", r.Stdout, want)
		}
		a, probs, err := connector.ParseBatLine(strings.TrimSpace(r.Stdout))
		if err != nil || len(probs) != 0 || !reflect.DeepEqual(a.Tokens(), wantTokens) {
			t.Errorf("parses to %q %v %v", a.Tokens(), probs, err)
		}
		batLine = r.Stdout
	})

	names := []string{"--host", "ucc.uc.example.com", "--fe", "fe1.uc.example.com", "--fe", "fe2.uc.example.com"}
	t.Run("verify", func(t *testing.T) {
		// The connector host's own entry is missing (host-identity-missing
		// is an error): add it first.
		s.ok(t, "merge", "--append", "-o", s.path(keys), "--out-pass", "file:"+s.path("out.pass"),
			"--in-pass", "file:"+s.path("ucc.pass"), s.path("ucc host.pfx"))
		r := s.ok(t, append(append([]string{"verify"}, names...), stores...)...)
		last := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		if summary := last[len(last)-1]; !strings.HasSuffix(summary, " warnings, 0 errors") {
			t.Errorf("summary %q\n%s", summary, r.Stdout)
		}
		if !strings.Contains(r.Stdout, "OK   store-unreadable             "+s.path(keys)+": read: jks, 3 entries") {
			t.Errorf("verify output:\n%s", r.Stdout)
		}
	})
	t.Run("verify --json", func(t *testing.T) {
		r := s.ok(t, append(append([]string{"verify", "--json"}, names...), stores...)...)
		var doc struct {
			OK      bool `json:"ok"`
			Summary struct {
				Passed, Warnings, Errors int
			} `json:"summary"`
			Findings []struct {
				Check, Severity, Subject, Message string
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r.Stdout)
		}
		if !doc.OK || doc.Summary.Errors != 0 || doc.Summary.Passed == 0 || len(doc.Findings) != doc.Summary.Passed+doc.Summary.Warnings {
			t.Errorf("%+v", doc)
		}
		subjects := map[string]bool{}
		for _, f := range doc.Findings {
			if f.Severity == "error" {
				t.Errorf("finding %+v", f)
			}
			subjects[strings.SplitN(f.Subject, "#", 2)[0]] = true
		}
		if !subjects[s.path(keys)] || !subjects[s.path(trust)] {
			t.Errorf("subjects %v lack the Windows paths of the stores", subjects)
		}
		if strings.Contains(r.Stdout, storePass) || strings.Contains(r.Stdout, trustPass) {
			t.Error("a password in the JSON")
		}
	})
	t.Run("verify --args-file startup.bat", func(t *testing.T) {
		if batLine == "" {
			t.Skip("SKIPPING: args bat failed")
		}
		s.w.WriteFile(t, s.path("startup.bat"), []byte("@echo off\r\n"+strings.TrimSpace(batLine)+"\r\n"))
		s.ok(t, append([]string{"verify", "--args-file", s.path("startup.bat")}, names...)...)
	})
}

// PKCS#12 output (modern and legacy profiles) under C:\Program Files,
// judged by OpenSSL and Java.
func TestWineMergePKCS12(t *testing.T) {
	s := setup(t)
	cases := []struct {
		name   string
		extra  []string
		legacy bool
	}{
		{"ucc keys.p12", nil, false},
		{"ucc keys legacy.pfx", []string{"--compat", "legacy"}, false}, // 3DES: OpenSSL 3 needs no -legacy
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.mergeFEs(t, c.name, c.extra...)
			if !strings.Contains(r.Stdout, `uccert args --cert-store "`+s.path(c.name)+`" --cert-store-pass "file:`+s.path("out.pass")+`"`) {
				t.Errorf("stdout:\n%s", r.Stdout)
			}
			keys, certs, err := judge.OpenSSLPKCS12Info(t, s.linux(c.name), storePass, c.legacy)
			if err != nil {
				t.Fatal(err)
			}
			// Two keys; their chains share the CAs: two leaves, issuing CA, root.
			if keys != 2 || certs != 4 {
				t.Errorf("openssl pkcs12 -info: %d keys, %d certificates; want 2 and 4", keys, certs)
			}
			// The MAC and every bag check out (the password travels in the environment).
			t.Setenv("E2E_STORE_PASS", storePass)
			if _, err := judge.OpenSSL(t, nil, "pkcs12", "-in", s.linux(c.name), "-info", "-noout", "-passin", "env:E2E_STORE_PASS"); err != nil {
				t.Errorf("openssl pkcs12 -info -noout: %v", err)
			}
			if got, want := keyAliases(t, s.linux(c.name), "PKCS12", storePass), []string{"fe1.uc.example.com", "fe2.uc.example.com"}; !reflect.DeepEqual(got, want) {
				t.Errorf("Java: %v, want %v", got, want)
			}
		})
	}
}

// Windows (and Wine, which emulates its sharing rules) refuses to replace a
// file that another program holds open without sharing delete access; the
// connector or an editor may hold the store. The write must then fail
// cleanly: exit 1, the store as it was, no temporary file left; and succeed
// once the file is closed.
func TestWineReplaceStoreHeldOpen(t *testing.T) {
	s := setup(t)
	store := "ucc keys.jks"
	s.mergeFEs(t, store)
	before, err := os.ReadFile(s.linux(store))
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "holding")
	holder := s.w.Start(t, holderExe(t, s.w), []string{s.path(store), s.w.WinPath(marker)}, judge.WineRun{Stdin: []byte{}})
	waitFor(t, "the holder to open the store", func() bool {
		if holder.Exited() {
			r := holder.Wait(t)
			t.Fatalf("holder: exit %d: %s%s", r.ExitCode, r.Stdout, r.Stderr)
		}
		_, err := os.Stat(marker)
		return err == nil
	})
	appendUCC := []string{"merge", "--append", "-o", s.path(store), "--out-pass", "file:" + s.path("out.pass"),
		"--in-pass", "file:" + s.path("ucc.pass"), s.path("ucc host.pfx")}
	for _, args := range [][]string{
		appendUCC,
		{"merge", "--force", "-o", s.path(store), "--out-pass", "file:" + s.path("out.pass"),
			"--in-pass", "file:" + s.path("fe.pass"), s.path("fe1 windows.pfx")},
	} {
		r := s.uccert(t, args...)
		t.Logf("%s while the store is open elsewhere: exit %d, stderr %q", args[1], r.ExitCode, r.Stderr)
		if r.ExitCode != 1 || !strings.Contains(r.Stderr, s.path(store)+": ") {
			t.Errorf("exit %d, stderr %q", r.ExitCode, r.Stderr)
		}
		if after, err := os.ReadFile(s.linux(store)); err != nil || !bytes.Equal(after, before) {
			t.Errorf("the store changed (%v)", err)
		}
		assertOnly(t, s.dir, append(keys(inputs), keys(passFiles)...), store)
	}
	if r := holder.Wait(t); r.ExitCode != 0 {
		t.Fatalf("holder: exit %d: %s%s", r.ExitCode, r.Stdout, r.Stderr)
	}
	s.ok(t, appendUCC...)
	want := []string{"fe1.uc.example.com", "fe2.uc.example.com", "ucc.uc.example.com"}
	if got := judge.KeytoolList(t, s.linux(store), "JKS", storePass); !reflect.DeepEqual(got, want) {
		t.Fatalf("keytool -list: %v, want %v", got, want)
	}
}

// splitQuoted splits a command line at spaces outside double quotes and
// removes the quotes, as cmd.exe passes such a line to a program.
func splitQuoted(line string) []string {
	var words []string
	var b strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, b.String())
				b.Reset()
			}
			inWord = false
		default:
			b.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words
}

// Ctrl-C under Windows (Wine turns SIGINT into a Ctrl-C event): while
// --append waits for the lock, and inside the write (the temporary file
// is there), the run ends with 130, its temporary and lock files removed
// and the store as it was (or, when the Ctrl-C came after the rename,
// the run completes).
func TestWineCtrlC(t *testing.T) {
	s := setup(t)
	store := "ucc keys.p12"
	s.mergeFEs(t, store)
	others := append(keys(inputs), keys(passFiles)...)
	s.w.WriteFile(t, s.path("many.p12"), fixture(t, "stores/many.p12"))
	others = append(others, "many.p12")
	before, err := os.ReadFile(s.linux(store))
	if err != nil {
		t.Fatal(err)
	}
	appendMany := []string{"merge", "--append", "-o", s.path(store), "--out-pass", "file:" + s.path("out.pass"), "--in-pass", "file:" + s.path("out.pass"), s.path("many.p12")}

	t.Run("waiting for the lock", func(t *testing.T) {
		holder, pid := s.holdLock(t, store)
		p := s.w.Start(t, s.exe, appendMany, judge.WineRun{Dir: certsDir})
		waitFor(t, "the waiting message", func() bool {
			return strings.Contains(p.Stderr(), "uccert: waiting for PID "+strconv.Itoa(pid))
		})
		p.Signal(os.Interrupt)
		r := p.Wait(t)
		if r.ExitCode != 130 || !strings.Contains(r.Stderr, s.path(store)+": not written: interrupted (Ctrl-C)") {
			t.Fatalf("exit %d\n%s", r.ExitCode, r.Stderr)
		}
		assertOnly(t, s.dir, others, store, store+".lock") // the holder's
		holder.Wait(t)
		assertOnly(t, s.dir, others, store)
	})
	t.Run("inside the write", func(t *testing.T) {
		hits := 0
		for attempt := 0; attempt < 10 && hits == 0; attempt++ {
			if err := os.WriteFile(s.linux(store), before, 0o600); err != nil {
				t.Fatal(err)
			}
			p := s.w.Start(t, s.exe, appendMany, judge.WineRun{Dir: certsDir})
			for !p.Exited() {
				if m, _ := filepath.Glob(filepath.Join(s.dir, ".*.uccert-*")); len(m) > 0 {
					p.Signal(os.Interrupt)
					break
				}
				time.Sleep(time.Millisecond)
			}
			r := p.Wait(t)
			after, _ := os.ReadFile(s.linux(store))
			switch {
			case r.ExitCode == 130 && strings.Contains(r.Stderr, "not written: interrupted (Ctrl-C)"):
				hits++
				if !bytes.Equal(after, before) {
					t.Errorf("attempt %d: interrupted, but the store changed", attempt+1)
				}
			case r.ExitCode == 0:
				// Completed before the Ctrl-C arrived.
			default:
				t.Fatalf("attempt %d: exit %d\n%s", attempt+1, r.ExitCode, r.Stderr)
			}
			t.Logf("attempt %d: exit %d", attempt+1, r.ExitCode)
			assertOnly(t, s.dir, others, store)
		}
		if hits == 0 {
			t.Error("no attempt was interrupted inside the write")
		}
	})
}

// The write and lock tests of pkg/atomicfile, pkg/keystore and pkg/internal/lock,
// compiled for Windows and run under Wine: MoveFileEx without
// MOVEFILE_REPLACE_EXISTING refuses a file that appears meanwhile,
// LockFileEx serialises updaters, a killed owner's lock file is taken
// over, a temporary file is removed when the context ends.
func TestWineLibraryWrites(t *testing.T) {
	w := judge.Wine(t)
	for _, c := range []struct{ pkg, run string }{
		{"pkg/atomicfile", "^Test"},
		{"pkg/keystore", "^(TestWriteFile(CreateOnly|CancelledBeforeRename|Symlink|NotRegular)|TestUpdateLock)$"},
		{"pkg/internal/lock", ""},
	} {
		t.Run(c.pkg, func(t *testing.T) {
			name := strings.ReplaceAll(c.pkg, "/", "-") + ".test"
			f, _ := built.LoadOrStore(name, sync.OnceValues(func() (string, error) {
				exe := filepath.Join(w.CDrive(), "Program Files", "uccert-e2e", name+".exe")
				cmd := exec.Command("go", "test", "-c", "-o", exe, "github.com/uccert/uccert/"+c.pkg)
				cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
				if out, err := cmd.CombinedOutput(); err != nil {
					return "", fmt.Errorf("go test -c %s (windows/amd64): %w\n%s", c.pkg, err, out)
				}
				return exe, nil
			}))
			exe, err := f.(func() (string, error))()
			if err != nil {
				t.Fatal(err)
			}
			dir, err := filepath.Abs(filepath.Join("..", "..", "..", filepath.FromSlash(c.pkg)))
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"-test.v", "-test.count=1"}
			if c.run != "" {
				args = append(args, "-test.run", c.run)
			}
			r := w.Run(t, w.WinPath(exe), args, judge.WineRun{Dir: dir})
			t.Logf("%s under Wine:\n%s", c.pkg, r.Stdout)
			if r.ExitCode != 0 || !strings.Contains(r.Stdout, "\nPASS\n") {
				t.Fatalf("exit %d\n%s\n%s", r.ExitCode, r.Stdout, r.Stderr)
			}
		})
	}
}
