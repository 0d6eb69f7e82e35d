package keystore

import (
	"bytes"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mutationFixture is a real file whose mutants TestMutants decodes.
type mutationFixture struct {
	file string
	// maxIterations is DecodeOptions.MaxIterations for the mutants: the
	// file's own largest iteration count rounded up to a thousand, so
	// that a mutant which raises a count fails with ErrLimit before any
	// derivation and no mutant costs more than the original (the time
	// bound then catches loops, not configured work; the cap itself is
	// tested by TestHostileFiles). 0 for files without iterations.
	maxIterations int
	// wantErr is what the unmutated file gives with these options (nil:
	// it decodes).
	wantErr error
}

var mutationFixtures = []mutationFixture{
	{file: "exports/fe1-openssl.pfx", maxIterations: 3000},     // PBES2 AES-256, 2048
	{file: "exports/fe2-legacy.pfx", maxIterations: 3000},      // RC2-40 + 3DES, SHA-1 MAC, 2048
	{file: "exports/fe3-3des.pfx", maxIterations: 3000},        // 3DES, 2048
	{file: "exports/fe1-windows.pfx", maxIterations: 3000},     // Windows layout, CSP name attributes, 2048
	{file: "exports/fe4-ec-keytool.p12", maxIterations: 10000}, // keytool, EC key, 10,000
	// NSS writes BER with indefinite lengths and 600,000 iterations: each
	// decode with the real count takes 250 ms (45 ms to refuse a wrong
	// MAC), too slow for thousands of mutants. Decoded with a 20,000 cap,
	// every mutant goes through the BER conversion and the PFX structure
	// (what this fixture is here for) and then fails fast with ErrLimit
	// at the MAC, unless the mutation lowered the count. Its MAC-stripped
	// mutants (see mutate) reach the bags and fail at their own counts.
	{file: "exports/fe3-nss.p12", maxIterations: 20000, wantErr: ErrLimit},
	{file: "stores/frontends.jks"},
	{file: "stores/frontends.p12", maxIterations: 10000},
	{file: "stores/many.jks"},
	{file: "pki/chain.p7b"},
	{file: "pki/fe2.bundle.pem"},
}

// mutationsPerFixture is the number of mutants of each fixture (a tenth
// with -short).
const mutationsPerFixture = 2000

// mutationSeed makes the mutants reproducible: mutant i of fixture k is
// the i-th draw of rand.NewPCG(mutationSeed, k), so a -short run decodes
// a prefix of the full run's mutants.
const mutationSeed = 0x75636365727421

// Every mutant of real files (truncations, byte flips, insertions,
// deletions, bumped length fields, with the JKS digest recomputed or the
// PKCS#12 MAC removed so that mutations reach the parsers behind the
// integrity checks) decodes to a well-formed store or a declared error,
// without a panic, within 1 s and allocating at most 64 × its size + 4 MiB.
func TestMutants(t *testing.T) {
	perFixture := mutationsPerFixture
	if testing.Short() {
		perFixture /= 10
	}
	var total, decoded atomic.Int64
	var exclusive sync.RWMutex // held exclusively to re-measure an outlier alone
	start := time.Now()
	t.Run("fixtures", func(t *testing.T) {
		for k, mf := range mutationFixtures {
			seeds := fixtureSeeds(t, mf.file)
			orig, password := seeds[0].data, seeds[0].password
			t.Run(mf.file, func(t *testing.T) {
				t.Parallel()
				opts := DecodeOptions{Password: secretPW(password), KeyPasswords: fuzzKeyPasswords, MaxIterations: mf.maxIterations}
				s, err := Decode(orig, opts)
				if mf.wantErr == nil && err != nil || mf.wantErr != nil && !errors.Is(err, mf.wantErr) {
					t.Fatalf("unmutated: %v, want %v", err, mf.wantErr)
				}
				m := newMutator(orig, password, Detect(orig))
				r := rand.New(rand.NewPCG(mutationSeed, uint64(k)))
				var st mutationStats
				for i := 0; i < perFixture; i++ {
					mutant, how := m.mutate(r)
					s, err = decodeMeasured(t, &exclusive, mutant, opts, &st)
					if problem := checkDecoded(s, err, mutant); problem != nil {
						t.Errorf("mutant %d (%s, %d bytes, saved as %s): %v", i, how, len(mutant), saveMutant(mf.file, i, mutant), problem)
					}
					st.count(err)
				}
				total.Add(int64(perFixture))
				decoded.Add(int64(st.outcomes["ok"]))
				t.Logf("%s: %d mutants: %v; slowest %v, most allocated %d bytes (%.0f%% of the bound)",
					mf.file, perFixture, st.outcomes, st.slowest.Round(time.Microsecond), st.maxAlloc, 100*st.maxAllocShare)
			})
		}
	})
	t.Logf("%d mutants of %d fixtures, %d decoded successfully, in %v", total.Load(), len(mutationFixtures), decoded.Load(), time.Since(start).Round(time.Millisecond))
}

// mutationStats summarise one fixture's mutants.
type mutationStats struct {
	outcomes      map[string]int // "ok" or the sentinel's text
	slowest       time.Duration
	maxAlloc      uint64
	maxAllocShare float64 // of the allowed allocation
}

func (st *mutationStats) count(err error) {
	if st.outcomes == nil {
		st.outcomes = map[string]int{}
	}
	if err == nil {
		st.outcomes["ok"]++
		return
	}
	for _, d := range declaredDecodeErrors {
		if errors.Is(err, d) {
			st.outcomes[d.Error()]++
			return
		}
	}
}

func (st *mutationStats) measured(d time.Duration, alloc, maxAlloc uint64) {
	st.slowest = max(st.slowest, d)
	st.maxAlloc = max(st.maxAlloc, alloc)
	st.maxAllocShare = max(st.maxAllocShare, float64(alloc)/float64(maxAlloc))
}

// decodeMeasured decodes one mutant and checks the time and memory
// bounds. Mutants are decoded in parallel, so that TotalAlloc counts what
// other goroutines allocated too: an outlier (slower than the bound, or
// above a quarter of the allocation bound) is decoded again with every
// other decode held off, and only that measurement counts.
func decodeMeasured(t *testing.T, exclusive *sync.RWMutex, data []byte, opts DecodeOptions, st *mutationStats) (*Store, error) {
	t.Helper()
	maxAlloc := 64*uint64(len(data)) + 4<<20
	measure := func() (*Store, error, time.Duration, uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		s, err := Decode(data, opts)
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		return s, err, d, after.TotalAlloc - before.TotalAlloc
	}
	exclusive.RLock()
	s, err, d, alloc := measure()
	exclusive.RUnlock()
	if d <= time.Second && alloc <= maxAlloc/4 {
		st.measured(d, alloc, maxAlloc)
		return s, err
	}
	exclusive.Lock()
	defer exclusive.Unlock()
	s, err, d, alloc = measure()
	st.measured(d, alloc, maxAlloc)
	if d > time.Second {
		t.Errorf("decoding took %v (%d bytes, error %v)", d, len(data), err)
	}
	if alloc > maxAlloc {
		t.Errorf("decoding allocated %d bytes, more than %d (%d bytes, error %v)", alloc, maxAlloc, len(data), err)
	}
	return s, err
}

// saveMutant writes a failing mutant where it can be replayed from.
func saveMutant(fixture string, i int, data []byte) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("uccert-mutant-%s-%d", filepath.Base(fixture), i))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "(not saved: " + err.Error() + ")"
	}
	return path
}

// mutator makes mutants of one file.
type mutator struct {
	format   Format
	password string
	bases    []mutationBase
}

// mutationBase is a byte image to mutate and the offsets of its length
// fields.
type mutationBase struct {
	name    string
	data    []byte
	lengths []int
}

func newMutator(orig []byte, password string, f Format) *mutator {
	m := &mutator{format: f, password: password}
	switch f {
	case FormatJKS:
		m.bases = append(m.bases, mutationBase{"", orig, jksLengthOffsets(orig)})
	case FormatPEM:
		m.bases = append(m.bases, mutationBase{"", orig, nil})
	default:
		m.bases = append(m.bases, mutationBase{"", orig, asn1LengthOffsets(orig)})
	}
	if f == FormatPKCS12 {
		if nomac := stripMAC(orig); nomac != nil {
			m.bases = append(m.bases, mutationBase{"no MAC, ", nomac, asn1LengthOffsets(nomac)})
		}
	}
	return m
}

// mutate returns a mutant and how it was made. For PKCS#12 one mutant in
// three starts from the file without its MAC (Decode accepts such files,
// as OpenSSL does), and for JKS every other one gets its integrity digest
// recomputed: otherwise nearly every mutation would stop at the integrity
// check and never reach the decryption, the bags or keystore-go.
func (m *mutator) mutate(r *rand.Rand) ([]byte, string) {
	base := m.bases[0]
	if len(m.bases) > 1 && r.IntN(3) == 0 {
		base = m.bases[1]
	}
	var out []byte
	var how string
	if m.format == FormatPEM && r.IntN(6) == 0 {
		out, how = mutatePEMLength(r, base.data)
	} else {
		out, how = mutateBytes(r, base.data, base.lengths)
	}
	how = base.name + how
	if m.format == FormatJKS && r.IntN(2) == 0 {
		out, how = fixJKSDigest(out, m.password), how+", digest fixed"
	}
	return out, how
}

// Mutation operators.
const (
	opTruncate = iota
	opFlip
	opFlips
	opInsert
	opDelete
	opLength
	numOps
)

// mutateBytes applies a random mutation operator to a copy of b.
func mutateBytes(r *rand.Rand, b []byte, lengths []int) ([]byte, string) {
	return mutateOp(r, b, lengths, r.IntN(numOps))
}

// mutateOp applies the operator op to a copy of b. opLength bumps one of
// the length fields at the offsets lengths (a random byte when none).
func mutateOp(r *rand.Rand, b []byte, lengths []int, op int) ([]byte, string) {
	out := bytes.Clone(b)
	switch op {
	case opTruncate:
		n := r.IntN(len(b))
		return out[:n], fmt.Sprintf("truncated to %d", n)
	case opFlip:
		i := r.IntN(len(b))
		out[i] ^= byte(1 + r.IntN(255))
		return out, fmt.Sprintf("byte %d flipped", i)
	case opFlips:
		n := 2 + r.IntN(15)
		for range n {
			out[r.IntN(len(out))] ^= byte(1 + r.IntN(255))
		}
		return out, fmt.Sprintf("%d bytes flipped", n)
	case opInsert:
		i, n := r.IntN(len(b)+1), 1+r.IntN(4)
		ins := make([]byte, n)
		for k := range ins {
			ins[k] = byte(r.Uint32())
		}
		return append(out[:i], append(ins, b[i:]...)...), fmt.Sprintf("%d bytes inserted at %d", n, i)
	case opDelete:
		i := r.IntN(len(b))
		n := min(1+r.IntN(16), len(b)-i)
		return append(out[:i], b[i+n:]...), fmt.Sprintf("%d bytes deleted at %d", n, i)
	default:
		i := r.IntN(len(b))
		if len(lengths) > 0 {
			i = lengths[r.IntN(len(lengths))]
		}
		switch r.IntN(3) {
		case 0:
			out[i] = 0xFF
		case 1:
			out[i] = byte(0x80 + r.IntN(0x80))
		default:
			out[i] += byte(1 + r.IntN(4)) // off by a little
		}
		return out, fmt.Sprintf("length byte %d set to %#02x", i, out[i])
	}
}

// mutatePEMLength bumps a DER length inside one PEM block and writes the
// blocks back, so that the DER parsers behind PEM see bad lengths.
func mutatePEMLength(r *rand.Rand, b []byte) ([]byte, string) {
	var blocks []*pem.Block
	for rest := b; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		blocks = append(blocks, blk)
	}
	if len(blocks) == 0 {
		return mutateBytes(r, b, nil)
	}
	k := r.IntN(len(blocks))
	offsets := asn1LengthOffsets(blocks[k].Bytes)
	if len(offsets) == 0 {
		return mutateBytes(r, b, nil)
	}
	der, how := mutateOp(r, blocks[k].Bytes, offsets, opLength)
	blocks[k] = &pem.Block{Type: blocks[k].Type, Headers: blocks[k].Headers, Bytes: der}
	var out bytes.Buffer
	for _, blk := range blocks {
		out.Write(pem.EncodeToMemory(blk))
	}
	return out.Bytes(), fmt.Sprintf("PEM block %d: %s", k, how)
}

// asn1LengthOffsets returns the offsets of the length octets of the
// TLVs in b (DER or BER), descending into constructed values and into
// OCTET STRINGs that hold a SEQUENCE. For a long-form length it lists
// both the count octet and the first length octet.
func asn1LengthOffsets(b []byte) []int {
	var out []int
	walkTLVs(b, 0, len(b), false, 0, &out)
	return out
}

func walkTLVs(b []byte, i, end int, indefinite bool, depth int, out *[]int) int {
	for i < end {
		if indefinite && i+1 < end && b[i] == 0 && b[i+1] == 0 {
			return i + 2
		}
		tag, j := b[i], i+1
		if tag&0x1F == 0x1F {
			for j < end && b[j]&0x80 != 0 {
				j++
			}
			j++
		}
		if j >= end {
			return end
		}
		lenAt := j
		var l int
		switch n := int(b[j] & 0x7F); {
		case b[j] < 0x80:
			l, j = int(b[j]), j+1
		case b[j] == 0x80:
			*out = append(*out, lenAt)
			if tag&0x20 == 0 || depth > 32 {
				return end
			}
			i = walkTLVs(b, j+1, end, true, depth+1, out)
			continue
		case n > 3 || j+1+n > end:
			return end
		default:
			for _, c := range b[j+1 : j+1+n] {
				l = l<<8 | int(c)
			}
			*out = append(*out, lenAt+1)
			j += 1 + n
		}
		if j+l > end {
			return end
		}
		*out = append(*out, lenAt)
		if depth < 32 && (tag&0x20 != 0 || tag == 0x04 && l > 2 && b[j] == 0x30) {
			walkTLVs(b, j, j+l, false, depth+1, out)
		}
		i = j + l
	}
	return end
}

// jksLengthOffsets returns the offsets of the most significant byte of
// every count and length field of a JKS image: entry count, alias
// lengths, protected key lengths, chain lengths, certificate type and
// certificate lengths.
func jksLengthOffsets(b []byte) []int {
	if len(b) < 12 {
		return nil
	}
	version := binary.BigEndian.Uint32(b[4:])
	out := []int{8}
	off := 12
	u := func(size int) (int, bool) {
		if off+size > len(b) {
			return 0, false
		}
		out = append(out, off)
		var v int
		for _, c := range b[off : off+size] {
			v = v<<8 | int(c)
		}
		off += size
		return v, true
	}
	cert := func() bool {
		if version == 2 {
			n, ok := u(2)
			if !ok {
				return false
			}
			off += n
		}
		n, ok := u(4)
		off += n
		return ok && off <= len(b)
	}
	for e := binary.BigEndian.Uint32(b[8:]); e > 0 && off+4 <= len(b); e-- {
		tag := binary.BigEndian.Uint32(b[off:])
		off += 4
		n, ok := u(2)
		if !ok {
			break
		}
		off += n + 8
		switch tag {
		case 1: // private key entry
			n, ok := u(4)
			if !ok {
				return out
			}
			off += n
			chain, ok := u(4)
			for ; ok && chain > 0; chain-- {
				ok = cert()
			}
			if !ok {
				return out
			}
		case 2: // trusted certificate entry
			if !cert() {
				return out
			}
		default:
			return out
		}
	}
	return out
}
