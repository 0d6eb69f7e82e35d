//go:build linux

package secret

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// ioctl goes through SyscallConn, not Fd, which would switch f to
// blocking mode and disable read deadlines.
func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// openPTY returns the master and slave ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("SKIPPING terminal prompt test: no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock int32
	if err := ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Skipf("SKIPPING: unlockpt: %v", err)
	}
	var n uint32
	if err := ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Skipf("SKIPPING: ptsname: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("SKIPPING: open pts: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

func echoOn(t *testing.T, f *os.File) bool {
	t.Helper()
	var tio syscall.Termios
	if err := ioctl(f, syscall.TCGETS, unsafe.Pointer(&tio)); err != nil {
		t.Fatalf("TCGETS: %v", err)
	}
	return tio.Lflag&syscall.ECHO != 0
}

// TestTerminalPrompterPTY types a password into a real pseudo-terminal
// and checks that it is read, not echoed, and that the label goes to out.
func TestTerminalPrompterPTY(t *testing.T) {
	master, slave := openPTY(t)
	if !echoOn(t, slave) {
		t.Fatal("new pty has echo off")
	}
	var out bytes.Buffer
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := TerminalPrompter(slave, &out).Prompt(label)
		done <- result{s, err}
	}()

	// Type only once echo is off, as a user would after seeing the prompt.
	deadline := time.Now().Add(5 * time.Second)
	for echoOn(t, slave) {
		if time.Now().After(deadline) {
			t.Fatal("Prompt never turned echo off")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := master.Write([]byte(distinctive + "\n")); err != nil {
		t.Fatal(err)
	}
	var res result
	select {
	case res = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Prompt did not return")
	}
	if res.err != nil {
		t.Fatalf("Prompt: %v", res.err)
	}
	if res.s != distinctive {
		t.Errorf("Prompt = %q, want %q", res.s, distinctive)
	}
	if want := label + ": \n"; out.String() != want {
		t.Errorf("prompt output = %q, want %q", out.String(), want)
	}
	if !echoOn(t, slave) {
		t.Error("echo not restored after Prompt")
	}
	// Nothing typed may have been echoed back to the terminal.
	if err := master.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	buf := make([]byte, 4096)
	n, _ := master.Read(buf)
	if strings.Contains(string(buf[:n]), "SECRET") {
		t.Errorf("password echoed to the terminal: %q", buf[:n])
	}
	// Control: with echo back on, the same read does see typed text.
	if _, err := master.Write([]byte("probe\n")); err != nil {
		t.Fatal(err)
	}
	if err := master.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	n, _ = master.Read(buf)
	if !strings.Contains(string(buf[:n]), "probe") {
		t.Errorf("control read saw %q, want the echoed probe", buf[:n])
	}
}

func TestTerminalPrompterLabels(t *testing.T) {
	for label, want := range map[string]string{
		"":               "Password: ",
		"Key password:":  "Key password: ",
		"Key password: ": "Key password: ",
		"store password": "store password: ",
	} {
		master, slave := openPTY(t)
		var out bytes.Buffer
		done := make(chan error, 1)
		go func() {
			_, err := TerminalPrompter(slave, &out).Prompt(label)
			done <- err
		}()
		deadline := time.Now().Add(5 * time.Second)
		for echoOn(t, slave) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := master.Write([]byte("x\n")); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("label %q: %v", label, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("label %q: Prompt did not return", label)
		}
		if out.String() != want+"\n" {
			t.Errorf("label %q: wrote %q, want %q", label, out.String(), want+"\n")
		}
	}
}
