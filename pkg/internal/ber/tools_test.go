package ber

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// needTool returns the path of a command-line tool (judge.Require: fatal
// in CI, a loud skip elsewhere). required is kept for the call sites: every
// tool the tests name is installed by .ci/install-deps.
func needTool(t *testing.T, name string, required bool) string {
	t.Helper()
	return judge.Require(t, name)
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// TestOpenSSLStreamedCMS converts the BER that "openssl cms -sign -stream"
// writes (indefinite lengths, chunked eContent) and checks that OpenSSL
// still verifies the signature on our DER.
func TestOpenSSLStreamedCMS(t *testing.T) {
	openssl := needTool(t, "openssl", true)
	dir := t.TempDir()
	msg := bytes.Repeat([]byte("uccert streamed content\n"), 3000) // > 64 KiB: several chunks
	if err := os.WriteFile(filepath.Join(dir, "msg"), msg, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, dir, openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=ber test", "-days", "1")
	run(t, dir, openssl, "cms", "-sign", "-stream", "-nodetach", "-binary", "-in", "msg",
		"-signer", "cert.pem", "-inkey", "key.pem", "-outform", "DER", "-out", "signed.ber")
	in, err := os.ReadFile(filepath.Join(dir, "signed.ber"))
	if err != nil {
		t.Fatal(err)
	}
	if IsDER(in) {
		t.Fatalf("openssl cms -stream wrote DER; the test needs BER")
	}
	der := checkRealBER(t, in)
	if err := os.WriteFile(filepath.Join(dir, "signed.der"), der, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, dir, openssl, "cms", "-verify", "-inform", "DER", "-in", "signed.der",
		"-CAfile", "cert.pem", "-binary", "-out", "verified")
	got, err := os.ReadFile(filepath.Join(dir, "verified"))
	if err != nil || !bytes.Equal(got, msg) {
		t.Errorf("content after verification differs (%d bytes, %v)", len(got), err)
	}
}

// TestNSSPk12util converts a PKCS#12 file made on the spot by NSS
// pk12util, when NSS tools are installed (the committed fixture
// fe3-nss.p12 covers machines without them).
func TestNSSPk12util(t *testing.T) {
	certutil := needTool(t, "certutil", false)
	pk12util := needTool(t, "pk12util", false)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "noise"), bytes.Repeat([]byte("noise"), 20), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	run(t, dir, certutil, "-N", "-d", "sql:db", "--empty-password")
	run(t, dir, certutil, "-S", "-s", "CN=nss ber test", "-n", "fe", "-x", "-t", "CT,,",
		"-k", "ec", "-q", "nistp256", "-d", "sql:db", "-z", "noise", "-v", "1")
	run(t, dir, pk12util, "-o", "nss.p12", "-n", "fe", "-d", "sql:db", "-W", "secret")
	in, err := os.ReadFile(filepath.Join(dir, "nss.p12"))
	if err != nil {
		t.Fatal(err)
	}
	if IsDER(in) {
		t.Fatalf("pk12util wrote DER; the test needs BER")
	}
	checkRealBER(t, in)
}

func TestJoinOctetStrings(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"empty", "", "", nil},
		{"two", "04 01 aa 04 02 bb cc", "aa bb cc", nil},
		{"empty segment", "04 00 04 01 aa", "aa", nil},
		{"not an OCTET STRING", "02 01 05", "", ErrMalformed},
		{"constructed", "24 03 04 01 aa", "", ErrMalformed},
		{"not DER", "04 81 01 aa", "", ErrMalformed},
		{"truncated", "04 05 aa", "", ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JoinOctetStrings(h(t, tt.in))
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && !bytes.Equal(got, h(t, tt.want)) {
				t.Errorf("got %x, want %s", got, tt.want)
			}
		})
	}
}
