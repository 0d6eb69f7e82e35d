package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/secret"
)

// Serials of the two fe1 certificates the store alternates between
// (fixtures/README.md: pki/fe1.pem and pki/fe1-renewed.pem).
const (
	rotSerialOld = "2000"
	rotSerialNew = "2201"
	rotFE1       = "fe1.uc.example.com"
)

// rotInterval is the Watcher's interval in the rotation test: a good
// rotation must be served within two of them.
const rotInterval = time.Second

// handshake is one Go client handshake.
type handshake struct {
	start, end time.Time
	serial     string
	err        error
}

// rotation is one replacement of the cert store.
type rotation struct {
	what string
	// began and at are when the replacement began and was complete;
	// settled when the material it calls for was surely in use (OnReload
	// of a good rotation; the beginning of a bad one, which changes
	// nothing).
	began, at, settled time.Time
	good               bool
	// serial is what must be served after it: the new fe1 certificate
	// after a good rotation, the last good one after a bad one.
	serial string
}

// The daemon's certificate rotation under load (issue 12): a Go TLS
// server on connector.Watch's ServerConfig, a Go client (dialling with
// Watch's ClientConfig) and a Java (JSSE) client making mutual-TLS
// handshakes without pause, while `uccert merge --force` replaces the
// cert store 50 times, alternating between two fe1 certificates, with bad
// rotations among them (a wrong password, a store without a required
// Front End) and, besides, a store truncated in place. No handshake may
// fail; each good rotation is served within two intervals, the last good
// material after each bad one.
func TestRotationUnderLoad(t *testing.T) {
	jvm := judge.Java(t)
	exe := uccertHost(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "ucc.p12")
	trust := filepath.Join(dir, "trust.jks")
	copyFile(t, fixtures.Path("stores/truststore.jks"), trust)

	merge := func(outPass string, fe1 string, withFE2 bool) {
		t.Helper()
		in := []string{fixtures.Path("exports/ucc-openssl.pfx"), fixtures.Path("exports/" + fe1)}
		pass := []string{"ucc-export", map[string]string{"fe1-openssl.pfx": "fe1-export", "fe1-renewed.pfx": "fe1-renewed"}[fe1]}
		if withFE2 {
			in, pass = append(in, fixtures.Path("exports/fe2-legacy.pfx")), append(pass, "fe2-export")
		}
		args := []string{"merge", "--force", "-o", store, "--out-pass", "env:ROT_OUT"}
		env := []string{"ROT_OUT=" + outPass}
		for i, p := range pass {
			args = append(args, "--in-pass", fmt.Sprintf("env:ROT_IN%d", i))
			env = append(env, fmt.Sprintf("ROT_IN%d=%s", i, p))
		}
		runHost(t, exe, env, append(args, in...)...)
	}
	exportOf := map[string]string{rotSerialOld: "fe1-openssl.pfx", rotSerialNew: "fe1-renewed.pfx"}
	merge("changeit1", exportOf[rotSerialOld], true)

	var mu sync.Mutex
	var reloads, refusals []time.Time
	var refusedErrs []error
	args := &connector.Args{
		CertStore: connector.StoreArgs{File: store, Pass: secret.NewPassword("changeit1"), HasPass: true, Type: "pkcs12"},
		KeyStore:  connector.StoreArgs{File: trust, Pass: secret.NewPassword("trustpass1"), HasPass: true, Type: "jks"},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := connector.Watch(ctx, args, connector.WatchOptions{
		LoadOptions: connector.LoadOptions{Host: "ucc.uc.example.com", FEs: []string{rotFE1, "fe2.uc.example.com"}},
		Interval:    rotInterval,
		OnReload: func(*connector.Material) {
			mu.Lock()
			defer mu.Unlock()
			reloads = append(reloads, time.Now())
		},
		OnError: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			refusals = append(refusals, time.Now())
			refusedErrs = append(refusedErrs, err)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	counts := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return len(reloads), len(refusals)
	}

	// The server: a handshake on the Watcher's config, then a line.
	ln, err := tls.Listen("tcp", "127.0.0.1:0", w.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	var serverWG sync.WaitGroup
	var serverErrs []error
	serverWG.Add(1)
	go func() {
		defer serverWG.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			serverWG.Add(1)
			go func(c *tls.Conn) {
				defer serverWG.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(30 * time.Second))
				if err := c.Handshake(); err != nil {
					mu.Lock()
					serverErrs = append(serverErrs, err)
					mu.Unlock()
					return
				}
				fmt.Fprintf(c, "ok\n")
			}(conn.(*tls.Conn))
		}
	}()
	defer func() { ln.Close(); serverWG.Wait() }()
	addr := ln.Addr().String()

	// The Go client: a new connection and a full handshake each time,
	// with the client configuration of the moment.
	var goSeen []handshake
	goStop := make(chan struct{})
	goDone := make(chan struct{})
	go func() {
		defer close(goDone)
		for {
			select {
			case <-goStop:
				return
			default:
			}
			h := handshake{start: time.Now()}
			cfg := w.ClientConfig()
			cfg.ServerName = rotFE1
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 20 * time.Second}, "tcp", addr, cfg)
			if err == nil {
				c.SetDeadline(time.Now().Add(20 * time.Second))
				h.serial = c.ConnectionState().PeerCertificates[0].SerialNumber.Text(16)
				if _, err = bufio.NewReader(c).ReadString('\n'); err != nil {
					h.serial = ""
				}
				c.Close()
			}
			h.end, h.err = time.Now(), err
			mu.Lock()
			goSeen = append(goSeen, h)
			mu.Unlock()
		}
	}()
	goHandshakes := func() []handshake {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(goSeen)
	}

	java := jvm.StartTLSLoop(t, addr, rotFE1, fixtures.Path("stores/ucc.jks"), "JKS", "changeit1",
		fixtures.Path("stores/truststore.jks"), "JKS", "trustpass1", 5*time.Minute)

	// waitFor polls cond; reaching the patience is a failure.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				gs, js := goHandshakes(), java.Seen()
				t.Fatalf("waited 60 s for %s; %d Go handshakes (last: %+v), %d Java handshakes (last: %+v)", what, len(gs), lastOf(gs), len(js), lastOf(js))
			}
		}
	}
	// sawAfter waits until both clients made a handshake that started
	// after t0 and returns the serials those handshakes saw.
	sawAfter := func(t0 time.Time) (goSerial, javaSerial string) {
		t.Helper()
		waitFor("a Go and a Java handshake", func() bool {
			goSerial, javaSerial = "", ""
			for _, h := range goHandshakes() {
				if h.start.After(t0) && h.err == nil {
					goSerial = h.serial
					break
				}
			}
			for _, h := range java.Seen() {
				if !h.Start.Before(t0.Truncate(time.Millisecond).Add(time.Millisecond)) && h.Err == "" {
					javaSerial = h.Serial
					break
				}
			}
			return goSerial != "" && javaSerial != ""
		})
		return goSerial, javaSerial
	}
	g, j := sawAfter(time.Now())
	if g != rotSerialOld || j != rotSerialOld {
		t.Fatalf("before any rotation: Go saw %s, Java %s; want %s", g, j, rotSerialOld)
	}

	var rotations []rotation
	last := rotSerialOld
	for i := range 50 {
		r0, e0 := counts()
		r := rotation{began: time.Now()}
		switch {
		case i%5 == 2:
			r.what, r.serial = "wrong password", last
			merge("wrongpass1", exportOf[other(last)], true)
		case i%5 == 4:
			r.what, r.serial = "without fe2", last
			merge("changeit1", exportOf[other(last)], false)
		default:
			r.what, r.good, r.serial = "fe1 "+other(last), true, other(last)
			merge("changeit1", exportOf[other(last)], true)
		}
		r.at = time.Now()
		if r.good {
			waitFor("OnReload after "+r.what, func() bool { n, _ := counts(); return n > r0 })
			last = r.serial
			mu.Lock()
			r.settled = reloads[len(reloads)-1]
			mu.Unlock()
		} else {
			waitFor("OnError after "+r.what, func() bool { _, n := counts(); return n > e0 })
			r.settled = r.began
		}
		rotations = append(rotations, r)
		if i%10 == 6 {
			// A tool that writes in place leaves half a store: refused once
			// it has settled, the last good one kept.
			data, err := os.ReadFile(store)
			if err != nil {
				t.Fatal(err)
			}
			_, e1 := counts()
			began := time.Now()
			writeInPlace(t, store, data[:len(data)/2])
			rotations = append(rotations, rotation{what: "truncated in place", began: began, at: time.Now(), settled: began, serial: last})
			waitFor("OnError after a truncated store", func() bool { _, n := counts(); return n > e1 })
		}
		// Both clients see what must be served before the next rotation.
		if g, j := sawAfter(time.Now()); g != last || j != last {
			t.Fatalf("after rotation %d (%s): Go saw %s, Java %s; want %s", i, r.what, g, j, last)
		}
	}
	javaSeen := java.Stop(t)
	close(goStop)
	<-goDone

	// Every handshake worked, on both sides.
	goAll := goHandshakes()
	for _, h := range goAll {
		if h.err != nil || h.serial == "" {
			t.Errorf("Go handshake at %s failed: %v", h.start.Format(time.StampMilli), h.err)
		}
	}
	for _, h := range javaSeen {
		if h.Err != "" {
			t.Errorf("Java handshake at %s failed: %s", h.Start.Format(time.StampMilli), h.Err)
		}
	}
	mu.Lock()
	for _, err := range serverErrs {
		t.Errorf("server handshake failed: %v", err)
	}
	// The refusals say why: the findings of the checks.
	want := []finding.Check{preflight.CheckStoreWrongPassword, preflight.CheckFEIdentityMissing, preflight.CheckStoreUnreadable}
	for i, err := range refusedErrs {
		var failed *finding.Failed
		if !errors.As(err, &failed) || !slices.ContainsFunc(failed.Findings, func(f finding.Finding) bool { return slices.Contains(want, f.Check) }) {
			t.Errorf("refusal %d: %v", i, err)
		}
	}
	nReloads, nRefusals := len(reloads), len(refusals)
	mu.Unlock()
	good := 0
	for _, r := range rotations {
		if r.good {
			good++
		}
	}
	if nReloads != good || nRefusals != len(rotations)-good {
		t.Errorf("%d reloads and %d refusals for %d good and %d bad rotations", nReloads, nRefusals, good, len(rotations)-good)
	}
	if errors.Is(refusedErrs[0], keystore.ErrIncorrectPassword) == false {
		t.Errorf("the first refusal (a wrong password) is not keystore.ErrIncorrectPassword: %v", refusedErrs[0])
	}

	// Every handshake between the moment a rotation's material was surely
	// in use and the beginning of the next rotation saw what that rotation
	// must serve: the new certificate, or the last good one after a bad
	// rotation (from its very beginning).
	checked := 0
	for k, r := range rotations {
		from, until := r.settled, time.Now()
		if k+1 < len(rotations) {
			until = rotations[k+1].began
		}
		for _, h := range goAll {
			if h.start.After(from) && h.end.Before(until) {
				checked++
			}
			if h.start.After(from) && h.end.Before(until) && h.serial != r.serial {
				t.Errorf("Go handshake at %s saw %s, %v after %s; want %s", h.start.Format(time.StampMilli), h.serial, h.start.Sub(r.at), r.what, r.serial)
			}
		}
		for _, h := range javaSeen {
			if h.Start.After(from) && h.End.Before(until) {
				checked++
			}
			if h.Start.After(from) && h.End.Before(until) && h.Serial != r.serial {
				t.Errorf("Java handshake at %s saw %s, %v after %s; want %s", h.Start.Format(time.StampMilli), h.Serial, h.Start.Sub(r.at), r.what, r.serial)
			}
		}
	}
	if checked < len(rotations)*2 {
		t.Errorf("only %d handshakes fell between rotations", checked)
	}
	// And the new certificate came within two intervals: the first Go
	// handshake to see it started by then.
	var worst time.Duration
	for _, r := range rotations {
		if !r.good {
			continue
		}
		i := slices.IndexFunc(goAll, func(h handshake) bool { return h.start.After(r.at) && h.serial == r.serial })
		if i < 0 {
			t.Errorf("rotation to %s at %s never seen", r.serial, r.at.Format(time.StampMilli))
			continue
		}
		d := goAll[i].start.Sub(r.at)
		worst = max(worst, d)
		if d > 2*rotInterval {
			t.Errorf("rotation to %s served after %v (more than two intervals)", r.serial, d)
		}
	}
	t.Logf("%d rotations (%d good), %d Go and %d Java handshakes (%d checked between rotations), none failed; the new certificate served at most %v after a good rotation",
		len(rotations), good, len(goAll), len(javaSeen), checked, worst)
}

// lastOf returns the last element of s, or the zero value.
func lastOf[T any](s []T) T {
	var z T
	if len(s) == 0 {
		return z
	}
	return s[len(s)-1]
}

// other is the other fe1 serial.
func other(serial string) string {
	if serial == rotSerialOld {
		return rotSerialNew
	}
	return rotSerialOld
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeInPlace truncates path and writes data into the same file.
func writeInPlace(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
