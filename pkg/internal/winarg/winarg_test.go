package winarg_test

import (
	"testing"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/internal/winarg"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		``:                              `""`,
		`C:\Program Files\GCTI\ucc.p12`: `"C:\Program Files\GCTI\ucc.p12"`,
		`C:\my certs\`:                  `"C:\my certs\\"`,
		`C:\certs\ x`:                   `"C:\certs\ x"`,
		`pa"ss`:                         `"pa\"ss"`,
		`a\"b c`:                        `"a\\\"b c"`,
		`\\server\share\`:               `"\\server\share\\"`,
		`""`:                            `"\"\""`,
		`ΟΔΟΣ 50%&^`:                    `"ΟΔΟΣ 50%&^"`,
	} {
		got := winarg.Quote(in)
		if got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		// The C runtime's splitting, as the connector package reads it
		// (pkg/internal/e2e's TestWineQuoting has Windows itself read it).
		back, _, err := connector.ParseCommandLine("-x " + got)
		if err != nil || len(back.Other) != 2 || back.Other[1] != in {
			t.Errorf("ParseCommandLine(-x %s) = %+v, %v; want %q", got, back, err, in)
		}
	}
}
