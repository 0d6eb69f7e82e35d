package judge

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// Keytool runs keytool with args, English messages and quick JVM flags, and
// returns its combined output. A non-zero exit is returned as an error holding
// that output. The child inherits the test's environment, so a test can hand
// over passwords with t.Setenv and "-storepass:env VAR" (also -srcstorepass,
// -deststorepass, -destkeypass, -keypass) instead of the command line.
func Keytool(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return keytool(t, nil, args...)
}

func keytool(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	full := append([]string{"-J-Duser.language=en", "-J-Duser.country=US",
		"-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1"}, args...)
	res, err := run(Require(t, "keytool"), append([]string{utf8Env}, env...), nil, full...)
	out := res.stdout + res.stderr
	if err != nil {
		return out, err
	}
	if res.exitCode != 0 {
		return out, fmt.Errorf("keytool %s: exit %d: %s", strings.Join(args, " "), res.exitCode, strings.TrimSpace(out))
	}
	return out, nil
}

// KeytoolList returns the aliases that "keytool -list -v" shows for file,
// sorted. The store password travels in the environment
// (-storepass:env UCCERT_JUDGE_PASS). The test fails when keytool does.
func KeytoolList(t testing.TB, file, storeType, pass string) []string {
	t.Helper()
	out, err := keytool(t, []string{PassEnv + "=" + pass},
		"-list", "-v", "-keystore", file, "-storetype", storeType, "-storepass:env", PassEnv)
	if err != nil {
		t.Fatalf("judge: %v", err)
	}
	aliases := []string{}
	for _, line := range strings.Split(out, "\n") {
		if a, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "Alias name: "); ok {
			aliases = append(aliases, a)
		}
	}
	sort.Strings(aliases)
	return aliases
}
