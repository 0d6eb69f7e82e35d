package finding

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 entries"}, {1, "1 entry"}, {2, "2 entries"}, {-1, "-1 entries"}} {
		if got := Count(c.n, "entry", "entries"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestCommandArg(t *testing.T) {
	for _, c := range []struct{ goos, in, want string }{
		{"linux", "/srv/ucc/ucc-keys.jks", "/srv/ucc/ucc-keys.jks"},
		{"linux", "ucc.jks", "ucc.jks"},
		{"linux", "", "''"},
		{"linux", "/srv/my stores/k.jks", "'/srv/my stores/k.jks'"},
		{"linux", "it's.jks", `'it'\''s.jks'`},
		{"linux", `a"b.jks`, `'a"b.jks'`},
		{"linux", "$HOME/k.jks", "'$HOME/k.jks'"},
		{"linux", "a\x1bb.jks", "'a\x1bb.jks'"},
		{"linux", `C:\certs\k.jks`, `'C:\certs\k.jks'`},
		{"linux", "fe1 renewed", "'fe1 renewed'"},
		{"windows", `C:\GCTI\UCC\keys.jks`, `C:\GCTI\UCC\keys.jks`},
		{"windows", `C:\Program Files\UCC\keys.jks`, `"C:\Program Files\UCC\keys.jks"`},
		{"windows", `fe1 "renewed"`, `"fe1 \"renewed\""`},
		{"windows", `C:\my certs\`, `"C:\my certs\\"`},
		{"windows", `a\"b c`, `"a\\\"b c"`},
		{"windows", "", `""`},
	} {
		if got := commandArg(c.goos, c.in); got != c.want {
			t.Errorf("%s: commandArg(%q) = %s, want %s", c.goos, c.in, got, c.want)
		}
	}
}
