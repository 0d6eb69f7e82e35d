//go:build !windows

package main

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf16"
)

// The floor of scenario 3 is the time the password-based key derivations of
// the job take when nothing else is done and all of them run in parallel on
// GOMAXPROCS cores without any ordering: for each input its MAC key and the
// PBKDF2 keys of its bags, and for the output (written, then read back as
// WriteFile's contract requires) the same derivations twice. No program
// that reads and writes these files with these passwords can do less.

// derivation is one password-based key derivation.
type derivation struct {
	what     string // "input MAC key", "output key bag", ...
	kdf      string // "PKCS#12 KDF" or "PBKDF2-HMAC"
	digest   string // "SHA-256", "SHA-1", ...
	iter     int
	password string
	salt     []byte
}

func (d derivation) group() string {
	return fmt.Sprintf("%s: %s-%s, %d iterations", d.what, d.kdf, d.digest, d.iter)
}

type digestFunc struct {
	name string
	new  func() hash.Hash
	u, v int // output and block size (RFC 7292 appendix B)
}

var digestFuncs = map[string]digestFunc{
	"sha1":   {"SHA-1", sha1.New, 20, 64},
	"sha256": {"SHA-256", sha256.New, 32, 64},
	"sha384": {"SHA-384", sha512.New384, 48, 128},
	"sha512": {"SHA-512", sha512.New, 64, 128},
}

// digestByName takes openssl's names: "sha256" (MAC) or "hmacWithSHA256" (PRF).
func digestByName(name string) (digestFunc, error) {
	d, ok := digestFuncs[strings.TrimPrefix(strings.ToLower(name), "hmacwith")]
	if !ok {
		return d, fmt.Errorf("digest %q: not modelled by the floor", name)
	}
	return d, nil
}

func (d derivation) derive() ([]byte, error) {
	df, err := digestByName(strings.ReplaceAll(d.digest, "-", ""))
	if err != nil {
		return nil, err
	}
	if d.kdf == "PKCS#12 KDF" {
		return pkcs12KDF(df, bmpString(d.password), d.salt, 3, d.iter, df.u), nil
	}
	// PBES2 with AES-256-CBC: a 32-byte key.
	return pbkdf2.Key(df.new, d.password, d.salt, d.iter, 32)
}

// bmpString is the PKCS#12 KDF's password form: UTF-16BE and a zero char.
func bmpString(password string) []byte {
	units := utf16.Encode([]rune(password))
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return append(out, 0, 0)
}

// pkcs12KDF is RFC 7292 appendix B.2 (id 3 derives a MAC key).
func pkcs12KDF(d digestFunc, password, salt []byte, id byte, iter, size int) []byte {
	D := make([]byte, d.v)
	for i := range D {
		D[i] = id
	}
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, d.v*((len(src)+d.v-1)/d.v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	I := append(fill(salt), fill(password)...)
	h := d.new()
	var out []byte
	B := make([]byte, d.v)
	for len(out) < size {
		h.Reset()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for range iter - 1 {
			h.Reset()
			h.Write(A)
			A = h.Sum(A[:0])
		}
		out = append(out, A...)
		if len(out) >= size {
			break
		}
		for i := range B {
			B[i] = A[i%d.u]
		}
		for j := 0; j < len(I); j += d.v {
			carry := 1
			for k := d.v - 1; k >= 0; k-- {
				sum := int(I[j+k]) + int(B[k]) + carry
				I[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	return out[:size]
}

// derivationsOf lists the derivations needed to open a file described by
// info with password.
func derivationsOf(info p12Info, password, side string) ([]derivation, error) {
	md, err := digestByName(info.macDigest)
	if err != nil {
		return nil, err
	}
	ds := []derivation{{what: side + " MAC key", kdf: "PKCS#12 KDF", digest: md.name, iter: info.macIter, password: password}}
	for _, b := range info.bags {
		prf, err := digestByName(b.prf)
		if err != nil {
			return nil, err
		}
		ds = append(ds, derivation{what: side + " " + b.what, kdf: "PBKDF2-HMAC", digest: prf.name, iter: b.iter, password: password})
	}
	return ds, nil
}

// floorJob is the list of derivations of scenario 3.
type floorJob struct {
	ds []derivation
}

func newFloorJob(inputs []p12Info, inPass string, out p12Info, outPass string) (*floorJob, error) {
	f := &floorJob{}
	for _, info := range inputs {
		ds, err := derivationsOf(info, inPass, "input")
		if err != nil {
			return nil, err
		}
		f.ds = append(f.ds, ds...)
	}
	for _, side := range []string{"output (write)", "output (read-back)"} {
		ds, err := derivationsOf(out, outPass, side)
		if err != nil {
			return nil, err
		}
		f.ds = append(f.ds, ds...)
	}
	for i := range f.ds {
		f.ds[i].salt = make([]byte, 20)
		rand.Read(f.ds[i].salt)
	}
	return f, nil
}

// run performs every derivation on GOMAXPROCS goroutines; the CPU time is
// the whole process's (nothing else runs in it meanwhile).
func (f *floorJob) run() (sample, error) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		ferr error
		sink byte
	)
	cpu0 := processCPU()
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var x byte
			for {
				i := int(next.Add(1)) - 1
				if i >= len(f.ds) {
					break
				}
				k, err := f.ds[i].derive()
				if err != nil {
					mu.Lock()
					ferr = err
					mu.Unlock()
					return
				}
				x ^= k[0]
			}
			mu.Lock()
			sink ^= x
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	_ = sink
	return sample{wall: wall, cpu: processCPU() - cpu0}, ferr
}

// processCPU is the user + system time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// summary lists the derivations by kind, in first-seen order.
func (f *floorJob) summary() []string {
	count := map[string]int{}
	var order []string
	for _, d := range f.ds {
		g := d.group()
		if count[g] == 0 {
			order = append(order, g)
		}
		count[g]++
	}
	lines := make([]string, 0, len(order))
	for _, g := range order {
		lines = append(lines, fmt.Sprintf("%d × %s", count[g], g))
	}
	return slices.Clip(lines)
}
