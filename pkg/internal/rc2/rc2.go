// Package rc2 implements the RC2 block cipher as specified in RFC 2268.
//
// RC2 is broken and must not be used to protect new data. It exists here
// only so that legacy PKCS#12 files can be read: Windows and older Java
// releases encrypt the certificate bag with pbeWithSHAAnd40BitRC2-CBC
// (a 5-byte key with 40 effective key bits), and some files use 128-bit RC2.
//
// The cipher returned by [New] implements [crypto/cipher.Block] and is
// combined with [crypto/cipher.NewCBCDecrypter] and friends for a mode.
package rc2

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// BlockSize is the RC2 block size in bytes.
const BlockSize = 8

// Limits on the key and the effective key length (RFC 2268 section 2).
const (
	MinKeyLen           = 1
	MaxKeyLen           = 128
	MinEffectiveKeyBits = 1
	MaxEffectiveKeyBits = 1024
)

var (
	// ErrKeySize is returned by New for a key shorter than MinKeyLen or
	// longer than MaxKeyLen bytes.
	ErrKeySize = errors.New("rc2: invalid key size")
	// ErrEffectiveKeyBits is returned by New for an effective key length
	// outside [MinEffectiveKeyBits, MaxEffectiveKeyBits].
	ErrEffectiveKeyBits = errors.New("rc2: invalid effective key length")
)

// piTable is PITABLE from RFC 2268 section 2, a permutation of 0..255
// derived from the digits of pi. A string constant, so it cannot be modified.
const piTable = "" +
	"\xd9\x78\xf9\xc4\x19\xdd\xb5\xed\x28\xe9\xfd\x79\x4a\xa0\xd8\x9d" +
	"\xc6\x7e\x37\x83\x2b\x76\x53\x8e\x62\x4c\x64\x88\x44\x8b\xfb\xa2" +
	"\x17\x9a\x59\xf5\x87\xb3\x4f\x13\x61\x45\x6d\x8d\x09\x81\x7d\x32" +
	"\xbd\x8f\x40\xeb\x86\xb7\x7b\x0b\xf0\x95\x21\x22\x5c\x6b\x4e\x82" +
	"\x54\xd6\x65\x93\xce\x60\xb2\x1c\x73\x56\xc0\x14\xa7\x8c\xf1\xdc" +
	"\x12\x75\xca\x1f\x3b\xbe\xe4\xd1\x42\x3d\xd4\x30\xa3\x3c\xb6\x26" +
	"\x6f\xbf\x0e\xda\x46\x69\x07\x57\x27\xf2\x1d\x9b\xbc\x94\x43\x03" +
	"\xf8\x11\xc7\xf6\x90\xef\x3e\xe7\x06\xc3\xd5\x2f\xc8\x66\x1e\xd7" +
	"\x08\xe8\xea\xde\x80\x52\xee\xf7\x84\xaa\x72\xac\x35\x4d\x6a\x2a" +
	"\x96\x1a\xd2\x71\x5a\x15\x49\x74\x4b\x9f\xd0\x5e\x04\x18\xa4\xec" +
	"\xc2\xe0\x41\x6e\x0f\x51\xcb\xcc\x24\x91\xaf\x50\xa1\xf4\x70\x39" +
	"\x99\x7c\x3a\x85\x23\xb8\xb4\x7a\xfc\x02\x36\x5b\x25\x55\x97\x31" +
	"\x2d\x5d\xfa\x98\xe3\x8a\x92\xae\x05\xdf\x29\x10\x67\x6c\xba\xc9" +
	"\xd3\x00\xe6\xcf\xe1\x9e\xa8\x2c\x63\x16\x01\x3f\x58\xe2\x89\xa9" +
	"\x0d\x38\x34\x1b\xab\x33\xff\xb0\xbb\x48\x0c\x5f\xb9\xb1\xcd\x2e" +
	"\xc5\xf3\xdb\x47\xe5\xa5\x9c\x77\x0a\xa6\x20\x68\xfe\x7f\xc1\xad"

// rc2Cipher is an expanded RC2 key: the 64 16-bit words K[0..63].
type rc2Cipher struct {
	k [64]uint16
}

// New returns an RC2 cipher for key (1 to 128 bytes) limited to
// effectiveKeyBits effective key bits (1 to 1024), the parameter T1 of
// RFC 2268. PKCS#12's pbeWithSHAAnd40BitRC2-CBC uses a 5-byte key with 40
// effective bits; pbeWithSHAAnd128BitRC2-CBC a 16-byte key with 128.
func New(key []byte, effectiveKeyBits int) (cipher.Block, error) {
	if len(key) < MinKeyLen || len(key) > MaxKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, want %d to %d", ErrKeySize, len(key), MinKeyLen, MaxKeyLen)
	}
	if effectiveKeyBits < MinEffectiveKeyBits || effectiveKeyBits > MaxEffectiveKeyBits {
		return nil, fmt.Errorf("%w: %d bits, want %d to %d", ErrEffectiveKeyBits, effectiveKeyBits, MinEffectiveKeyBits, MaxEffectiveKeyBits)
	}
	c := &rc2Cipher{}
	c.expandKey(key, effectiveKeyBits)
	return c, nil
}

// expandKey is the key expansion of RFC 2268 section 2.
func (c *rc2Cipher) expandKey(key []byte, t1 int) {
	var l [128]byte
	t := len(key)
	copy(l[:], key)
	for i := t; i < 128; i++ {
		l[i] = piTable[l[i-1]+l[i-t]]
	}
	t8 := (t1 + 7) / 8
	tm := byte(0xff >> uint(8*t8-t1))
	l[128-t8] = piTable[l[128-t8]&tm]
	for i := 127 - t8; i >= 0; i-- {
		l[i] = piTable[l[i+1]^l[i+t8]]
	}
	for i := range c.k {
		c.k[i] = uint16(l[2*i]) | uint16(l[2*i+1])<<8
	}
	clear(l[:])
}

func (c *rc2Cipher) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst (section 3):
// five mixing rounds, a mashing round, six mixing rounds, a mashing round,
// five mixing rounds. dst and src may overlap entirely.
func (c *rc2Cipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize {
		panic("rc2: input not full block")
	}
	if len(dst) < BlockSize {
		panic("rc2: output not full block")
	}
	r0 := binary.LittleEndian.Uint16(src[0:])
	r1 := binary.LittleEndian.Uint16(src[2:])
	r2 := binary.LittleEndian.Uint16(src[4:])
	r3 := binary.LittleEndian.Uint16(src[6:])
	k := &c.k
	j := 0
	mix := func() {
		r0 += k[j] + (r3 & r2) + (^r3 & r1)
		r0 = bits.RotateLeft16(r0, 1)
		r1 += k[j+1] + (r0 & r3) + (^r0 & r2)
		r1 = bits.RotateLeft16(r1, 2)
		r2 += k[j+2] + (r1 & r0) + (^r1 & r3)
		r2 = bits.RotateLeft16(r2, 3)
		r3 += k[j+3] + (r2 & r1) + (^r2 & r0)
		r3 = bits.RotateLeft16(r3, 5)
		j += 4
	}
	mash := func() {
		r0 += k[r3&63]
		r1 += k[r0&63]
		r2 += k[r1&63]
		r3 += k[r2&63]
	}
	for range 5 {
		mix()
	}
	mash()
	for range 6 {
		mix()
	}
	mash()
	for range 5 {
		mix()
	}
	binary.LittleEndian.PutUint16(dst[0:], r0)
	binary.LittleEndian.PutUint16(dst[2:], r1)
	binary.LittleEndian.PutUint16(dst[4:], r2)
	binary.LittleEndian.PutUint16(dst[6:], r3)
}

// Decrypt decrypts the first block of src into dst (section 4), running
// the inverse rounds in reverse order. dst and src may overlap entirely.
func (c *rc2Cipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize {
		panic("rc2: input not full block")
	}
	if len(dst) < BlockSize {
		panic("rc2: output not full block")
	}
	r0 := binary.LittleEndian.Uint16(src[0:])
	r1 := binary.LittleEndian.Uint16(src[2:])
	r2 := binary.LittleEndian.Uint16(src[4:])
	r3 := binary.LittleEndian.Uint16(src[6:])
	k := &c.k
	j := 63
	rmix := func() {
		r3 = bits.RotateLeft16(r3, -5)
		r3 -= k[j] + (r2 & r1) + (^r2 & r0)
		r2 = bits.RotateLeft16(r2, -3)
		r2 -= k[j-1] + (r1 & r0) + (^r1 & r3)
		r1 = bits.RotateLeft16(r1, -2)
		r1 -= k[j-2] + (r0 & r3) + (^r0 & r2)
		r0 = bits.RotateLeft16(r0, -1)
		r0 -= k[j-3] + (r3 & r2) + (^r3 & r1)
		j -= 4
	}
	rmash := func() {
		r3 -= k[r2&63]
		r2 -= k[r1&63]
		r1 -= k[r0&63]
		r0 -= k[r3&63]
	}
	for range 5 {
		rmix()
	}
	rmash()
	for range 6 {
		rmix()
	}
	rmash()
	for range 5 {
		rmix()
	}
	binary.LittleEndian.PutUint16(dst[0:], r0)
	binary.LittleEndian.PutUint16(dst[2:], r1)
	binary.LittleEndian.PutUint16(dst[4:], r2)
	binary.LittleEndian.PutUint16(dst[6:], r3)
}
