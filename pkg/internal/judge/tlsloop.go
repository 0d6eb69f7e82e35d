package judge

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Handshake is one handshake of a [TLSLoop].
type Handshake struct {
	// Start and End bound the connection: from before the TCP connect to
	// after the server's reply line (or the failure).
	Start, End time.Time
	// Serial is the server leaf's serial number, lowercase hex ("" on
	// failure).
	Serial string
	// Err is Java's reason when the handshake failed ("" when it worked).
	Err string
}

// TLSLoop is a JSSE client making mutual-TLS handshakes with one server,
// one after the other, each on a new connection without session
// resumption, so that each shows the certificate the server presents at
// that moment. Start it with [JVM.StartTLSLoop].
type TLSLoop struct {
	stdin  io.WriteCloser
	exited chan struct{}
	stderr *lockedBuffer

	mu     sync.Mutex
	seen   []Handshake
	done   bool
	broken string // an output line that could not be read
}

// StartTLSLoop starts the loop against addr with the SNI host name sni,
// the client certificate from keystore (key password = ksPass; PKIX
// KeyManager) and trust from truststore, with HTTPS endpoint
// identification, as [JVM.TLSClient] does for one handshake. The server
// must answer each connection with a line. The loop runs until
// [TLSLoop.Stop] or for at most max; the process is killed when the test
// ends.
func (j *JVM) StartTLSLoop(t testing.TB, addr, sni, keystore, ksType, ksPass, truststore, tsType, tsPass string, max time.Duration) *TLSLoop {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("judge: TLS loop address %q: %v", addr, err)
	}
	pw, env := passwords(ksPass, tsPass)
	seconds := strconv.Itoa(int(max.Seconds() + 1))
	cmd := j.command(context.Background(), env, "tls-loop", host, port, sni, keystore, ksType, pw[0], truststore, tsType, pw[1], seconds)
	l := &TLSLoop{exited: make(chan struct{}), stderr: &lockedBuffer{}}
	cmd.Stderr = l.stderr
	if l.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatalf("judge: TLS loop stdin: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("judge: TLS loop stdout: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("judge: starting the TLS loop: %v", err)
	}
	go func() {
		defer close(l.exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			l.add(sc.Text())
		}
		cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-l.exited
		if t.Failed() && l.stderr.String() != "" {
			t.Logf("judge: TLS loop stderr:\n%s", l.stderr.String())
		}
	})
	return l
}

// add records one output line of the loop.
func (l *TLSLoop) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if line == "done" {
		l.done = true
		return
	}
	f := strings.SplitN(line, " ", 4)
	if len(f) != 4 || f[0] != "ok" && f[0] != "fail" {
		l.broken = line
		return
	}
	start, err1 := strconv.ParseInt(f[1], 10, 64)
	end, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		l.broken = line
		return
	}
	h := Handshake{Start: time.UnixMilli(start), End: time.UnixMilli(end)}
	if f[0] == "ok" {
		h.Serial = f[3]
	} else {
		h.Err = f[3]
	}
	l.seen = append(l.seen, h)
}

// Seen returns the handshakes made so far, in order.
func (l *TLSLoop) Seen() []Handshake {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Handshake(nil), l.seen...)
}

// Stop ends the loop after its handshake in progress, waits for the
// process (at most the package timeout) and returns every handshake. The
// test fails when the loop did not end normally or printed a line it
// cannot read.
func (l *TLSLoop) Stop(t testing.TB) []Handshake {
	t.Helper()
	l.stdin.Close()
	select {
	case <-l.exited:
	case <-time.After(timeout):
		t.Fatalf("judge: the TLS loop did not stop within %v", timeout)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken != "" {
		t.Fatalf("judge: unexpected tls-loop line %q", l.broken)
	}
	if !l.done {
		t.Fatalf("judge: the TLS loop ended early; stderr:\n%s", l.stderr.String())
	}
	return append([]Handshake(nil), l.seen...)
}
