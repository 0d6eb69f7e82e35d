package judge

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// OpenSSL runs openssl with args and stdin (nil for none) and returns its
// stdout. A non-zero exit is returned as an error holding openssl's stderr.
// The child inherits the test's environment, so a test can hand over
// passwords with t.Setenv and "-passin env:VAR" instead of the command line.
func OpenSSL(t testing.TB, stdin []byte, args ...string) (stdout string, err error) {
	t.Helper()
	return openssl(t, nil, stdin, args...)
}

func openssl(t testing.TB, env []string, stdin []byte, args ...string) (string, error) {
	t.Helper()
	res, err := run(Require(t, "openssl"), env, stdin, args...)
	if err != nil {
		return res.stdout, err
	}
	if res.exitCode != 0 {
		return res.stdout, fmt.Errorf("openssl %s: exit %d: %s", strings.Join(args, " "), res.exitCode, strings.TrimSpace(res.stderr))
	}
	return res.stdout, nil
}

// OpenSSLPKCS12Algorithms returns what "openssl pkcs12 -info -noout
// -legacy" says about a PKCS#12 file's protection: the MAC ("MAC: sha1,
// Iteration 2048") and each safe's and key bag's encryption, one per line
// (OpenSSL prints them on standard error).
func OpenSSLPKCS12Algorithms(t testing.TB, file, pass string) (string, error) {
	t.Helper()
	args := []string{"pkcs12", "-in", file, "-info", "-noout", "-legacy", "-passin", "env:" + PassEnv}
	res, err := run(Require(t, "openssl"), []string{PassEnv + "=" + pass}, nil, args...)
	if err == nil && res.exitCode != 0 {
		err = fmt.Errorf("openssl %s: exit %d: %s", strings.Join(args, " "), res.exitCode, strings.TrimSpace(res.stderr))
	}
	return res.stderr, err
}

// OpenSSLPKCS12Info reads the PKCS#12 file with "openssl pkcs12 -info -nodes"
// (plus -legacy when legacy is set, needed for RC2-40 or DES bags under
// OpenSSL 3) and counts the private keys and certificates it prints. The
// password travels in the environment (-passin env:UCCERT_JUDGE_PASS).
func OpenSSLPKCS12Info(t testing.TB, file, pass string, legacy bool) (keys, certs int, err error) {
	t.Helper()
	args := []string{"pkcs12", "-in", file, "-info", "-nodes", "-passin", "env:" + PassEnv}
	if legacy {
		args = append(args, "-legacy")
	}
	out, err := openssl(t, []string{PassEnv + "=" + pass}, nil, args...)
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "-----BEGIN CERTIFICATE-----":
			certs++
		case strings.HasPrefix(line, "-----BEGIN ") && strings.HasSuffix(line, "PRIVATE KEY-----"):
			keys++
		}
	}
	return keys, certs, nil
}

// OpenSSLSignCSR has a CA sign the PKCS#10 request in csrFile the way an
// OpenSSL CA does: "openssl x509 -req -copy_extensions copy" with the CA's
// certificate and key (PEM files), SHA-256, a random serial, valid for
// days from now. copy_extensions takes the extensions the request asks for
// (subject alternative names, key usage, extended key usage) into the
// certificate; openssl checks the request's signature first. It returns
// the certificate in PEM; a non-zero exit is an error holding openssl's
// stderr.
func OpenSSLSignCSR(t testing.TB, csrFile, caCertFile, caKeyFile string, days int) (string, error) {
	t.Helper()
	serial := make([]byte, 12)
	if _, err := rand.Read(serial); err != nil {
		return "", err
	}
	serial[0] &= 0x7f
	return openssl(t, nil, nil, "x509", "-req", "-in", csrFile, "-CA", caCertFile, "-CAkey", caKeyFile,
		"-copy_extensions", "copy", "-sha256", "-days", strconv.Itoa(days), "-set_serial", "0x"+hex.EncodeToString(serial))
}
