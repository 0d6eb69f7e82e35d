package krb5conf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: no panic (gokrb5's are recovered), only declared errors, and
// every finding well-formed with 1 ≤ Line ≤ number of lines + 1.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixturesDir, "*.conf"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		base,
		"[realms]\n R = {\n kdc = a\n x = {\n y = z\n }\n }\n",
		"[realms]\n R = { kdc = a }\n",
		"[realms]\n R =\n {\n kdc = a\n }\n",
		"[libdefaults]\n R = {\n a = b\n }\n forwardable = maybe\n",
		"\ufeff[libdefaults]\n default_realm = R # c\n",
		"includedir /x\n include /y\n[domain_realm]\n .a = {\n}\n",
		"[realms]\n R = {\n v4_x = y\n kdc = tcp/[::1]:88*\n }\n",
		"}\n{\n[\n[]\n=\n a b = c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, syntax, err := Parse(data)
		if file == nil {
			if !errors.Is(err, ErrTooLarge) || syntax != nil {
				t.Fatalf("no File: %v, %d findings", err, len(syntax))
			}
			return
		}
		assertSyntaxErr(t, syntax, err)
		all := append(syntax, Check(file, CheckOptions{Host: "fe1.uc.example.com"})...)
		assertWellFormed(t, file, all)
		for _, k := range KDCHosts(file) {
			if k.Line < 1 || k.Line > file.NumLines || k.Host == "" {
				t.Fatalf("KDC %+v", k)
			}
		}
		RealmForHost(file, "a.b.c")
	})
}
