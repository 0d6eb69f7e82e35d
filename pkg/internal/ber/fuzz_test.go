package ber

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzToDER(f *testing.F) {
	for _, s := range []string{
		"30 03 02 01 05",
		"30 80 02 01 05 00 00",
		"30 80 30 80 02 01 01 00 00 00 00",
		"24 80 24 80 04 01 aa 00 00 04 01 bb 00 00",
		"23 09 03 03 00 aa bb 03 02 04 c0",
		"2c 80 04 01 68 04 01 69 00 00",
		"bf 81 00 80 02 01 05 00 00",
		"a0 80 04 01 aa 04 01 bb 00 00",
		"04 84 00 00 00 02 aa bb",
		"04 84 7f ff ff ff 00",
		"30 80 06 01 2a 24 80 04 01 aa 04 00 04 01 bb 00 00 00 00",
	} {
		f.Add(h(f, s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := bytes.Clone(in)
		out, err := ToDER(in)
		if !bytes.Equal(in, orig) {
			t.Fatalf("ToDER modified its input")
		}
		if err != nil {
			if out != nil {
				t.Fatalf("output with an error: %v", err)
			}
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrTooDeep) &&
				!errors.Is(err, ErrTrailingData) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("undeclared error: %v", err)
			}
			if IsDER(in) {
				t.Fatalf("IsDER accepts what ToDER rejects: %v", err)
			}
			return
		}
		limit := len(in)
		if len(in) >= 1<<16 {
			limit += len(in) / 512
		}
		if len(out) > limit {
			t.Fatalf("output %d bytes, input %d bytes", len(out), len(in))
		}
		if IsDER(in) != bytes.Equal(in, out) {
			t.Fatalf("IsDER(in) = %v but ToDER(in) == in is %v", IsDER(in), bytes.Equal(in, out))
		}
		if !IsDER(out) {
			t.Fatalf("IsDER(ToDER(x)) = false: %x", out)
		}
		again, err := ToDER(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("ToDER(ToDER(x)) != ToDER(x): %x, %v", again, err)
		}
	})
}
