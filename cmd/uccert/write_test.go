package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// A signal that arrives while a store is being written (here: before the
// run starts, so the write sees it first) ends the run with 130 or 143,
// the JSON code "interrupted", and nothing written.
func TestInterruptedWrite(t *testing.T) {
	fe1 := abs(t, "exports", "fe1-openssl.pfx")
	for _, c := range []struct {
		sig  os.Signal
		code int
		text string
	}{{os.Interrupt, 130, "interrupted"}, {syscall.SIGTERM, 143, "stopped"}} {
		for _, mode := range []string{"new", "--force", "--append"} {
			t.Run(c.sig.String()+" "+mode, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "ucc.jks")
				args := []string{"merge", "--json", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1}
				if mode != "new" {
					if r := runCLI(t, "", nil, args...); r.code != 0 {
						t.Fatal(r.stderr)
					}
					args = append(args, mode)
				}
				before, _ := os.ReadFile(out)
				ctx, cancel := context.WithCancelCause(context.Background())
				cancel(&interruptedError{c.sig})
				var stdout, stderr bytes.Buffer
				code := run(ctx, append([]string{"uccert"}, args...), testEnv(&stdout, &stderr, nil))
				var doc failureDoc
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatalf("%v\n%s", err, stdout.String())
				}
				if code != c.code || doc.Error.Code != "interrupted" || !strings.Contains(stderr.String(), out+": not written: "+c.text) {
					t.Fatalf("exit %d (want %d), JSON %+v\nstderr %s", code, c.code, doc, stderr.String())
				}
				after, _ := os.ReadFile(out)
				if !bytes.Equal(before, after) {
					t.Error("OUT changed")
				}
				if mode == "new" {
					assertDir(t, dir)
				} else {
					assertDir(t, dir, "ucc.jks")
				}
			})
		}
	}
}

// The signal policy: during a quiet section (a prompt, reading inputs)
// the process ends at once; otherwise the run is cancelled; a second
// signal ends it at once.
func TestInterrupts(t *testing.T) {
	var exited []int
	var cause error
	ctx, cancel := context.WithCancelCause(context.Background())
	in := &interrupts{cancel: func(err error) { cause = err; cancel(err) }, exit: func(ie *interruptedError) { exited = append(exited, ie.code()) }}
	e := &env{interrupts: in}
	e.quietly(func() error {
		in.signal(syscall.SIGTERM)
		return nil
	})
	if len(exited) != 1 || exited[0] != exitTerminate || cause != nil {
		t.Fatalf("in a quiet section: exits %v, cancel %v", exited, cause)
	}
	exited = nil
	in.signal(os.Interrupt)
	if len(exited) != 0 || interruptedBy(ctx, nil) == nil || interruptedBy(ctx, nil).code() != exitInterrupt {
		t.Fatalf("while writing: exits %v, cause %v", exited, context.Cause(ctx))
	}
	// Cancelled, then entering a quiet section: nothing to wait for.
	e.quietly(func() error { return nil })
	in.signal(syscall.SIGTERM) // the second signal
	if len(exited) != 2 || exited[0] != exitInterrupt || exited[1] != exitInterrupt {
		t.Fatalf("after the first signal: exits %v, want the first signal's code twice", exited)
	}
}

// --append waits for another run that updates OUT, says for whom after
// two seconds, and with --lock-timeout gives up naming the holder's PID.
func TestLockTimeout(t *testing.T) {
	fe1, fe2 := abs(t, "exports", "fe1-openssl.pfx"), abs(t, "exports", "fe2-legacy.pfx")
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc.jks")
	if r := runCLI(t, "", nil, "merge", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// Another updater: this test, inside keystore.Update.
	holding, done := make(chan struct{}), make(chan struct{})
	go keystore.Update(context.Background(), out, keystore.UpdateOptions{WriteOptions: keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{
		Format: keystore.FormatJKS, Password: secret.NewPassword("changeit1")}}}, func(s *keystore.Store) (*keystore.Store, error) {
		close(holding)
		<-done
		return s, nil
	})
	<-holding
	appendArgs := []string{"merge", "--append", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe2-export", fe2}
	r := runCLI(t, "", nil, append(appendArgs, "--lock-timeout", "0", "--json")...)
	var doc failureDoc
	json.Unmarshal([]byte(r.stdout), &doc)
	pid := "PID " + strconv.Itoa(os.Getpid())
	if r.code != 1 || doc.Error.Code != "locked" || !strings.Contains(r.stderr, pid+" holds "+out+".lock") || !strings.Contains(r.stderr, "--lock-timeout") {
		t.Fatalf("--lock-timeout 0: exit %d, %+v\n%s", r.code, doc, r.stderr)
	}
	// A waiting run is told whom it waits for, then succeeds.
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- runEnv(testEnv(&stdout, stderr, nil), append(appendArgs, "--lock-timeout", "1m")...) }()
	waiting := "uccert: waiting for " + pid + " (" + out + ".lock)"
	for deadline := time.Now().Add(time.Minute); !strings.Contains(stderr.String(), waiting); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q on stderr:\n%s", waiting, stderr.String())
		}
	}
	close(done)
	if c := <-code; c != 0 {
		t.Fatalf("exit %d\n%s", c, stderr.String())
	}
	assertDir(t, dir, "ucc.jks")
	if r := runCLI(t, "", nil, append(appendArgs, "--lock-timeout", "-1s")...); r.code != exitUsage {
		t.Fatalf("--lock-timeout -1s: exit %d", r.code)
	}
}

// -o LINK writes through to the link's target; --force refuses a FIFO or
// a device with the library's words.
func TestOutputLinkAndSpecialFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SKIPPING: symbolic links and FIFOs need Unix; Windows is tested under Wine")
	}
	fe1, fe2 := abs(t, "exports", "fe1-openssl.pfx"), abs(t, "exports", "fe2-legacy.pfx")
	dir := t.TempDir()
	target := filepath.Join(dir, "ucc-2026.jks")
	if r := runCLI(t, "", nil, "merge", "-o", target, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1); r.code != 0 {
		t.Fatal(r.stderr)
	}
	link := filepath.Join(dir, "current.jks")
	os.Symlink("ucc-2026.jks", link)
	r := runCLI(t, "", nil, "merge", "--append", "-o", link, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe2-export", fe2)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	s, err := keystore.Load(target, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	if err != nil || len(s.Entries) != 2 {
		t.Fatalf("the target: %v", err)
	}
	assertDir(t, dir, "current.jks", "ucc-2026.jks")

	fifo := filepath.Join(dir, "fifo.jks")
	mkfifo(fifo)
	for _, o := range []string{fifo, "/dev/null"} {
		r := runCLI(t, "", nil, "merge", "--force", "--json", "--type", "jks", "-o", o, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", fe1)
		var doc failureDoc
		json.Unmarshal([]byte(r.stdout), &doc)
		if r.code != 1 || doc.Error.Code != "not-regular" || !strings.Contains(r.stderr, "not a regular file: uccert replaces only regular files") {
			t.Fatalf("-o %s: exit %d %+v\n%s", o, r.code, doc, r.stderr)
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("the FIFO was replaced")
	}
}

// syncBuffer is a bytes.Buffer that a test may read while a run writes.
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

// The signal handler is installed when a command starts, not for the
// version, help or a usage error (nothing to clean up; start-up cost).
func TestInterruptsArmedByCommands(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"--version"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"nosuchcommand"}, 0},
		{[]string{"inspect", "--help"}, 0},
		{[]string{"inspect", fixture("pki", "ca.pem")}, 1},
		{[]string{"verify", "--json", fixture("pki", "ca.pem")}, 1},
	} {
		var out, errb bytes.Buffer
		e := testEnv(&out, &errb, nil)
		armed := 0
		e.armInterrupts = func() { armed++ }
		runEnv(e, c.args...)
		if armed != c.want {
			t.Errorf("uccert %s: handler installed %d times, want %d\n%s", strings.Join(c.args, " "), armed, c.want, errb.String())
		}
	}
}
