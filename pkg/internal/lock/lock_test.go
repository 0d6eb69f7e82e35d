package lock

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testfs"
)

func TestForUpdate(t *testing.T) {
	path := filepath.Join(testfs.Dir(t), "ucc.jks")
	release, err := ForUpdate(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(File(path))
	if err != nil {
		t.Fatal(err)
	}
	if h := parseHolder(content); h.PID != os.Getpid() || h.Host != hostname() {
		t.Fatalf("lock file holds %q: %+v", content, h)
	}
	// A second owner fails after its timeout, naming the first.
	_, err = ForUpdate(context.Background(), path, Options{Timeout: 100 * time.Millisecond})
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || le.Holder.PID != os.Getpid() || le.File != File(path) {
		t.Fatalf("second lock: %v, want a LockedError naming PID %d", err, os.Getpid())
	}
	if want := "PID " + strconv.Itoa(os.Getpid()) + " holds " + File(path); !strings.Contains(err.Error(), want) {
		t.Errorf("%q lacks %q", err, want)
	}
	// A negative timeout tries once.
	if _, err := ForUpdate(context.Background(), path, Options{Timeout: -1}); !errors.As(err, &le) {
		t.Fatalf("one try: %v", err)
	}
	// A cancelled wait ends with the cause.
	cause := errors.New("interrupted")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	if _, err := ForUpdate(ctx, path, Options{}); !errors.Is(err, cause) {
		t.Fatalf("cancelled: %v", err)
	}
	// A waiter is told who it waits for, and gets the lock once released.
	told := make(chan Holder, 4)
	got := make(chan error, 1)
	go func() {
		r, err := ForUpdate(context.Background(), path, Options{NoticeAfter: 10 * time.Millisecond,
			OnWait: func(file string, h Holder) {
				if file == File(path) {
					told <- h
				}
			}})
		if err == nil {
			r()
		}
		got <- err
	}()
	select {
	case h := <-told:
		if h.PID != os.Getpid() {
			t.Errorf("waiting for %+v", h)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter was never told")
	}
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter never got the lock")
	}
	if _, err := os.Stat(File(path)); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
	// A missing folder is an error, not a lock to wait for.
	if _, err := ForUpdate(context.Background(), filepath.Join(path, "missing", "x.jks"), Options{Timeout: time.Second}); err == nil || errors.Is(err, ErrLocked) {
		t.Fatalf("lock in a missing folder: %v", err)
	}
}

// A lock file that its owner left behind (it holds a PID, but nobody
// holds the lock) is taken over at once and reported; a file its owner
// marked released is taken silently.
func TestLeftBehind(t *testing.T) {
	cases := []struct {
		name, content string
		stale         Holder
	}{
		{"dead owner", "99999999 otherhost\n", Holder{PID: 99999999, Host: "otherhost"}},
		{"released", released, Holder{}},
		{"empty", "", Holder{}},
		{"garbage", "\x00\x01 not a pid", Holder{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(testfs.Dir(t), "ucc.jks")
			if err := os.WriteFile(File(path), []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var stale Holder
			release, err := ForUpdate(context.Background(), path, Options{Timeout: -1, OnStale: func(_ string, h Holder) { stale = h }})
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			if stale != c.stale {
				t.Errorf("reported %+v, want %+v", stale, c.stale)
			}
			if b, _ := os.ReadFile(File(path)); parseHolder(b).PID != os.Getpid() {
				t.Errorf("lock file holds %q", b)
			}
		})
	}
}

// A real process that dies holding the lock (SIGKILL, TerminateProcess):
// its lock file stays, naming it, and the next owner takes it over at
// once.
func TestDeadOwner(t *testing.T) {
	if os.Getenv("LOCK_TEST_HOLD") != "" {
		return // the helper runs as TestHolderProcess
	}
	path := filepath.Join(testfs.Dir(t), "ucc.jks")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolderProcess$")
	cmd.Env = append(os.Environ(), "LOCK_TEST_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper: %q %v", line, err)
	}
	// Held by a live process: waited for, and named.
	_, err = ForUpdate(context.Background(), path, Options{Timeout: 50 * time.Millisecond})
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.PID != cmd.Process.Pid {
		t.Fatalf("while the helper holds it: %v, want PID %d", err, cmd.Process.Pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(File(path)); err != nil {
		t.Fatalf("the killed helper left no lock file: %v", err)
	}
	var stale Holder
	release, err := ForUpdate(context.Background(), path, Options{Timeout: 5 * time.Second, OnStale: func(_ string, h Holder) { stale = h }})
	if err != nil {
		t.Fatalf("after the helper died: %v", err)
	}
	release()
	if stale.PID != cmd.Process.Pid {
		t.Errorf("took over from %+v, want PID %d", stale, cmd.Process.Pid)
	}
}

// TestHolderProcess is TestDeadOwner's helper: it takes the lock, says
// so, and waits to be killed.
func TestHolderProcess(t *testing.T) {
	path := os.Getenv("LOCK_TEST_HOLD")
	if path == "" {
		t.Skip("helper process of TestDeadOwner")
	}
	if _, err := ForUpdate(context.Background(), path, Options{}); err != nil {
		os.Stdout.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
	os.Exit(1)
}

// Replacing the lock file under a waiter (the owner removes it while the
// waiter has it open): the waiter locks the file that is there now.
func TestReleaseUnderWaiter(t *testing.T) {
	path := filepath.Join(testfs.Dir(t), "ucc.jks")
	for round := 0; round < 20; round++ {
		release, err := ForUpdate(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		const waiters = 3
		inside := make(chan int, waiters)
		done := make(chan error, waiters)
		var owners atomic.Int32
		for i := 0; i < waiters; i++ {
			go func() {
				r, err := ForUpdate(context.Background(), path, Options{Timeout: 10 * time.Second})
				if err == nil {
					inside <- int(owners.Add(1))
					time.Sleep(time.Millisecond)
					owners.Add(-1)
					r()
				}
				done <- err
			}()
		}
		time.Sleep(5 * time.Millisecond)
		release()
		for i := 0; i < waiters; i++ {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if n := <-inside; n != 1 {
				t.Fatalf("round %d: %d owners at once", round, n)
			}
		}
	}
}
