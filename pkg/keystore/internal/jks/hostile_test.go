package jks

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// allocated returns what f allocates (runtime.MemStats.TotalAlloc). The
// tests using it do not run in parallel, but TotalAlloc also counts what
// the runtime and leftover goroutines of earlier tests allocate meanwhile:
// f (deterministic) runs up to three times while the count exceeds 2 KiB
// and the least count is returned.
func allocated(f func()) uint64 {
	least := uint64(1<<64 - 1)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
		if least <= 2<<10 {
			break
		}
	}
	return least
}

// refusalBound is what refusing a file may allocate: the error message.
const refusalBound = 4 << 10

// decodeBound is what decoding a file of n bytes may allocate: its copy,
// the entries and chains, the aliases and the duplicate check.
func decodeBound(n int) uint64 { return 4*uint64(n) + 16<<10 }

// The hostile JKS fixtures (fixtures/hostile.py: counts and lengths of
// 0x7FFFFFFF or 0xFFFF with nothing behind them, and a truncated store)
// are refused as malformed, naming the field, before anything is allocated
// for them: with and without the password.
func TestHostileFixtures(t *testing.T) {
	want := map[string]string{
		"jks-bomb-count.jks":   "entry count 2147483647",
		"jks-bomb-alias.jks":   "the entry count 1 does not fit", // before its alias length
		"jks-bomb-chain.jks":   "protected key",
		"jks-bomb-certlen.jks": "certificate runs past the end",
		"truncated.jks":        "runs past the end",
	}
	for _, fx := range jksFixtures(t, "hostile") {
		name := filepath.Base(fx.File)
		t.Run(name, func(t *testing.T) {
			data := readFixture(t, fx.File)
			for _, decode := range []func() ([]Entry, error){
				func() ([]Entry, error) { return Decode(data, *fx.Password) },
				func() ([]Entry, error) { return DecodeUnverified(data) },
			} {
				var entries []Entry
				var err error
				alloc := allocated(func() { entries, err = decode() })
				if !errors.Is(err, ErrMalformed) || entries != nil {
					t.Fatalf("got %v", err)
				}
				if text, ok := want[name]; !ok || !strings.Contains(err.Error(), text) {
					t.Errorf("%q does not say %q", err, text)
				}
				if alloc > refusalBound {
					t.Errorf("refusing %d bytes allocated %d bytes", len(data), alloc)
				}
				t.Logf("%d bytes: %v (allocated %d bytes)", len(data), err, alloc)
			}
		})
	}
}

// field is a count or length field of a JKS image.
type field struct{ off, size int }

// lengthFields walks a well-formed JKS image (test-side, independently of
// the parser) and returns its entry count, alias lengths, key lengths,
// certificate counts, certificate type lengths and certificate lengths.
func lengthFields(b []byte) []field {
	version := binary.BigEndian.Uint32(b[4:])
	out := []field{{8, 4}}
	off := 12
	u16 := func() int {
		out = append(out, field{off, 2})
		v := int(binary.BigEndian.Uint16(b[off:]))
		off += 2
		return v
	}
	u32 := func() int {
		out = append(out, field{off, 4})
		v := int(binary.BigEndian.Uint32(b[off:]))
		off += 4
		return v
	}
	cert := func() {
		if version == 2 {
			off += u16()
		}
		off += u32()
	}
	for range binary.BigEndian.Uint32(b[8:]) {
		tag := binary.BigEndian.Uint32(b[off:])
		off += 4
		off += u16() + 8
		if tag == tagKey {
			off += u32()
			for range u32() {
				cert()
			}
		} else {
			cert()
		}
	}
	return out
}

// Every count and length field of real stores, set to hostile values
// (0xFF.., 0x7F.., 0x80.., one more, one less, zero) byte by byte, with
// the digest as it was and recomputed: each mutant is decoded or refused
// with a declared error, and refusing allocates no more than an error
// message while decoding stays within a small multiple of the file.
// With -short, many.jks (217 fields) is left out.
func TestLengthFieldMutants(t *testing.T) {
	fixtures := map[string]string{
		"stores/frontends.jks":  "changeit1",
		"stores/nonascii.jks":   "pässwörd-€",
		"stores/truststore.jks": "trustpass1",
	}
	if !testing.Short() {
		fixtures["stores/many.jks"] = "changeit1"
	}
	for name, password := range fixtures {
		t.Run(name, func(t *testing.T) {
			orig := readFixture(t, name)
			fields := lengthFields(orig)
			outcomes := map[string]int{}
			var maxRefusal, maxDecode uint64
			for _, fl := range fields {
				for i := range fl.size {
					for _, v := range []int{0xFF, 0x7F, 0x80, 1, -1, 0} {
						mutant := []byte(string(orig))
						switch v {
						case 1, -1:
							mutant[fl.off+i] += byte(v)
						default:
							mutant[fl.off+i] = byte(v)
						}
						for _, fix := range []bool{false, true} {
							if fix {
								mutant = withDigest(mutant, password)
							}
							var entries []Entry
							var err error
							alloc := allocated(func() { entries, err = Decode(mutant, password) })
							what := fmt.Sprintf("byte %d of the field at %d set with %#x (digest fixed: %v)", i, fl.off, v, fix)
							switch {
							case err == nil:
								outcomes["decoded"]++
								if problem := checkEntries(entries); problem != nil {
									t.Errorf("%s: %v", what, problem)
								}
								maxDecode = max(maxDecode, alloc)
								if alloc > decodeBound(len(mutant)) {
									t.Errorf("%s: decoding %d bytes allocated %d", what, len(mutant), alloc)
								}
							default:
								if problem := undeclared(err, password, mutant); problem != nil {
									t.Errorf("%s: %v", what, problem)
								}
								for _, s := range decodeErrors {
									if errors.Is(err, s) {
										outcomes[s.Error()]++
									}
								}
								maxRefusal = max(maxRefusal, alloc)
								if alloc > refusalBound {
									t.Errorf("%s: refusing allocated %d bytes: %v", what, alloc, err)
								}
							}
						}
					}
				}
			}
			t.Logf("%d bytes, %d length fields: %v; most allocated: refusing %d bytes, decoding %d bytes",
				len(orig), len(fields), outcomes, maxRefusal, maxDecode)
		})
	}
}

// Nothing in a 60-byte file makes Decode allocate more than an error
// message or a few entries: every 60-byte image made of a valid header,
// and bytes that are each 0x00, 0x7F, 0x80 or 0xFF in the positions of a
// trusted entry's fields.
func TestSmallFilesAllocateLittle(t *testing.T) {
	base := newImage(2, 1).trusted(2, "ab", testCert).sealed("pw")
	for len(base) < 60 {
		base = append(base, 0)
	}
	base = base[:60]
	worst := uint64(0)
	for pos := 8; pos < 40; pos++ {
		for _, v := range []byte{0x00, 0x7F, 0x80, 0xFF} {
			m := []byte(string(base))
			for j := pos; j < pos+4 && j < 40; j++ {
				m[j] = v
			}
			for _, pw := range []string{"pw", "\xff"} {
				alloc := allocated(func() { _, _ = Decode(m, pw) })
				worst = max(worst, alloc)
			}
			alloc := allocated(func() { _, _ = DecodeUnverified(m) })
			worst = max(worst, alloc)
		}
	}
	if worst > refusalBound {
		t.Fatalf("a 60-byte file allocated %d bytes", worst)
	}
	t.Logf("at most %d bytes allocated", worst)
}

// The most entries per byte: 20,000 trusted entries of a 2-byte
// certificate each. Decoding costs a bounded multiple of the file (its
// copy, 88 bytes per Entry, the certificate slices, the aliases and the
// duplicate-alias map).
func TestManyTinyEntries(t *testing.T) {
	for _, version := range []uint32{1, 2} {
		const n = 20000
		im := newImage(version, n)
		for i := range n {
			im.trusted(version, fmt.Sprintf("%x", i), []byte{0x30, 0})
		}
		data := im.sealed("pw")
		var entries []Entry
		var err error
		alloc := allocated(func() { entries, err = Decode(data, "pw") })
		if err != nil || len(entries) != n {
			t.Fatalf("version %d: %d entries, %v", version, len(entries), err)
		}
		if alloc > 8*uint64(len(data)) {
			t.Errorf("version %d: decoding %d bytes allocated %d", version, len(data), alloc)
		}
		t.Logf("version %d: %d bytes, %d entries: allocated %d bytes (%.1f×)", version, len(data), n, alloc, float64(alloc)/float64(len(data)))
	}
}

// The structural pass allocates nothing for a well-formed store: nothing is
// allocated before the whole file has been checked.
func TestStructurePassAllocatesNothing(t *testing.T) {
	data := readFixture(t, "stores/many.jks")
	allocs := testing.AllocsPerRun(10, func() {
		p := parser{b: data}
		if err := p.parse(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}
