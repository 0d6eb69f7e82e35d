package judge

import (
	"crypto/rand"
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

// KDCRealm is the realm of every KDC started by [StartKDC].
const KDCRealm = "UC.EXAMPLE.COM"

// kdcStartTimeout bounds the wait for a started krb5kdc to accept connections.
const kdcStartTimeout = 10 * time.Second

// KDC is a private MIT Kerberos KDC (krb5kdc) for one test: its own database,
// configuration and loopback port in a temporary directory, killed when the
// test ends. Start one with [StartKDC].
type KDC struct {
	// Realm is the KDC's realm (KDCRealm).
	Realm string
	// Port is the loopback port the KDC listens on, for UDP and TCP.
	Port int
	// Dir is the temporary directory holding the database and configuration.
	Dir string

	kadmin  string   // absolute path of kadmin.local
	env     []string // KRB5_KDC_PROFILE and KRB5_CONFIG, for the children only
	logFile string

	cmd      *exec.Cmd
	exited   chan struct{} // closed when krb5kdc has exited
	stopOnce sync.Once
}

// StartKDC creates a realm database in a temporary directory, starts krb5kdc
// in the foreground on a free loopback port and waits until it accepts
// connections. It requires krb5kdc, kdb5_util and kadmin.local (see
// [Require]). The KDC is killed when the test ends; on failure the test log
// shows the KDC's log.
func StartKDC(t testing.TB) *KDC {
	t.Helper()
	krb5kdc := Require(t, "krb5kdc")
	kdb5util := Require(t, "kdb5_util")
	kadmin := Require(t, "kadmin.local")

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		k, err := startKDC(t, krb5kdc, kdb5util, kadmin)
		if err == nil {
			return k
		}
		// The free port may have been taken between probing and binding.
		lastErr = err
	}
	t.Fatalf("judge: starting krb5kdc: %v", lastErr)
	return nil
}

func startKDC(t testing.TB, krb5kdc, kdb5util, kadmin string) (*KDC, error) {
	dir := t.TempDir()
	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	k := &KDC{
		Realm:   KDCRealm,
		Port:    port,
		Dir:     dir,
		kadmin:  kadmin,
		logFile: filepath.Join(dir, "kdc.log"),
		exited:  make(chan struct{}),
	}
	kdcConf := filepath.Join(dir, "kdc.conf")
	krb5Conf := filepath.Join(dir, "kdc-krb5.conf")
	k.env = []string{"KRB5_KDC_PROFILE=" + kdcConf, "KRB5_CONFIG=" + krb5Conf}

	files := map[string]string{
		kdcConf: fmt.Sprintf(`[kdcdefaults]
	kdc_listen = 127.0.0.1:%[1]d
	kdc_tcp_listen = 127.0.0.1:%[1]d

[realms]
	%[2]s = {
		database_name = %[3]s
		key_stash_file = %[4]s
		acl_file = %[5]s
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
		max_life = 10h
	}
`, port, k.Realm, filepath.Join(dir, "principal"), filepath.Join(dir, "stash"), filepath.Join(dir, "kadm5.acl")),
		krb5Conf: fmt.Sprintf(`[libdefaults]
	default_realm = %[1]s
	dns_lookup_kdc = false
	dns_lookup_realm = false

[realms]
	%[1]s = {
		kdc = 127.0.0.1:%[2]d
	}

[logging]
	kdc = FILE:%[3]s
	admin_server = FILE:%[4]s
	default = FILE:%[4]s
`, k.Realm, port, k.logFile, filepath.Join(dir, "kadmin.log")),
		filepath.Join(dir, "kadm5.acl"): "",
	}
	for name, content := range files {
		if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
			return nil, err
		}
	}

	// The master password goes through stdin (kdb5_util prompts twice), not argv.
	master := randomSecret()
	res, err := run(kdb5util, k.env, []byte(master+"\n"+master+"\n"), "create", "-s", "-r", k.Realm)
	if err != nil {
		return nil, err
	}
	if res.exitCode != 0 {
		return nil, fmt.Errorf("kdb5_util create: exit %d: %s%s", res.exitCode, res.stdout, res.stderr)
	}

	k.cmd = exec.Command(krb5kdc, "-n", "-r", k.Realm)
	k.cmd.Env = append(os.Environ(), k.env...)
	stderr, err := os.Create(filepath.Join(dir, "krb5kdc.stderr"))
	if err != nil {
		return nil, err
	}
	k.cmd.Stdout, k.cmd.Stderr = stderr, stderr
	if err := k.cmd.Start(); err != nil {
		stderr.Close()
		return nil, err
	}
	go func() {
		_ = k.cmd.Wait()
		stderr.Close()
		close(k.exited)
	}()
	t.Cleanup(func() {
		k.stop()
		if t.Failed() {
			t.Logf("judge: krb5kdc log:\n%s", k.log())
		}
	})

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(kdcStartTimeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return k, nil
		}
		select {
		case <-k.exited:
			return nil, fmt.Errorf("krb5kdc exited before listening on %s:\n%s", addr, k.log())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			k.stop()
			return nil, fmt.Errorf("krb5kdc does not accept connections on %s after %v:\n%s", addr, kdcStartTimeout, k.log())
		}
	}
}

// freeLoopbackPort returns a port that is free on 127.0.0.1 for both TCP and
// UDP at the time of the call.
func freeLoopbackPort() (int, error) {
	var errs []error
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		l.Close()
		if err == nil {
			pc.Close()
			return port, nil
		}
		errs = append(errs, err)
	}
	return 0, fmt.Errorf("no port free for both TCP and UDP on 127.0.0.1: %w", errors.Join(errs...))
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// log returns what krb5kdc wrote to its log file and stderr.
func (k *KDC) log() string {
	var sb strings.Builder
	for _, name := range []string{k.logFile, filepath.Join(k.Dir, "krb5kdc.stderr")} {
		if b, err := os.ReadFile(name); err == nil {
			sb.Write(b)
		}
	}
	return sb.String()
}

// Addr is the KDC's address, "127.0.0.1:PORT".
func (k *KDC) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(k.Port))
}

// AddPrincipal adds name (without realm) with password; pre-authentication
// is required, as Active Directory does, so a wrong password yields
// KDC_ERR_PREAUTH_FAILED. The password goes to kadmin.local through stdin.
func (k *KDC) AddPrincipal(t testing.TB, name, password string) {
	t.Helper()
	k.addPrincipal(t, name, password, "+requires_preauth")
}

// AddPrincipalNoPreauth adds name with password without requiring
// pre-authentication: the KDC answers any AS request with an AS-REP, and a
// wrong password shows as an AS-REP that the client cannot decrypt.
func (k *KDC) AddPrincipalNoPreauth(t testing.TB, name, password string) {
	t.Helper()
	k.addPrincipal(t, name, password, "-requires_preauth")
}

func (k *KDC) addPrincipal(t testing.TB, name, password, flag string) {
	t.Helper()
	if name == "" || strings.ContainsAny(name, " \t\r\n\"'\\@") {
		t.Fatalf("judge: principal name %q must be a plain name without realm", name)
	}
	if strings.ContainsAny(password, "\r\n") {
		t.Fatalf("judge: a principal's password cannot contain a line break")
	}
	// kadmin.local prompts for the password twice and reads it from stdin.
	res, err := run(k.kadmin, k.env, []byte(password+"\n"+password+"\n"),
		"-r", k.Realm, "-q", "addprinc "+flag+" "+name)
	if err != nil {
		t.Fatalf("judge: kadmin.local addprinc %s: %v", name, err)
	}
	if res.exitCode != 0 || !strings.Contains(res.stdout, "created") {
		t.Fatalf("judge: kadmin.local addprinc %s: exit %d:\n%s%s", name, res.exitCode, res.stdout, res.stderr)
	}
}

// Stop kills the KDC and waits until it has exited, for tests of an
// unreachable KDC. Stopping twice is harmless.
func (k *KDC) Stop(t testing.TB) {
	t.Helper()
	k.stop()
}

func (k *KDC) stop() {
	k.stopOnce.Do(func() {
		if k.cmd != nil && k.cmd.Process != nil {
			_ = k.cmd.Process.Kill()
			<-k.exited
		}
	})
}

// Krb5Conf writes a client krb5.conf for this KDC (default realm, the KDC on
// 127.0.0.1:PORT over TCP, no DNS lookups, [domain_realm] .uc.example.com)
// and returns its path. The ticket and permitted enctypes are enctypes, or
// aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96 when none are given.
// Each call writes a new file.
func (k *KDC) Krb5Conf(t testing.TB, enctypes ...string) string {
	t.Helper()
	if len(enctypes) == 0 {
		enctypes = []string{"aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"}
	}
	et := strings.Join(enctypes, " ")
	content := fmt.Sprintf(`[libdefaults]
	default_realm = %[1]s
	dns_lookup_kdc = false
	dns_lookup_realm = false
	udp_preference_limit = 1
	default_tkt_enctypes = %[3]s
	default_tgs_enctypes = %[3]s
	permitted_enctypes = %[3]s

[realms]
	%[1]s = {
		kdc = 127.0.0.1:%[2]d
	}

[domain_realm]
	.uc.example.com = %[1]s
	uc.example.com = %[1]s
`, k.Realm, k.Port, et)
	f, err := os.CreateTemp(k.Dir, "krb5-*.conf")
	if err != nil {
		t.Fatalf("judge: %v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatalf("judge: writing %s: %v", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("judge: writing %s: %v", f.Name(), err)
	}
	return f.Name()
}
