package jks

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// decodeErrors are the sentinels that Decode, DecodeUnverified and
// RecoverKey may return (errors.go).
var decodeErrors = []error{ErrIncorrectPassword, ErrKeyPassword, ErrMalformed, ErrUnsupported, ErrPasswordEncoding}

// wording is every string literal of the package's own code: the words an
// error may hold whatever the password is.
var wording = sync.OnceValue(func() string {
	files, err := filepath.Glob("*.go")
	if err != nil {
		panic(err)
	}
	var lits []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := goparser.ParseFile(token.NewFileSet(), name, nil, goparser.SkipObjectResolution)
		if err != nil {
			panic(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					lits = append(lits, s)
				}
			}
			return true
		})
	}
	return strings.Join(lits, "\x00")
})

// leaks says whether the text of err holds password where it cannot have come
// from anywhere else: a password of four or more characters that is neither
// in the package's own wording ("word" is in "wrong password"), nor in the
// input (an alias), nor only digits (a count or an offset).
func leaks(err error, password string, data []byte) bool {
	if len(password) < 4 || !strings.Contains(err.Error(), password) {
		return false
	}
	digits := strings.Trim(password, "0123456789") == ""
	return !digits && !strings.Contains(wording(), password) && !bytes.Contains(data, []byte(password))
}

// undeclared says what is wrong with an error from reading data (nil: it
// wraps exactly one declared sentinel and holds no password).
func undeclared(err error, password string, data []byte) error {
	n := 0
	for _, s := range decodeErrors {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("error %q wraps %d declared sentinels", err, n)
	}
	if leaks(err, password, data) {
		return fmt.Errorf("error %q holds the password", err)
	}
	return nil
}

// checkEntries says what is wrong with decoded entries (nil: nothing).
func checkEntries(entries []Entry) error {
	for i, e := range entries {
		if e.Protected != nil && len(e.Protected) == 0 {
			return fmt.Errorf("entry %d: empty protected key", i)
		}
		if !e.IsKey() && len(e.Chain) != 1 {
			return fmt.Errorf("trusted entry %d has %d certificates", i, len(e.Chain))
		}
		for j, c := range e.Chain {
			if !isDERSequence(c) || cap(c) != len(c) {
				return fmt.Errorf("entry %d: certificate %d: %x (cap %d)", i, j, c, cap(c))
			}
		}
		if e.Created.Location() != time.UTC {
			return fmt.Errorf("entry %d: created in %v", i, e.Created.Location())
		}
		if !utf8.ValidString(e.Alias) {
			return fmt.Errorf("entry %d: alias %q is not UTF-8", i, e.Alias)
		}
	}
	return nil
}

// truncations cuts data at a few telling lengths.
func truncations(data []byte) [][]byte {
	var out [][]byte
	for _, n := range []int{len(data) / 2, len(data) - 1, len(data) - digestLen - 1, 64, 13} {
		if n > 0 && n < len(data) {
			out = append(out, data[:n])
		}
	}
	return out
}

// FuzzDecode: any bytes and password through Decode, DecodeUnverified and
// RecoverKey, and whatever decodes through Encode and back. With fixDigest
// the harness first recomputes the integrity digest for password, so that
// mutations of the body get past it. Every error must wrap one declared
// sentinel; nothing may panic.
func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"stores", "hostile"} {
		for _, fx := range jksFixtures(f, dir) {
			data := readFixture(f, fx.File)
			password := *fx.Password
			if fx.KeyPassword != nil {
				password = *fx.KeyPassword // trap.jks: keys recover, the digest is fixed
				f.Add(data, *fx.Password, false)
			}
			f.Add(data, password, fx.KeyPassword != nil)
			f.Add(data, "wrong-password", false)
			for _, tr := range truncations(data) {
				f.Add(tr, password, false)
				f.Add(tr, password, true)
			}
		}
	}
	f.Add(newImage(1, 2).trusted(1, "ca", testCert).key(1, "K", testKey, testCert).sealed("changeit1"), "changeit1", false)
	f.Add(newImage(2, 1).key(2, "ΟΔΟΣ-🔑\x00", testKey).sealed("changeit1"), "changeit1", false)
	f.Add(newImage(2, 1).key(2, "k", foreignKey, testCert).sealed("päss€word1"), "päss€word1", false)
	f.Add(newImage(2, 2).trusted(2, "FE", testCert).trusted(2, "fe", testCert).sealed("other"), "changeit1", false)
	// CI's finding: a wrong password that is a word of the message.
	f.Add(newImage(2, 1).trusted(2, "ca", testCert).sealed("changeit1"), "word", false)
	f.Fuzz(func(t *testing.T, data []byte, password string, fixDigest bool) {
		if fixDigest {
			data = withDigest(data, password)
		}
		orig := bytes.Clone(data)
		entries, err := Decode(data, password)
		unverified, uerr := DecodeUnverified(data)
		if !bytes.Equal(data, orig) {
			t.Fatal("the input changed")
		}
		for _, e := range []error{err, uerr} {
			if e != nil {
				if problem := undeclared(e, password, data); problem != nil {
					t.Fatal(problem)
				}
			}
		}
		if (err != nil) != (entries == nil) || (uerr != nil) != (unverified == nil) {
			t.Fatalf("entries %v with error %v, unverified %v with error %v", entries != nil, err, unverified != nil, uerr)
		}
		switch {
		case uerr != nil && utf8.ValidString(password):
			// Both walk the structure before the digest matters; only the
			// duplicate-alias check (in the building pass) comes after it.
			dupAfterDigest := errors.Is(err, ErrIncorrectPassword) && strings.Contains(uerr.Error(), "same alias")
			if err == nil || err.Error() != uerr.Error() && !dupAfterDigest {
				t.Fatalf("Decode: %v, DecodeUnverified: %v", err, uerr)
			}
		case err == nil && !equalEntries(entries, unverified):
			t.Fatal("Decode and DecodeUnverified disagree")
		}
		if uerr != nil {
			return
		}
		if problem := checkEntries(unverified); problem != nil {
			t.Fatal(problem)
		}
		keys := 0
		for _, e := range unverified {
			if !e.IsKey() || keys == 4 {
				continue
			}
			keys++
			plain, err := RecoverKey(e.Protected, password)
			if err != nil {
				if problem := undeclared(err, password, e.Protected); problem != nil {
					t.Fatal(problem)
				}
				continue
			}
			if !isDERSequence(plain) {
				t.Fatalf("recovered %x", plain)
			}
			again, err := ProtectKey(plain, password, zeroReader{})
			if err != nil {
				t.Fatal(err)
			}
			if back, err := RecoverKey(again, password); err != nil || !bytes.Equal(back, plain) {
				t.Fatalf("protected again: %v", err)
			}
		}
		if !utf8.ValidString(password) {
			return
		}
		// Whatever decodes, encodes, and reads back with folded aliases.
		out, err := Encode(unverified, password)
		if err != nil {
			for _, e := range unverified {
				if mutf8Len(FoldAlias(e.Alias)) > maxUTF && errors.Is(err, ErrInvalid) {
					return
				}
			}
			t.Fatalf("decoded entries do not encode: %v", err)
		}
		back, err := Decode(out, password)
		if err != nil {
			t.Fatalf("encoded entries do not decode: %v", err)
		}
		want := make([]Entry, len(unverified))
		for i, e := range unverified {
			want[i] = e
			want[i].Alias = FoldAlias(e.Alias)
		}
		if !equalEntries(back, want) {
			t.Fatal("encoded entries read back differently")
		}
		if again, err := Encode(back, password); err != nil || !bytes.Equal(again, out) {
			t.Fatalf("a second round trip changes the bytes (%v)", err)
		}
	})
}

// TestLeaks: the oracle flags a password in an error only where it can have
// come from nowhere else.
func TestLeaks(t *testing.T) {
	_, err := Decode(newImage(2, 1).trusted(2, "ca", testCert).sealed("changeit1"), "word")
	if !errors.Is(err, ErrIncorrectPassword) || !strings.Contains(err.Error(), "word") {
		t.Fatalf("want a wrong-password error holding %q, got %v", "word", err)
	}
	for _, c := range []struct {
		err      error
		password string
		data     []byte
		want     bool
	}{
		{err, "word", nil, false},
		{errors.New("bad key s3cr3t-pw"), "s3cr3t-pw", nil, true},
		{errors.New("alias \"s3cr3t-pw\" twice"), "s3cr3t-pw", []byte("..s3cr3t-pw.."), false},
		{errors.New("entry 12345 is short"), "12345", nil, false},
		{errors.New("entry 12345 is short"), "abc", nil, false},
	} {
		if got := leaks(c.err, c.password, c.data); got != c.want {
			t.Errorf("leaks(%q, %q) = %v, want %v", c.err, c.password, got, c.want)
		}
	}
}
