package judge

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed StoreCheck.java
var storeCheckSource []byte

// javaRelease is the class file version StoreCheck is compiled for, so that any
// JDK from 17 on can run the cached classes.
const javaRelease = "17"

// jvmFlags make the short-lived JVMs start and finish quickly.
var jvmFlags = []string{"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"}

// JVM runs the compiled StoreCheck program (StoreCheck.java) with java.
type JVM struct {
	java     string // absolute path of java
	classDir string // directory holding StoreCheck.class
}

// compiled compiles StoreCheck once per test process (and once per source
// version across processes, thanks to the cache directory).
var compiled = sync.OnceValues(compileStoreCheck)

// Java returns a handle on the StoreCheck program, compiling it with javac on
// first use. It requires java and javac (see [Require]).
func Java(t testing.TB) *JVM {
	t.Helper()
	java := Require(t, "java")
	Require(t, "javac")
	dir, err := compiled()
	if err != nil {
		t.Fatalf("judge: compiling StoreCheck.java: %v", err)
	}
	return &JVM{java: java, classDir: dir}
}

// compileStoreCheck compiles the embedded source into
// UserCacheDir/uccert-judge/<sha256 of release and source> unless that
// directory exists already, and returns the directory. It compiles into a
// temporary sibling and renames it, so a concurrent test process never sees a
// half-written directory.
func compileStoreCheck() (string, error) {
	javac, err := lookTool("javac")
	if err != nil {
		return "", err
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	base = filepath.Join(base, "uccert-judge")
	sum := sha256.Sum256(append([]byte("javac --release "+javaRelease+"\n"), storeCheckSource...))
	final := filepath.Join(base, hex.EncodeToString(sum[:]))
	if _, err := os.Stat(filepath.Join(final, "StoreCheck.class")); err == nil {
		return final, nil
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(base, "tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // a no-op after a successful rename
	src := filepath.Join(tmp, "StoreCheck.java")
	if err := os.WriteFile(src, storeCheckSource, 0o644); err != nil {
		return "", err
	}
	res, err := run(javac, []string{utf8Env}, nil,
		"-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1",
		"--release", javaRelease, "-Xlint:all", "-encoding", "UTF-8", "-d", tmp, src)
	if err != nil {
		return "", err
	}
	if res.exitCode != 0 {
		return "", fmt.Errorf("javac exited with %d:\n%s%s", res.exitCode, res.stdout, res.stderr)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		// Another process may have won the race; its directory is as good.
		if _, statErr := os.Stat(filepath.Join(final, "StoreCheck.class")); statErr == nil {
			return final, nil
		}
		return "", err
	}
	return final, nil
}

// passwords turns passwords into StoreCheck arguments ("env:NAME") and the
// child environment entries holding them (hex of the UTF-8 bytes), so that no
// password is on the java command line and every password survives any locale.
func passwords(pass ...string) (args, env []string) {
	for i, p := range pass {
		name := "UCCERT_JUDGE_P" + strconv.Itoa(i)
		args = append(args, "env:"+name)
		env = append(env, name+"="+hex.EncodeToString([]byte(p)))
	}
	return args, env
}

func (j *JVM) command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	full := append(append([]string{}, jvmFlags...), "-cp", j.classDir, "StoreCheck")
	cmd := exec.CommandContext(ctx, j.java, append(full, args...)...)
	cmd.Env = append(append(os.Environ(), utf8Env), env...)
	return cmd
}

// run runs StoreCheck to completion within the package timeout.
func (j *JVM) run(t testing.TB, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := j.command(ctx, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String(), exitCode: cmd.ProcessState.ExitCode()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("judge: StoreCheck %s timed out after %v; stderr:\n%s", args[0], timeout, res.stderr)
	case err != nil && !errors.As(err, &exitErr), res.exitCode < 0:
		t.Fatalf("judge: StoreCheck %s: %v; stderr:\n%s", args[0], err, res.stderr)
	}
	return res
}

// StoreEntry is one alias of a keystore as Java sees it.
type StoreEntry struct {
	Alias string
	// Kind is "PrivateKeyEntry", "trustedCertEntry" or "SecretKeyEntry".
	Kind string
	// ChainLen is the length of the certificate chain (1 for a trusted entry).
	ChainLen int
	// SHA256 is the lowercase hex SHA-256 of the leaf certificate's DER.
	SHA256 string
	// KeyAlg is the leaf's public key algorithm: "RSA", "EC", ...
	KeyAlg string
	// Status is "ok", or for a key entry whose key Java could not recover or
	// use: "error:<exception class>:<message>" (for example
	// "error:java.security.UnrecoverableKeyException:Cannot recover key").
	// A key entry is "ok" only when the key, recovered with the key password,
	// signs data that the leaf certificate's public key verifies.
	Status string
}

// ListStore loads file with java.security.KeyStore of storeType ("JKS" or
// "PKCS12") and storePass, recovers every key with the same password, and
// returns the entries sorted by alias. Java's keystore.type.compat is off, so
// a PKCS#12 file does not load as JKS nor the reverse. The test fails when the
// store cannot be loaded; a key that cannot be recovered is reported in Status.
func (j *JVM) ListStore(t testing.TB, file, storeType, storePass string) []StoreEntry {
	t.Helper()
	args, env := passwords(storePass)
	return j.list(t, env, append([]string{"list", file, storeType}, args...)...)
}

// ListStoreKeyPass is [JVM.ListStore] with a key password that differs from
// the store password.
func (j *JVM) ListStoreKeyPass(t testing.TB, file, storeType, storePass, keyPass string) []StoreEntry {
	t.Helper()
	args, env := passwords(storePass, keyPass)
	return j.list(t, env, append([]string{"list", file, storeType}, args...)...)
}

func (j *JVM) list(t testing.TB, env []string, args ...string) []StoreEntry {
	t.Helper()
	res := j.run(t, env, args...)
	if res.exitCode != 0 {
		t.Fatalf("judge: Java cannot load %s as %s (exit %d):\n%s", args[1], args[2], res.exitCode, res.stderr)
	}
	var entries []StoreEntry
	for _, line := range strings.Split(strings.TrimRight(res.stdout, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			t.Fatalf("judge: unexpected StoreCheck line %q", line)
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatalf("judge: unexpected StoreCheck line %q", line)
		}
		entries = append(entries, StoreEntry{Alias: f[0], Kind: f[1], ChainLen: n, SHA256: f[3], KeyAlg: f[4], Status: f[5]})
	}
	return entries
}

// LoadError loads file as storeType with pass, expecting Java to refuse it, and
// returns Java's reason: "<file>: <exception class>:<message>; cause <class>:<message>".
// The test fails when the store loads.
func (j *JVM) LoadError(t testing.TB, file, storeType, pass string) string {
	t.Helper()
	args, env := passwords(pass)
	res := j.run(t, env, append([]string{"list", file, storeType}, args...)...)
	switch res.exitCode {
	case 0:
		t.Fatalf("judge: Java loaded %s as %s, expected a load error", file, storeType)
	case 2:
		return strings.TrimPrefix(strings.TrimSpace(res.stderr), "load-error:")
	default:
		t.Fatalf("judge: StoreCheck list %s exited with %d:\n%s", file, res.exitCode, res.stderr)
	}
	return ""
}

// lockedBuffer collects a running process's stderr for later reporting.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartTLSServer starts a JSSE server on 127.0.0.1 that presents the key
// entries of keystore (key password = ksPass) through the PKIX KeyManager, so
// the certificate is chosen by key type and SNI, and requires a client
// certificate trusted by truststore. TLS 1.3 and 1.2 are enabled. Each
// connection gets the reply "server-saw-client:<sha256 of the client leaf>".
// The server serves at most 50 connections and is killed when the test ends.
// It returns the address "127.0.0.1:PORT".
func (j *JVM) StartTLSServer(t testing.TB, keystore, ksType, ksPass, truststore, tsType, tsPass string) (addr string) {
	t.Helper()
	portFile := filepath.Join(t.TempDir(), "port")
	pw, env := passwords(ksPass, tsPass)
	cmd := j.command(context.Background(), env, "tls-server",
		keystore, ksType, pw[0], truststore, tsType, pw[1], portFile)
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("judge: starting the TLS server: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() && stderr.String() != "" {
			t.Logf("judge: TLS server stderr:\n%s", stderr.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, err := os.ReadFile(portFile)
		if err == nil {
			port := strings.TrimSpace(string(data))
			if _, err := strconv.Atoi(port); err != nil {
				t.Fatalf("judge: TLS server wrote port %q", port)
			}
			return net.JoinHostPort("127.0.0.1", port)
		}
		select {
		case <-exited:
			t.Fatalf("judge: TLS server exited before listening (exit %d):\n%s", cmd.ProcessState.ExitCode(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("judge: TLS server did not listen within 30s; stderr:\n%s", stderr.String())
		}
	}
}

// TLSClient connects a JSSE client to addr with the SNI host name sni, the
// client certificate from keystore (key password = ksPass; PKIX KeyManager)
// and trust from truststore, with HTTPS endpoint identification (the server's
// certificate must match sni). It returns the SHA-256 (lowercase hex) of the
// server's leaf certificate and the server's reply line. A failed handshake is
// returned as an error holding Java's reason
// ("handshake-error:<class>:<message>; cause ...", ending in
// "; server presented <sha256>" when the server's certificate arrived but was
// refused, e.g. the wrong entry chosen for sni); anything else fails the test.
func (j *JVM) TLSClient(t testing.TB, addr, sni, keystore, ksType, ksPass, truststore, tsType, tsPass string) (serverSHA256 string, reply string, err error) {
	t.Helper()
	host, port, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		t.Fatalf("judge: TLSClient address %q: %v", addr, splitErr)
	}
	pw, env := passwords(ksPass, tsPass)
	res := j.run(t, env, "tls-client", host, port, sni, keystore, ksType, pw[0], truststore, tsType, pw[1])
	out := strings.TrimSpace(res.stdout)
	switch res.exitCode {
	case 0:
		lines := strings.Split(out, "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "server-cert:") {
			t.Fatalf("judge: unexpected tls-client output:\n%s", res.stdout)
		}
		return strings.TrimPrefix(lines[0], "server-cert:"), lines[1], nil
	case 3:
		return "", "", errors.New(out)
	default:
		t.Fatalf("judge: tls-client exited with %d:\n%s%s", res.exitCode, res.stdout, res.stderr)
	}
	return "", "", nil
}

// Served is what a JSSE server presented in one handshake ([JVM.Served]).
type Served struct {
	// KeyManager is the KeyManagerFactory algorithm the server used (the
	// JDK's default resolved: KeyManagerFactory.getDefaultAlgorithm()).
	KeyManager string
	// Alias is the key entry of the store whose certificate was presented
	// ("-" when none matches).
	Alias string
	// SHA256 is the lowercase hex SHA-256 of the presented leaf.
	SHA256 string
}

// Served runs one TLS handshake inside a JVM between a JSSE server that
// holds the key entries of file (key password = storePass) behind the key
// manager keyManager ("PKIX", "SunX509", or "default" for the JDK's
// KeyManagerFactory.getDefaultAlgorithm()) and a client that sends the SNI
// host name sni and trusts any certificate, so that the server's choice is
// seen even when it presents an expired certificate. TLS 1.3 and 1.2 are
// enabled (1.3 is negotiated). The test fails when Java cannot load the
// store or the handshake fails.
func (j *JVM) Served(t testing.TB, file, storeType, storePass, keyManager, sni string) Served {
	t.Helper()
	args, env := passwords(storePass)
	res := j.run(t, env, "served", file, storeType, args[0], keyManager, sni)
	if res.exitCode != 0 {
		t.Fatalf("judge: StoreCheck served %s (%s, SNI %s) exited with %d:\n%s%s", file, keyManager, sni, res.exitCode, res.stdout, res.stderr)
	}
	var s Served
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		switch {
		case strings.HasPrefix(line, "kmf:"):
			s.KeyManager = strings.TrimPrefix(line, "kmf:")
		case strings.HasPrefix(line, "served:"):
			alias, sha, ok := strings.Cut(strings.TrimPrefix(line, "served:"), "\t")
			if !ok {
				t.Fatalf("judge: unexpected StoreCheck served line %q", line)
			}
			s.Alias, s.SHA256 = alias, sha
		}
	}
	if s.KeyManager == "" || s.SHA256 == "" {
		t.Fatalf("judge: unexpected StoreCheck served output:\n%s", res.stdout)
	}
	return s
}
