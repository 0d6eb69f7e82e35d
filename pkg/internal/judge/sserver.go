package judge

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// OpenSSLServer starts "openssl s_server -accept 127.0.0.1:PORT args..." on a
// free loopback port, waits until the port accepts connections (at most 10 s)
// and returns "127.0.0.1:PORT". The server loops over connections until the
// test ends, when it is killed; its output is logged if the test failed.
//
// s_server cannot report a port it chose, so a free port is found by
// listening on 127.0.0.1:0 and closing; should another process take it
// first, the server exits and the start is retried on another port. The
// server's stdin is a pipe held open until the end, so s_server never sees
// end of input.
func OpenSSLServer(t testing.TB, args ...string) (addr string) {
	t.Helper()
	openssl := Require(t, "openssl")
	var lastOut string
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("judge: finding a free port: %v", err)
		}
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		ok, out := startSServer(t, openssl, addr, args)
		if ok {
			return addr
		}
		lastOut = out
		if !strings.Contains(out, "in use") {
			break
		}
	}
	t.Fatalf("judge: openssl s_server did not start:\n%s", lastOut)
	return ""
}

// startSServer starts s_server on addr and waits until it accepts. It
// returns false and the server's output when the server exited first.
func startSServer(t testing.TB, openssl, addr string, args []string) (bool, string) {
	t.Helper()
	cmd := exec.Command(openssl, append([]string{"s_server", "-accept", addr}, args...)...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("judge: s_server stdin: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("judge: starting openssl s_server: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		cmd.Process.Kill()
		<-exited
		stdin.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			stdin.Close()
			return false, out.String()
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("judge: openssl s_server %s output:\n%s", strings.Join(args, " "), out.String())
				}
			})
			return true, ""
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("judge: openssl s_server did not accept on %s within 10s; output:\n%s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
