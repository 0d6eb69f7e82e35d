package secret_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/uccert/uccert/pkg/secret"
)

func ExampleParseSource() {
	for _, opt := range []string{"pass:s3cr:et", "env:UCC_PASS", "file:/run/pw.txt", "stdin", "prompt"} {
		src, err := secret.ParseSource(opt)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(src.Kind, src) // pass:TEXT is masked
	}
	_, err := secret.ParseSource("pas:s3cret")
	fmt.Println(errors.Is(err, secret.ErrBadSource))
	fmt.Println(err)
	// Output:
	// pass pass:***
	// env env:UCC_PASS
	// file file:/run/pw.txt
	// stdin stdin
	// prompt prompt
	// true
	// invalid password source: unknown form (did you mean pass:TEXT?); valid forms are pass:TEXT, env:VAR, file:PATH, stdin and prompt
}

// A Resolver with injected environment, files and stdin, as in a test. A
// command builds one per run with os.Stdin and
// secret.TerminalPrompter(os.Stdin, stderr).
func ExampleResolver_Resolve() {
	r := &secret.Resolver{
		Getenv: func(name string) (string, bool) {
			if name == "UCC_PASS" {
				return "from-env", true
			}
			return "", false
		},
		ReadFile: func(path string) ([]byte, error) { return []byte("from-file\r\n"), nil },
		Stdin:    strings.NewReader("from-stdin\nsecond line\n"),
	}
	for _, opt := range []string{"pass:literal", "env:UCC_PASS", "file:pw.txt", "stdin", "stdin", "env:NOPE", "prompt"} {
		src, err := secret.ParseSource(opt)
		if err != nil {
			fmt.Println(err)
			continue
		}
		pw, err := r.Resolve(src, "password for fe1.pfx")
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("%s → %q\n", src, pw.Reveal())
	}
	// Output:
	// pass:*** → "literal"
	// env:UCC_PASS → "from-env"
	// file:pw.txt → "from-file"
	// stdin → "from-stdin"
	// error: password for fe1.pfx: stdin: only one password option may read stdin
	// error: password for fe1.pfx: env:NOPE: environment variable is not set
	// error: password for fe1.pfx: prompt: no terminal to prompt for a password
}

func ExamplePassword() {
	pw := secret.NewPassword("changeit")
	fmt.Println(pw)
	fmt.Printf("%v %+v %#v %s\n", pw, pw, pw, pw)
	fmt.Println(pw.Len(), pw.Reveal())
	// Output:
	// [redacted]
	// [redacted] [redacted] [redacted] [redacted]
	// 8 changeit
}

func ExampleCheckStorePassword() {
	for _, s := range []string{"12345", "123456", "äöüäö"} {
		fmt.Printf("%q: %v\n", s, secret.CheckStorePassword(secret.NewPassword(s)))
	}
	// Output:
	// "12345": store passwords must have at least 6 characters (keytool refuses shorter ones)
	// "123456": <nil>
	// "äöüäö": store passwords must have at least 6 characters (keytool refuses shorter ones)
}
