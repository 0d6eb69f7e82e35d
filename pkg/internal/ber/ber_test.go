package ber

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// h decodes hex with spaces, for readable tables.
func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestToDER(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // empty: same as in
	}{
		{"DER unchanged", "30 03 02 01 05", ""},
		{"DER SET not sorted", "31 06 02 01 02 02 01 01", ""},
		{"primitive OCTET STRING holding BER is not looked into", "04 04 30 80 00 00", ""},
		{"empty SEQUENCE", "30 00", ""},
		{"indefinite SEQUENCE", "30 80 02 01 05 00 00", "30 03 02 01 05"},
		{"nested indefinite", "30 80 30 80 02 01 01 00 00 00 00", "30 05 30 03 02 01 01"},
		{"empty indefinite", "30 80 00 00", "30 00"},
		{"indefinite inside definite", "30 07 30 80 02 01 01 00 00", "30 05 30 03 02 01 01"},
		{"constructed OCTET STRING", "24 08 04 02 aa bb 04 02 cc dd", "04 04 aa bb cc dd"},
		{"constructed OCTET STRING indefinite nested",
			"24 80 24 80 04 01 aa 00 00 04 01 bb 00 00", "04 02 aa bb"},
		{"constructed OCTET STRING empty", "24 80 00 00", "04 00"},
		{"constructed OCTET STRING inside SEQUENCE",
			"30 80 06 01 2a 24 80 04 01 aa 04 00 04 01 bb 00 00 00 00", "30 07 06 01 2a 04 02 aa bb"},
		{"constructed BIT STRING", "23 09 03 03 00 aa bb 03 02 04 c0", "03 04 04 aa bb c0"},
		{"constructed BIT STRING nested", "23 80 23 80 03 02 00 aa 00 00 03 01 00 00 00", "03 02 00 aa"},
		{"constructed UTF8String with OCTET STRING segments", "2c 80 04 01 68 04 01 69 00 00", "0c 02 68 69"},
		{"constructed IA5String with own-type segments", "36 06 16 01 61 16 01 62", "16 02 61 62"},
		{"constructed UTCTime", "37 80 04 03 31 32 33 00 00", "17 03 31 32 33"},
		{"high tag number constructed", "bf 81 00 80 02 01 05 00 00", "bf 81 00 03 02 01 05"},
		{"high tag number primitive", "9f 1f 01 aa", ""},
		{"high tag number, 4 groups", "df 8f ff ff 7f 00", ""},
		{"application constructed", "7f 22 80 04 01 aa 00 00", "7f 22 03 04 01 aa"},
		{"context IMPLICIT OCTET STRING in constructed form stays constructed",
			"a0 80 04 01 aa 04 01 bb 00 00", "a0 06 04 01 aa 04 01 bb"},
		{"non-minimal long length", "04 81 02 aa bb", "04 02 aa bb"},
		{"length with leading zero octets", "04 84 00 00 00 02 aa bb", "04 02 aa bb"},
		{"non-minimal length on SEQUENCE", "30 82 00 03 02 01 05", "30 03 02 01 05"},
		{"long length kept", "04 81 80 " + strings.Repeat("ab ", 128), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := h(t, tt.in)
			want := in
			if tt.want != "" {
				want = h(t, tt.want)
			}
			orig := bytes.Clone(in)
			got, err := ToDER(in)
			if err != nil {
				t.Fatalf("ToDER(%x): %v", in, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("ToDER(%x)\n got %x\nwant %x", in, got, want)
			}
			if !bytes.Equal(in, orig) {
				t.Errorf("ToDER modified its input")
			}
			if len(got) > len(in) {
				t.Errorf("output (%d bytes) longer than input (%d bytes)", len(got), len(in))
			}
			if !IsDER(got) {
				t.Errorf("IsDER(%x) = false for ToDER output", got)
			}
			if IsDER(in) != bytes.Equal(in, want) {
				t.Errorf("IsDER(%x) = %v, want %v", in, IsDER(in), bytes.Equal(in, want))
			}
			again, err := ToDER(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("ToDER not idempotent: %x, %v", again, err)
			}
		})
	}
}

func TestToDERErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
		off  string // expected "at offset N" in the message
	}{
		{"empty", "", ErrTruncated, "offset 0"},
		{"identifier only", "30", ErrTruncated, "offset 0"},
		{"contents cut short", "30 05 02 01", ErrTruncated, "offset 0"},
		{"child cut short", "30 03 02 05 01", ErrTruncated, "offset 2"},
		{"huge length, tiny input", "04 84 7f ff ff ff 00", ErrTruncated, "offset 0"},
		{"8-byte length, tiny input", "04 88 ff ff ff ff ff ff ff ff 00", ErrTruncated, "offset 0"},
		{"126 length octets", "04 fe" + strings.Repeat(" ff", 126), ErrTruncated, "offset 0"},
		{"length octets cut short", "04 84 00 00", ErrTruncated, "offset 0"},
		{"high tag cut short", "1f 81", ErrTruncated, "offset 0"},
		{"no end-of-contents", "30 80 02 01 05", ErrTruncated, "offset 0"},
		{"end-of-contents cut short", "30 80 02 01 05 00", ErrTruncated, "offset 5"},
		{"indefinite runs past its parent", "30 04 30 80 05 00 00 00", ErrTruncated, "offset 2"},
		{"trailing data", "02 01 05 00", ErrTrailingData, "offset 3"},
		{"trailing after indefinite", "30 80 00 00 00 00", ErrTrailingData, "offset 4"},
		{"reserved length 0xff", "04 ff", ErrMalformed, "offset 0"},
		{"end-of-contents with length", "30 80 00 01 00", ErrMalformed, "offset 2"},
		{"end-of-contents at top", "00 00", ErrMalformed, "offset 0"},
		{"end-of-contents in definite", "30 02 00 00", ErrMalformed, "offset 2"},
		{"indefinite primitive", "04 80 aa 00 00", ErrMalformed, "offset 0"},
		{"constructed INTEGER", "22 03 02 01 05", ErrMalformed, "offset 0"},
		{"primitive SEQUENCE", "10 00", ErrMalformed, "offset 0"},
		{"high-tag form for a low tag", "1f 05 01 00", ErrMalformed, "offset 0"},
		{"high tag with leading zero group", "1f 80 20 00", ErrMalformed, "offset 0"},
		{"high tag too large", "1f 88 80 80 80 00 00", ErrMalformed, "offset 0"},
		{"OCTET STRING segment of wrong type", "24 03 02 01 05", ErrMalformed, "offset 2"},
		{"BIT STRING segment of wrong type", "23 03 04 01 00", ErrMalformed, "offset 2"},
		{"BIT STRING without segments", "23 00", ErrMalformed, "offset 0"},
		{"BIT STRING segment without unused-bits octet", "23 02 03 00", ErrMalformed, "offset 2"},
		{"BIT STRING segment with 8 unused bits", "23 04 03 02 08 ff", ErrMalformed, "offset 2"},
		{"BIT STRING empty segment with unused bits", "23 03 03 01 05", ErrMalformed, "offset 2"},
		{"BIT STRING unused bits before the last segment",
			"23 08 03 02 04 f0 03 02 00 ff", ErrMalformed, "offset 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := h(t, tt.in)
			got, err := ToDER(in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ToDER(%x) = %x, %v; want %v", in, got, err, tt.want)
			}
			if got != nil {
				t.Errorf("ToDER returned %x with an error", got)
			}
			if !strings.Contains(err.Error(), tt.off) {
				t.Errorf("error %q does not name %q", err, tt.off)
			}
			if IsDER(in) {
				t.Errorf("IsDER(%x) = true for input ToDER rejects", in)
			}
		})
	}
}

// ToDERPrefix converts the first value and reports where it ends; what
// follows is not its business, but errors inside the value still are.
func TestToDERPrefix(t *testing.T) {
	tests := []struct {
		name, in, want string
		n              int
		err            error
	}{
		{"alone", "02 01 05", "02 01 05", 3, nil},
		{"zero padding", "02 01 05 00 00 00", "02 01 05", 3, nil},
		{"indefinite then garbage", "30 80 02 01 05 00 00 ff ee", "30 03 02 01 05", 7, nil},
		{"a second value", "30 00 30 00", "30 00", 2, nil},
		{"empty", "", "", 0, ErrTruncated},
		{"truncated value", "30 05 02 01", "", 0, ErrTruncated},
		{"bad value", "04 ff", "", 0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, n, err := ToDERPrefix(h(t, tt.in))
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				if der != nil || n != 0 {
					t.Errorf("got %x, %d with an error", der, n)
				}
				return
			}
			if !bytes.Equal(der, h(t, tt.want)) || n != tt.n {
				t.Errorf("got %x, %d; want %s, %d", der, n, tt.want, tt.n)
			}
		})
	}
}

// nested returns n SEQUENCEs nested inside each other, the innermost
// empty; indefinite selects the indefinite-length form. string nests
// constructed OCTET STRINGs instead, with a primitive one innermost.
func nested(n int, indefinite, str bool) []byte {
	tag := byte(0x30)
	if str {
		tag = 0x24
	}
	var b []byte
	if str {
		b = []byte{0x04, 0x01, 0xaa}
		n--
	} else {
		b = []byte{0x30, 0x00}
		n--
	}
	for range n {
		if indefinite {
			b = append(append([]byte{tag, 0x80}, b...), 0, 0)
		} else {
			b = append(append([]byte{tag}, appendLength(nil, len(b))...), b...)
		}
	}
	return b
}

func TestDepth(t *testing.T) {
	for _, tt := range []struct {
		name       string
		indefinite bool
		str        bool
	}{
		{"definite", false, false},
		{"indefinite", true, false},
		{"constructed OCTET STRING", true, true},
		{"constructed OCTET STRING definite", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ToDER(nested(MaxDepth, tt.indefinite, tt.str)); err != nil {
				t.Errorf("depth %d: %v", MaxDepth, err)
			}
			_, err := ToDER(nested(MaxDepth+1, tt.indefinite, tt.str))
			if !errors.Is(err, ErrTooDeep) {
				t.Errorf("depth %d: err = %v, want ErrTooDeep", MaxDepth+1, err)
			}
			if IsDER(nested(MaxDepth+1, tt.indefinite, tt.str)) {
				t.Errorf("IsDER accepted depth %d", MaxDepth+1)
			}
		})
	}
	t.Run("a million levels", func(t *testing.T) {
		// No recursion past MaxDepth, no time spent on the rest.
		b := bytes.Repeat([]byte{0x30, 0x80}, 1_000_000)
		if _, err := ToDER(b); !errors.Is(err, ErrTooDeep) {
			t.Errorf("err = %v, want ErrTooDeep", err)
		}
	})
}

// TestLargeIndefinite pins the one case where DER is longer than BER: an
// indefinite length (80 … 00 00, 3 octets) replaced by the 4-octet definite
// length of 64 KiB or more of contents.
func TestLargeIndefinite(t *testing.T) {
	payload := bytes.Repeat([]byte{0xab}, 1<<16)
	in := append([]byte{0x30, 0x80, 0x04, 0x83, 0x01, 0x00, 0x00}, payload...)
	in = append(in, 0, 0)
	got, err := ToDER(in)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x30, 0x83, 0x01, 0x00, 0x05, 0x04, 0x83, 0x01, 0x00, 0x00}, payload...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x…, want %x…", got[:12], want[:12])
	}
	if len(got) != len(in)+1 || len(got) > len(in)+len(in)/512 {
		t.Errorf("len(out) = %d for len(in) = %d", len(got), len(in))
	}
}

// berRecord is decoded from hand-written BER by encoding/asn1 after ToDER.
type berRecord struct {
	Version int
	ID      asn1.ObjectIdentifier
	Data    []byte
	Name    string `asn1:"utf8"`
	Bits    asn1.BitString
	Set     []int  `asn1:"set"`
	Tagged  []byte `asn1:"explicit,tag:0"`
	Big     []byte
}

func TestRoundTripEncodingASN1(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 40) // 640 bytes, long-form length
	// Hand-written BER: indefinite lengths everywhere, chunked strings, a
	// non-minimal length, an EXPLICIT tag. (The SET is sorted because
	// asn1.Marshal sorts SET OF; TestToDER shows ToDER does not.)
	var in []byte
	in = append(in, 0x30, 0x80)
	in = append(in, 0x02, 0x81, 0x01, 0x03)       // INTEGER 3, non-minimal length
	in = append(in, 0x06, 0x03, 0x2a, 0x86, 0x48) // OID 1.2.840
	in = append(in, 0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00)
	in = append(in, 0x2c, 0x80, 0x04, 0x03, 'h', 0xc3, 0xa9, 0x04, 0x03, 'l', 'l', 'o', 0x00, 0x00)
	in = append(in, 0x23, 0x80, 0x03, 0x02, 0x00, 0xff, 0x03, 0x02, 0x04, 0xa0, 0x00, 0x00)
	in = append(in, 0x31, 0x80, 0x02, 0x01, 0x01, 0x02, 0x01, 0x09, 0x00, 0x00)
	in = append(in, 0xa0, 0x80, 0x24, 0x80, 0x04, 0x01, 'x', 0x00, 0x00, 0x00, 0x00)
	in = append(in, 0x24, 0x80)
	for chunk := range 4 {
		in = append(in, 0x04, 0x81, 0xa0)
		in = append(in, big[chunk*160:(chunk+1)*160]...)
	}
	in = append(in, 0x00, 0x00)
	in = append(in, 0x00, 0x00)

	der, err := ToDER(in)
	if err != nil {
		t.Fatal(err)
	}
	var got berRecord
	rest, err := asn1.Unmarshal(der, &got)
	if err != nil || len(rest) != 0 {
		t.Fatalf("asn1.Unmarshal: %v (rest %d bytes)", err, len(rest))
	}
	want := berRecord{
		Version: 3,
		ID:      asn1.ObjectIdentifier{1, 2, 840},
		Data:    []byte("abc"),
		Name:    "héllo",
		Bits:    asn1.BitString{Bytes: []byte{0xff, 0xa0}, BitLength: 12},
		Set:     []int{1, 9},
		Tagged:  []byte("x"),
		Big:     big,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v\nwant %+v", got, want)
	}
	// encoding/asn1 writes the same bytes.
	if m, err := asn1.Marshal(want); err != nil || !bytes.Equal(m, der) {
		t.Errorf("asn1.Marshal differs: %v\n got %x\nwant %x", err, der, m)
	}
}

// TestNSSFixture converts the PKCS#12 file that NSS pk12util writes (BER
// with indefinite lengths and chunked OCTET STRINGs).
func TestNSSFixture(t *testing.T) {
	path := filepath.Join("..", "..", "..", "fixtures", "exports", "fe3-nss.p12")
	in, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not generated yet", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	checkRealBER(t, in)
}

// checkRealBER converts a real file and checks the result is DER that
// ToDER leaves alone and encoding/asn1 can walk.
func checkRealBER(t *testing.T, in []byte) []byte {
	t.Helper()
	der, err := ToDER(in)
	if err != nil {
		t.Fatalf("ToDER: %v", err)
	}
	if len(der) > len(in) {
		t.Errorf("DER (%d bytes) longer than BER (%d bytes)", len(der), len(in))
	}
	if !IsDER(der) {
		t.Errorf("IsDER(ToDER(x)) = false")
	}
	again, err := ToDER(der)
	if err != nil || !bytes.Equal(again, der) {
		t.Errorf("ToDER(ToDER(x)) != ToDER(x): %v", err)
	}
	var raw asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &raw); err != nil || len(rest) != 0 {
		t.Errorf("asn1.Unmarshal: %v, %d trailing bytes", err, len(rest))
	}
	walkDER(t, der, 0)
	return der
}

// walkDER checks that encoding/asn1 accepts every nested value of der.
func walkDER(t *testing.T, der []byte, depth int) {
	t.Helper()
	for len(der) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil {
			t.Fatalf("asn1.Unmarshal at depth %d: %v", depth, err)
		}
		if v.IsCompound {
			walkDER(t, v.Bytes, depth+1)
		}
		der = rest
	}
}

// TestFixtures converts every committed PKCS#12 export and store and
// checks that the hostile deep-nesting file is refused.
func TestFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "..", "fixtures")
	var files []string
	for _, pattern := range []string{"exports/*", "stores/*.p12"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("fixtures not generated yet")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(path, "-padded.pfx") || strings.HasSuffix(path, "-trailing.pfx") {
				// Bytes after the PFX: one value is all ToDER takes (the
				// PKCS#12 layer decides what to make of the rest).
				if _, err := ToDER(in); !errors.Is(err, ErrTrailingData) {
					t.Errorf("err = %v, want ErrTrailingData", err)
				}
				return
			}
			checkRealBER(t, in)
		})
	}
	t.Run("hostile/ber-deep.p12", func(t *testing.T) {
		in, err := os.ReadFile(filepath.Join(root, "hostile", "ber-deep.p12"))
		if errors.Is(err, os.ErrNotExist) {
			t.Skip("fixtures not generated yet")
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ToDER(in); !errors.Is(err, ErrTooDeep) {
			t.Errorf("err = %v, want ErrTooDeep", err)
		}
	})
}

// BenchmarkToDER measures the worst cases for time: many small values, and
// MaxDepth indefinite-length levels around a large payload (each level
// moves its contents once when its definite length is written).
func BenchmarkToDER(b *testing.B) {
	many := append([]byte{0x30, 0x80}, bytes.Repeat([]byte{0x04, 0x00}, 1<<20)...)
	many = append(many, 0, 0)
	deep := append([]byte{0x04, 0x83, 0x80, 0x00, 0x00}, make([]byte, 8<<20)...)
	for range MaxDepth - 1 {
		deep = append(append([]byte{0x30, 0x80}, deep...), 0, 0)
	}
	for _, bc := range []struct {
		name string
		in   []byte
	}{{"2MiB of empty OCTET STRINGs", many}, {"8MiB at depth 64", deep}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				if _, err := ToDER(bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
