package judge

import (
	"fmt"
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
