package keystore

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/internal/testfs"
)

var writeFormats = []struct {
	name    string
	format  Format
	profile Profile
}{
	{"jks", FormatJKS, ProfileModern},
	{"pkcs12-modern", FormatPKCS12, ProfileModern},
	{"pkcs12-legacy", FormatPKCS12, ProfileLegacy},
}

// Round trips through every writable format and back, with 24 mixed RSA
// and EC key entries and a trusted entry, preserve every entry exactly.
func TestRoundTripManyEntries(t *testing.T) {
	p := getPKI(t)
	want := p.store(24, true)
	const pw = "changeit1"
	for _, from := range writeFormats {
		for _, to := range writeFormats {
			t.Run(from.name+"->"+to.name, func(t *testing.T) {
				data, err := Encode(want, EncodeOptions{Format: from.format, Password: secretPW(pw), Profile: from.profile})
				if err != nil {
					t.Fatal(err)
				}
				mid, err := Decode(data, DecodeOptions{Password: secretPW(pw)})
				if err != nil {
					t.Fatal(err)
				}
				if mid.Format != from.format {
					t.Fatalf("format %v, want %v", mid.Format, from.format)
				}
				if err := Compare(want, mid); err != nil {
					t.Fatal(err)
				}
				data2, err := Encode(mid, EncodeOptions{Format: to.format, Password: secretPW(pw), Profile: to.profile})
				if err != nil {
					t.Fatal(err)
				}
				got, err := Decode(data2, DecodeOptions{Password: secretPW(pw)})
				if err != nil {
					t.Fatal(err)
				}
				if err := Compare(want, got); err != nil {
					t.Fatal(err)
				}
				if _, err := Decode(data2, DecodeOptions{Password: secretPW("wrong-pw")}); !errors.Is(err, ErrIncorrectPassword) {
					t.Fatalf("wrong password: %v", err)
				}
			})
		}
	}
}

func TestCompareDetectsDifferences(t *testing.T) {
	p := getPKI(t)
	a := p.store(3, true)
	cases := map[string]func(s *Store){
		"missing entry": func(s *Store) { s.Entries = s.Entries[:3] },
		"other key":     func(s *Store) { s.Entries[0].Key = p.leaves[2].Key },
		"other chain":   func(s *Store) { s.Entries[1].Chain = s.Entries[1].Chain[:2] },
		"kind":          func(s *Store) { s.Entries[3].Kind = KindCert },
		"alias":         func(s *Store) { s.Entries[0].Alias = "other" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			b := p.store(3, true)
			mutate(b)
			if Compare(a, b) == nil {
				t.Fatal("Compare found no difference")
			}
		})
	}
	if err := Compare(a, p.store(3, true)); err != nil {
		t.Fatal(err)
	}
}

func TestEncodeRefusals(t *testing.T) {
	p := getPKI(t)
	dup := p.store(2, false)
	dup.Entries[1].Alias = "M01.uc.example.com"
	if _, err := Encode(dup, EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}); !errors.Is(err, ErrDuplicateAlias) {
		t.Errorf("JKS case-insensitive duplicate: %v", err)
	}
	dup.Entries[1].Alias = dup.Entries[0].Alias
	if _, err := Encode(dup, EncodeOptions{Format: FormatPKCS12, Password: secretPW("changeit1")}); !errors.Is(err, ErrDuplicateAlias) {
		t.Errorf("PKCS#12 duplicate: %v", err)
	}
	if _, err := Encode(p.store(1, false), EncodeOptions{Format: FormatJKS, Password: secretPW("pass-\xffuro")}); !errors.Is(err, ErrPasswordEncoding) {
		t.Errorf("JKS password that is not UTF-8: %v", err)
	}
	nokey := p.store(1, false)
	nokey.Entries[0].Key = nil
	if _, err := Encode(nokey, EncodeOptions{Format: FormatPKCS12, Password: secretPW("changeit1")}); !errors.Is(err, ErrNoKey) {
		t.Errorf("key entry without key: %v", err)
	}
	if _, err := Encode(p.store(1, false), EncodeOptions{Format: FormatPEM, Password: secretPW("changeit1")}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("PEM output: %v", err)
	}
}

// Latin-1 JKS passwords work as Java chars; PKCS#12 is written with ASCII
// passwords only (Java cannot open others: CheckPassword) but reads any
// character, as OpenSSL writes them (the PKCS#12 container is tested
// with the same password written by its own encoder).
func TestNonASCIIPasswords(t *testing.T) {
	p := getPKI(t)
	if _, err := Encode(p.store(1, false), EncodeOptions{Format: FormatPKCS12, Password: secretPW("pässwörd")}); !errors.Is(err, ErrPasswordEncoding) {
		t.Fatalf("non-ASCII PKCS#12 password: %v, want ErrPasswordEncoding", err)
	}
	for _, c := range []struct {
		f  Format
		pw string
	}{{FormatJKS, "pässwörd"}} {
		data, err := Encode(p.store(2, true), EncodeOptions{Format: c.f, Password: secretPW(c.pw)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(data, DecodeOptions{Password: secretPW(c.pw)})
		if err != nil {
			t.Fatalf("%v: %v", c.f, err)
		}
		if err := Compare(p.store(2, true), got); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	p := getPKI(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc.jks")
	opts := WriteOptions{EncodeOptions: EncodeOptions{Format: FormatJKS, Password: secretPW("changeit1")}}
	if err := WriteFile(out, p.store(2, false), opts); err != nil {
		t.Fatal(err)
	}
	testfs.AssertMode(t, out, 0o600)
	before := testfs.ReadFile(t, out)
	// Existing file, no overwrite: refused, unchanged, no temp file.
	if err := WriteFile(out, p.store(3, false), opts); !errors.Is(err, ErrExists) {
		t.Fatalf("got %v, want ErrExists", err)
	}
	if string(testfs.ReadFile(t, out)) != string(before) {
		t.Fatal("file changed")
	}
	// A failing encode (duplicate alias) leaves the file and no temp.
	bad := p.store(2, false)
	bad.Entries[1].Alias = bad.Entries[0].Alias
	opts.Overwrite = true
	if err := WriteFile(out, bad, opts); !errors.Is(err, ErrDuplicateAlias) {
		t.Fatalf("got %v", err)
	}
	// Overwrite replaces.
	if err := WriteFile(out, p.store(3, true), opts); err != nil {
		t.Fatal(err)
	}
	got, err := Load(out, DecodeOptions{Password: secretPW("changeit1")})
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(p.store(3, true), got); err != nil {
		t.Fatal(err)
	}
	testfs.AssertOnlyFiles(t, dir, "ucc.jks")
	// An unwritable folder fails cleanly.
	if err := WriteFile(filepath.Join(dir, "missing", "x.jks"), p.store(1, false), opts); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
}
