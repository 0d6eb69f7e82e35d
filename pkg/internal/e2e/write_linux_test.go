package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testfs"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// hostRun is a uccert process (or strace running it) started by a test.
type hostRun struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	code           int
}

func startHost(t *testing.T, name string, args ...string) *hostRun {
	t.Helper()
	r := &hostRun{cmd: exec.Command(name, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	r.cmd.Stdout, r.cmd.Stderr = r.stdout, r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.cmd.Wait()
		r.code = r.cmd.ProcessState.ExitCode()
		if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.code = 128 + int(ws.Signal())
		}
		close(r.done)
	}()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.done
	})
	return r
}

// wait waits up to a minute for the process to end and returns its exit
// code (128+N when signal N killed it).
func (r *hostRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-r.done:
		return r.code
	case <-time.After(time.Minute):
		t.Fatalf("still running after a minute\nstderr:\n%s", r.stderr)
	}
	return -1
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lsDir lists dir's names, sorted.
func lsDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// tempFile returns the name of a write's temporary file in dir, "" when
// there is none.
func tempFile(t *testing.T, dir string) string {
	for _, n := range lsDir(t, dir) {
		if strings.HasPrefix(n, ".") && strings.Contains(n, ".uccert-") {
			return n
		}
	}
	return ""
}

// holdWrite is how long strace holds uccert's fsync (µs): time for a test
// to see the temporary file and send a signal. strace reports the end of
// the process only when the delay is over.
const holdWrite = "5000000"

// tracee returns the PID of the process strace (pid) runs.
func tracee(t *testing.T, pid int) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, s := range stats {
			b, err := os.ReadFile(s)
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...: comm may hold spaces; split after ')'.
			i := bytes.LastIndexByte(b, ')')
			f := strings.Fields(string(b[i+1:]))
			if len(f) > 1 && f[1] == strconv.Itoa(pid) {
				child, _ := strconv.Atoi(filepath.Base(filepath.Dir(s)))
				return child
			}
		}
	}
	t.Fatalf("strace (PID %d) started no process", pid)
	return 0
}

// waitUntil polls cond every 10 ms for up to a minute.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func fixturePath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "..", "fixtures", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// lockholderHost builds pkg/internal/e2e/testdata/lockholder for the host:
// a process that holds a store's update lock until its stdin ends.
func lockholderHost(t *testing.T) string {
	t.Helper()
	f, _ := built.LoadOrStore("host/lockholder", sync.OnceValues(func() (string, error) {
		exe := filepath.Join(hostBinDir, "lockholder")
		cmd := exec.Command("go", "build", "-o", exe, "github.com/uccert/uccert/pkg/internal/e2e/testdata/lockholder")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", errors.New(string(out))
		}
		return exe, nil
	}))
	exe, err := f.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// holdLock starts lockholder on store and returns its PID once it holds
// the lock; closing its stdin (the returned function) releases it.
func holdLock(t *testing.T, store string) (pid int, release func()) {
	t.Helper()
	cmd := exec.Command(lockholderHost(t), store)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 32)
	n, _ := out.Read(line)
	pid, err = strconv.Atoi(strings.TrimSpace(string(line[:n])))
	if err != nil || pid != cmd.Process.Pid {
		cmd.Process.Kill()
		t.Fatalf("lockholder said %q", line[:n])
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			in.Close()
			cmd.Wait()
		})
	}
	t.Cleanup(release)
	return pid, release
}

// Without hard links (FAT, exFAT, some SMB shares: link fails with EPERM)
// and without a create-only rename (renameat2 fails with EINVAL), the real
// binary still creates a new store, which keytool reads, and still
// refuses to replace an existing one without --force. strace makes the
// system calls fail.
func TestHostNoHardLinks(t *testing.T) {
	strace := judge.Require(t, "strace")
	exe := uccertHost(t)
	fe1 := fixturePath(t, "exports/fe1-openssl.pfx")
	cases := []struct {
		name    string
		inject  []string
		amd64   bool // the injection hits os.Rename on other architectures
		lastWay string
	}{
		// The no-replace rename comes first: link(2) failing changes nothing.
		{"no hard links (EPERM)", []string{"-e", "inject=link,linkat:error=EPERM"}, false, ""},
		{"no RENAME_NOREPLACE (EINVAL): hard link", []string{"-e", "inject=renameat2:error=EINVAL"}, true, "linkat("},
		{"neither (FAT): exclusive placeholder", []string{"-e", "inject=renameat2:error=EINVAL", "-e", "inject=link,linkat:error=EPERM"}, true, "linkat("},
		{"neither (SMB: EOPNOTSUPP)", []string{"-e", "inject=renameat2:error=EOPNOTSUPP", "-e", "inject=link,linkat:error=EOPNOTSUPP"}, true, "linkat("},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.amd64 && runtime.GOARCH != "amd64" {
				t.Skipf("SKIPPING: on %s os.Rename is renameat2 too; the injection would hit it", runtime.GOARCH)
			}
			dir := t.TempDir()
			out := filepath.Join(dir, "ucc keys.jks")
			log := filepath.Join(t.TempDir(), "strace.log")
			args := append([]string{"-f", "-qq", "-o", log, "-e", "trace=renameat2,link,linkat"}, c.inject...)
			args = append(args, exe, "merge", "--json", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1)
			for try, want := range []int{0, 1} {
				r := startHost(t, strace, args...)
				if code := r.wait(t); code != want {
					t.Fatalf("run %d: exit %d, want %d\n%s%s", try+1, code, want, r.stdout, r.stderr)
				}
				// The first run meets the injected failures; the second is
				// refused before it writes (the race is pkg/keystore's test).
				trace, _ := os.ReadFile(log)
				if try == 0 && c.lastWay != "" && (!strings.Contains(string(trace), "(INJECTED)") || !strings.Contains(string(trace), c.lastWay)) {
					t.Fatalf("run %d: %s never tried, or nothing injected:\n%s", try+1, c.lastWay, trace)
				}
				if try == 1 {
					var doc struct{ Error struct{ Code string } }
					json.Unmarshal([]byte(r.stdout.String()), &doc)
					if doc.Error.Code != "exists" {
						t.Errorf("second run: %s", r.stdout)
					}
				}
				if got := judge.KeytoolList(t, out, "JKS", "changeit1"); !reflect.DeepEqual(got, []string{"fe1.uc.example.com"}) {
					t.Fatalf("run %d: keytool -list: %v", try+1, got)
				}
				testfs.AssertOnlyFiles(t, dir, "ucc keys.jks")
			}
		})
	}
}

// SIGINT and SIGTERM end a run with 130 and 143 and leave the folder as
// it was: held inside the write (strace delays its fsync), while reading
// a FIFO input, and while waiting for the update lock.
func TestHostSignals(t *testing.T) {
	exe := uccertHost(t)
	fe1, fe2 := fixturePath(t, "exports/fe1-openssl.pfx"), fixturePath(t, "exports/fe2-legacy.pfx")
	merge := func(out string, extra ...string) []string {
		return append([]string{"merge", "-o", out, "--out-pass", "pass:changeit1"}, extra...)
	}
	t.Run("inside the write", func(t *testing.T) {
		strace := judge.Require(t, "strace")
		for _, c := range []struct {
			name   string
			sig    syscall.Signal
			code   int
			append bool
		}{{"new store, SIGINT", syscall.SIGINT, 130, false}, {"--append, SIGTERM", syscall.SIGTERM, 143, true}} {
			t.Run(c.name, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "ucc.jks")
				args := merge(out, "--in-pass", "pass:fe1-export", fe1)
				var before []byte
				if c.append {
					runHost(t, exe, nil, args...)
					before, _ = os.ReadFile(out)
					args = merge(out, "--append", "--in-pass", "pass:fe2-export", fe2)
				}
				r := startHost(t, strace, append([]string{"-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:delay_enter=" + holdWrite, exe}, args...)...)
				waitUntil(t, "the temporary file", func() bool { return tempFile(t, dir) != "" })
				if c.append {
					if _, err := os.Stat(out + ".lock"); err != nil {
						t.Errorf("no lock file while writing: %v", err)
					}
				}
				syscall.Kill(tracee(t, r.cmd.Process.Pid), c.sig)
				if code := r.wait(t); code != c.code {
					t.Fatalf("exit %d, want %d\n%s", code, c.code, r.stderr)
				}
				if !strings.Contains(r.stderr.String(), "ucc.jks: not written: ") {
					t.Errorf("stderr: %s", r.stderr)
				}
				if c.append {
					testfs.AssertOnlyFiles(t, dir, "ucc.jks")
					if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
						t.Error("OUT changed")
					}
				} else {
					testfs.AssertOnlyFiles(t, dir)
				}
			})
		}
	})
	t.Run("reading a FIFO input", func(t *testing.T) {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "slow.pfx")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		r := startHost(t, exe, merge(filepath.Join(dir, "ucc.jks"), "--in-pass", "pass:x", fifo)...)
		// Opening the FIFO for writing returns once uccert has opened it
		// for reading; it then waits for data that never comes.
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		r.cmd.Process.Signal(syscall.SIGINT)
		if code := r.wait(t); code != 130 || !strings.Contains(r.stderr.String(), "uccert: interrupted (SIGINT)") {
			t.Fatalf("exit %d\n%s", code, r.stderr)
		}
		testfs.AssertOnlyFiles(t, dir, "slow.pfx")
	})
	t.Run("waiting for the lock", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "ucc.jks")
		runHost(t, exe, nil, merge(out, "--in-pass", "pass:fe1-export", fe1)...)
		pid, release := holdLock(t, out)
		r := startHost(t, exe, merge(out, "--append", "--in-pass", "pass:fe2-export", fe2)...)
		waiting := "uccert: waiting for PID " + strconv.Itoa(pid) + " (" + out + ".lock)\n"
		waitUntil(t, "the waiting message", func() bool { return strings.Contains(r.stderr.String(), waiting) })
		r.cmd.Process.Signal(syscall.SIGTERM)
		if code := r.wait(t); code != 143 {
			t.Fatalf("exit %d\n%s", code, r.stderr)
		}
		testfs.AssertOnlyFiles(t, dir, "ucc.jks", "ucc.jks.lock") // the holder's
		release()
		testfs.AssertOnlyFiles(t, dir, "ucc.jks")
	})
}

// The update lock between real processes: a live holder is waited for
// (the waiting message after 2 s names its PID) and the run succeeds once
// it is released; --lock-timeout 1s gives up naming it; a lock file left
// by a process killed inside its write is taken over at once.
func TestHostLock(t *testing.T) {
	exe := uccertHost(t)
	fe1, fe2, fe3 := fixturePath(t, "exports/fe1-openssl.pfx"), fixturePath(t, "exports/fe2-legacy.pfx"), fixturePath(t, "exports/fe3-3des.pfx")
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc.jks")
	runHost(t, exe, nil, "merge", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1)
	appendFE := func(pass, file string, extra ...string) []string {
		return append([]string{"merge", "--append", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:" + pass, file}, extra...)
	}

	pid, release := holdLock(t, out)
	r := startHost(t, exe, appendFE("fe2-export", fe2, "--lock-timeout", "1s", "--json")...)
	if code := r.wait(t); code != 1 {
		t.Fatalf("--lock-timeout 1s: exit %d\n%s", code, r.stderr)
	}
	var doc struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal([]byte(r.stdout.String()), &doc)
	if want := "PID " + strconv.Itoa(pid) + " holds " + out + ".lock (waited 1s)"; doc.Error.Code != "locked" || !strings.Contains(doc.Error.Message, want) {
		t.Fatalf("--lock-timeout 1s: %+v, want code locked and %q", doc, want)
	}
	r = startHost(t, exe, appendFE("fe2-export", fe2)...)
	waitUntil(t, "the waiting message", func() bool {
		return strings.Contains(r.stderr.String(), "uccert: waiting for PID "+strconv.Itoa(pid)+" ("+out+".lock)\n")
	})
	release()
	if code := r.wait(t); code != 0 {
		t.Fatalf("after the release: exit %d\n%s", code, r.stderr)
	}
	testfs.AssertOnlyFiles(t, dir, "ucc.jks")

	// Killed inside its write (SIGKILL cannot be caught): the lock file
	// stays, naming the dead process, and so does the temporary file.
	strace := judge.Require(t, "strace")
	r = startHost(t, strace, append([]string{"-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:delay_enter=" + holdWrite, exe}, appendFE("fe3-export", fe3)...)...)
	waitUntil(t, "the temporary file", func() bool { return tempFile(t, dir) != "" })
	dead := tracee(t, r.cmd.Process.Pid)
	syscall.Kill(dead, syscall.SIGKILL)
	r.wait(t)
	if b, err := os.ReadFile(out + ".lock"); err != nil || !strings.HasPrefix(string(b), strconv.Itoa(dead)+" ") {
		t.Fatalf("lock file after SIGKILL: %q %v", b, err)
	}
	os.Remove(filepath.Join(dir, tempFile(t, dir)))
	start := time.Now()
	r = startHost(t, exe, appendFE("fe3-export", fe3)...)
	if code := r.wait(t); code != 0 {
		t.Fatalf("after the owner died: exit %d\n%s", code, r.stderr)
	}
	t.Logf("taken over after %v", time.Since(start).Round(time.Millisecond))
	if want := "uccert: note: " + out + ".lock was left behind by PID " + strconv.Itoa(dead) + ", which has ended; taken over"; !strings.Contains(r.stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
	if strings.Contains(r.stderr.String(), "waiting for") {
		t.Errorf("waited for a dead process:\n%s", r.stderr)
	}
	testfs.AssertOnlyFiles(t, dir, "ucc.jks")
	if got := judge.KeytoolList(t, out, "JKS", "changeit1"); !reflect.DeepEqual(got, []string{"fe1.uc.example.com", "fe2.uc.example.com", "fe3.uc.example.com"}) {
		t.Fatalf("keytool -list: %v", got)
	}
}
