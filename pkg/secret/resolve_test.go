package secret

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// fakePrompter records the labels it was asked for.
type fakePrompter struct {
	answer string
	err    error
	labels []string
}

func (f *fakePrompter) Prompt(label string) (string, error) {
	f.labels = append(f.labels, label)
	return f.answer, f.err
}

func fakeEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func fakeFiles(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		v, ok := m[p]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		}
		return []byte(v), nil
	}
}

const label = "password for fe1.pfx"

func TestResolve(t *testing.T) {
	big := strings.Repeat(distinctive, MaxFileSize/len(distinctive)+1)
	exact := strings.Repeat("a", MaxFileSize-1) + "\n"
	env := map[string]string{
		"UCC_PASS":  distinctive,
		"UCC_EMPTY": "",
		"UCC_SPACE": "  sp ace \n",
		"UCC_BAD":   "x\xff" + distinctive,
	}
	files := map[string]string{
		"lf":         distinctive + "\nsecond line\n",
		"crlf":       distinctive + "\r\nsecond line\r\n",
		"cr":         distinctive + "\rsecond line\r",
		"nonl":       distinctive,
		"only-nl":    "\n",
		"empty":      "",
		"bom":        "\xef\xbb\xbf" + distinctive + "\n",
		"utf16":      "\xff\xfeZ\x00q\x00",
		"latin1":     "caf\xe9" + distinctive + "\n",
		"big":        big,
		"exact":      exact,
		"nfd":        "Cafe\u0301\n",
		"spaces":     "  two  \r\n",
		"C:\\pw.txt": "win\r\n",
	}
	tests := []struct {
		name    string
		src     string
		stdin   io.Reader
		want    string
		wantErr error
		inMsg   string // substring the error message must contain
	}{
		{name: "pass", src: "pass:" + distinctive, want: distinctive},
		{name: "pass empty", src: "pass:", want: ""},
		{name: "pass colons", src: "pass:a:b:c", want: "a:b:c"},
		{name: "pass nfd kept", src: "pass:Cafe\u0301", want: "Cafe\u0301"},
		{name: "pass nfc kept", src: "pass:Café", want: "Café"},
		{name: "pass invalid utf8", src: "pass:\xff" + distinctive, wantErr: ErrInvalidUTF8, inMsg: "pass:***"},

		{name: "env", src: "env:UCC_PASS", want: distinctive},
		{name: "env empty", src: "env:UCC_EMPTY", want: ""},
		{name: "env kept exactly", src: "env:UCC_SPACE", want: "  sp ace \n"},
		{name: "env unset", src: "env:UCC_NOPE", wantErr: ErrEnvUnset, inMsg: "password for fe1.pfx: env:UCC_NOPE: environment variable is not set"},
		{name: "env invalid utf8", src: "env:UCC_BAD", wantErr: ErrInvalidUTF8, inMsg: "env:UCC_BAD"},

		{name: "file lf", src: "file:lf", want: distinctive},
		{name: "file crlf", src: "file:crlf", want: distinctive},
		{name: "file cr", src: "file:cr", want: distinctive},
		{name: "file no newline", src: "file:nonl", want: distinctive},
		{name: "file only newline", src: "file:only-nl", want: ""},
		{name: "file bom", src: "file:bom", want: distinctive},
		{name: "file nfd kept", src: "file:nfd", want: "Cafe\u0301"},
		{name: "file spaces kept", src: "file:spaces", want: "  two  "},
		{name: "file windows path", src: `file:C:\pw.txt`, want: "win"},
		{name: "file exactly 64 KiB", src: "file:exact", want: exact[:len(exact)-1]},
		{name: "file empty", src: "file:empty", wantErr: ErrFileEmpty, inMsg: "file:empty: password file is empty"},
		{name: "file missing", src: "file:nope", wantErr: fs.ErrNotExist, inMsg: "password for fe1.pfx: file:nope: cannot read password file: file does not exist"},
		{name: "file too large", src: "file:big", wantErr: ErrFile, inMsg: "larger than 64 KiB"},
		{name: "file utf16", src: "file:utf16", wantErr: ErrFile, inMsg: "UTF-16"},
		{name: "file latin1", src: "file:latin1", wantErr: ErrInvalidUTF8, inMsg: "file:latin1: password is not valid UTF-8"},

		{name: "stdin", src: "stdin", stdin: strings.NewReader(distinctive + "\nrest\n"), want: distinctive},
		{name: "stdin crlf", src: "stdin", stdin: strings.NewReader(distinctive + "\r\nrest"), want: distinctive},
		{name: "stdin no newline", src: "stdin", stdin: strings.NewReader(distinctive), want: distinctive},
		{name: "stdin one byte reads", src: "stdin", stdin: iotest.OneByteReader(strings.NewReader("ab\n")), want: "ab"},
		{name: "stdin data with EOF", src: "stdin", stdin: iotest.DataErrReader(strings.NewReader("ab")), want: "ab"},
		{name: "stdin empty line", src: "stdin", stdin: strings.NewReader("\n"), want: ""},
		{name: "stdin empty", src: "stdin", stdin: strings.NewReader(""), wantErr: ErrStdin, inMsg: "stdin: cannot read password from standard input: no input"},
		{name: "stdin error", src: "stdin", stdin: iotest.ErrReader(errors.New("boom")), wantErr: ErrStdin, inMsg: "boom"},
		{name: "stdin too long", src: "stdin", stdin: strings.NewReader(big), wantErr: ErrStdin, inMsg: "longer than 64 KiB"},
		{name: "stdin nil", src: "stdin", wantErr: ErrNoStdin, inMsg: "password for fe1.pfx: stdin: no standard input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := ParseSource(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			r := &Resolver{Getenv: fakeEnv(env), ReadFile: fakeFiles(files), Stdin: tt.stdin}
			p, err := r.Resolve(src, label)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Resolve = %v, want %v", err, tt.wantErr)
				}
				checkNoLeak(t, err)
				if !strings.Contains(err.Error(), tt.inMsg) {
					t.Errorf("message %q lacks %q", err, tt.inMsg)
				}
				if p.Reveal() != "" {
					t.Errorf("password returned with error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if p.Reveal() != tt.want {
				t.Fatalf("Resolve = %q, want %q", p.Reveal(), tt.want)
			}
		})
	}
}

func checkNoLeak(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); strings.Contains(msg, "SECRET") {
		t.Errorf("error message leaks the secret: %q", msg)
	}
}

func TestResolveStdinUsedTwice(t *testing.T) {
	in := strings.NewReader("first\nsecond\n")
	r := &Resolver{Stdin: in}
	p, err := r.Resolve(Source{Kind: KindStdin}, "password for a.pfx")
	if err != nil || p.Reveal() != "first" {
		t.Fatalf("first Resolve = %q, %v", p.Reveal(), err)
	}
	// Only the first line was consumed.
	if rest, _ := io.ReadAll(in); string(rest) != "second\n" {
		t.Errorf("stdin left %q, want %q", rest, "second\n")
	}
	_, err = r.Resolve(Source{Kind: KindStdin}, "password for b.pfx")
	if !errors.Is(err, ErrStdinUsedTwice) {
		t.Fatalf("second Resolve = %v, want ErrStdinUsedTwice", err)
	}
	if want := "password for b.pfx: stdin: only one password option may read stdin"; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
	// A failed read also counts as the one use.
	r = &Resolver{Stdin: strings.NewReader("")}
	_, _ = r.Resolve(Source{Kind: KindStdin}, "x")
	if _, err := r.Resolve(Source{Kind: KindStdin}, "x"); !errors.Is(err, ErrStdinUsedTwice) {
		t.Errorf("after failed read: %v, want ErrStdinUsedTwice", err)
	}
	// The state belongs to the Resolver, not the process.
	r2 := &Resolver{Stdin: strings.NewReader("z\n")}
	if p, err := r2.Resolve(Source{Kind: KindStdin}, "x"); err != nil || p.Reveal() != "z" {
		t.Errorf("fresh Resolver = %q, %v", p.Reveal(), err)
	}
}

func TestResolvePrompt(t *testing.T) {
	fp := &fakePrompter{answer: "Pässwörd \u2603"}
	r := &Resolver{Prompter: fp}
	p, err := r.Resolve(Source{Kind: KindPrompt}, label)
	if err != nil {
		t.Fatal(err)
	}
	if p.Reveal() != "Pässwörd \u2603" {
		t.Errorf("Resolve = %q", p.Reveal())
	}
	if len(fp.labels) != 1 || fp.labels[0] != label {
		t.Errorf("prompted with %q, want [%q]", fp.labels, label)
	}
	// Prompting repeatedly is fine (unlike stdin).
	if _, err := r.Resolve(Source{Kind: KindPrompt}, "key password"); err != nil {
		t.Errorf("second prompt: %v", err)
	}

	boom := errors.New("read /dev/tty: interrupted")
	_, err = (&Resolver{Prompter: &fakePrompter{err: boom}}).Resolve(Source{Kind: KindPrompt}, label)
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "password for fe1.pfx: prompt: ") {
		t.Errorf("prompt error = %v", err)
	}

	_, err = (&Resolver{}).Resolve(Source{Kind: KindPrompt}, label)
	if !errors.Is(err, ErrNoTerminal) {
		t.Errorf("nil Prompter = %v, want ErrNoTerminal", err)
	}
	_, err = (&Resolver{Prompter: &fakePrompter{answer: "\xff"}}).Resolve(Source{Kind: KindPrompt}, label)
	if !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8 from prompt = %v, want ErrInvalidUTF8", err)
	}
}

func TestResolveInvalidSource(t *testing.T) {
	for _, src := range []Source{{}, {Kind: 99, Value: distinctive}} {
		_, err := (&Resolver{}).Resolve(src, label)
		if !errors.Is(err, ErrBadSource) {
			t.Errorf("Resolve(%v) = %v, want ErrBadSource", src, err)
		}
		checkNoLeak(t, err)
	}
}

func TestResolveNoLabel(t *testing.T) {
	_, err := (&Resolver{Getenv: fakeEnv(nil)}).Resolve(Source{Kind: KindEnv, Value: "V"}, "")
	if err == nil || err.Error() != "env:V: environment variable is not set" {
		t.Errorf("error = %v", err)
	}
}

// TestResolveDefaults uses the real environment and file system.
func TestResolveDefaults(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var r Resolver

	p, err := r.Resolve(Source{Kind: KindFile, Value: write("crlf.txt", distinctive+"\r\nnext\r\n")}, label)
	if err != nil || p.Reveal() != distinctive {
		t.Errorf("file = %q, %v", p.Reveal(), err)
	}

	for name, content := range map[string]string{
		"big.txt":   strings.Repeat(distinctive+"\n", 2*MaxFileSize/len(distinctive)),
		"empty.txt": "",
	} {
		path := write(name, content)
		_, err := r.Resolve(Source{Kind: KindFile, Value: path}, label)
		if !errors.Is(err, ErrFile) && !errors.Is(err, ErrFileEmpty) {
			t.Errorf("%s: %v, want ErrFile or ErrFileEmpty", name, err)
			continue
		}
		checkNoLeak(t, err)
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: message %q does not name the path", name, err)
		}
	}

	missing := filepath.Join(dir, "missing.txt")
	_, err = r.Resolve(Source{Kind: KindFile, Value: missing}, label)
	if !errors.Is(err, ErrFile) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if err != nil && strings.Count(err.Error(), missing) != 1 {
		t.Errorf("path should appear once: %q", err)
	}
	_, err = r.Resolve(Source{Kind: KindFile, Value: dir}, label)
	if !errors.Is(err, ErrFile) {
		t.Errorf("directory: %v, want ErrFile", err)
	}

	t.Setenv("UCCERT_SECRET_TEST", distinctive)
	p, err = r.Resolve(Source{Kind: KindEnv, Value: "UCCERT_SECRET_TEST"}, label)
	if err != nil || p.Reveal() != distinctive {
		t.Errorf("env = %q, %v", p.Reveal(), err)
	}
	_, err = r.Resolve(Source{Kind: KindEnv, Value: "UCCERT_SECRET_TEST_UNSET_9f3"}, label)
	if !errors.Is(err, ErrEnvUnset) || !strings.Contains(err.Error(), "UCCERT_SECRET_TEST_UNSET_9f3") {
		t.Errorf("unset env: %v", err)
	}

	_, err = r.Resolve(Source{Kind: KindStdin}, label)
	if !errors.Is(err, ErrNoStdin) {
		t.Errorf("nil Stdin: %v, want ErrNoStdin", err)
	}
}

// zeroReader returns 0, nil forever, which io.Reader discourages.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestResolveStdinNoProgress(t *testing.T) {
	_, err := (&Resolver{Stdin: zeroReader{}}).Resolve(Source{Kind: KindStdin}, label)
	if !errors.Is(err, ErrStdin) || !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("got %v, want ErrStdin wrapping io.ErrNoProgress", err)
	}
}

func TestTerminalPrompterWithoutTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "notatty")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, in := range map[string]*os.File{"regular file": f, "nil": nil} {
		var out bytes.Buffer
		_, err := TerminalPrompter(in, &out).Prompt(label)
		if !errors.Is(err, ErrNoTerminal) {
			t.Errorf("%s: %v, want ErrNoTerminal", name, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: wrote %q before failing", name, out.String())
		}
	}
}

// errFileTooLarge states MaxFileSize (a literal, so that no init code runs).
func TestFileTooLargeText(t *testing.T) {
	if want := fmt.Sprintf("larger than %d KiB", MaxFileSize>>10); errFileTooLarge.Error() != want {
		t.Errorf("%q, want %q", errFileTooLarge, want)
	}
}
