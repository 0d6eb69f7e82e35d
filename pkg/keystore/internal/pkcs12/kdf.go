package pkcs12

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"
	"unicode/utf16"
)

// digest describes a hash function usable by the PKCS#12 KDF, PBKDF2 and
// HMAC, with the cost of one iteration of each (see cost.go).
type digest struct {
	name  string
	oid   asn1.ObjectIdentifier // as a MAC digest algorithm
	hmac  asn1.ObjectIdentifier // as a PBKDF2 PRF or PBMAC1 scheme
	new   func() hash.Hash
	size  int // u in RFC 7292 appendix B
	block int // v in RFC 7292 appendix B
	// pbkdf2Cost and kdfCost are the measured nanoseconds of one PBKDF2
	// (HMAC) iteration and of one PKCS#12 KDF iteration.
	pbkdf2Cost, kdfCost int64
}

var digests = []digest{
	{"SHA-1", oidSHA1, oidHMACWithSHA1, sha1.New, 20, 64, costPBKDF2SHA1, costKDFSHA1},
	{"SHA-224", oidSHA224, oidHMACWithSHA224, sha256.New224, 28, 64, costPBKDF2SHA256, costKDFSHA256},
	{"SHA-256", oidSHA256, oidHMACWithSHA256, sha256.New, 32, 64, costPBKDF2SHA256, costKDFSHA256},
	{"SHA-384", oidSHA384, oidHMACWithSHA384, sha512.New384, 48, 128, costPBKDF2SHA512, costKDFSHA512},
	{"SHA-512", oidSHA512, oidHMACWithSHA512, sha512.New, 64, 128, costPBKDF2SHA512, costKDFSHA512},
}

func digestByOID(oid asn1.ObjectIdentifier) (digest, error) {
	for _, d := range digests {
		if d.oid.Equal(oid) {
			return d, nil
		}
	}
	return digest{}, unsupported("MAC digest algorithm %s", algorithmName(oid))
}

func digestByPRF(oid asn1.ObjectIdentifier) (digest, error) {
	for _, d := range digests {
		if d.hmac.Equal(oid) {
			return d, nil
		}
	}
	return digest{}, unsupported("HMAC algorithm %s", algorithmName(oid))
}

// Diversifiers of the PKCS#12 KDF (RFC 7292 B.3).
const (
	kdfKey = 1
	kdfIV  = 2
	kdfMAC = 3
)

// bmpPassword encodes a password as the PKCS#12 KDF wants it: a BMPString
// (UTF-16 big-endian, as Java's char[] and OpenSSL's OPENSSL_utf82uni make
// it) with a terminating zero character. Characters outside the BMP become
// surrogate pairs, as in Java.
func bmpPassword(password string) []byte {
	units := utf16.Encode([]rune(password))
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return append(out, 0, 0)
}

// pkcs12KDF is the key derivation function of RFC 7292 appendix B.2.
// password is the BMPString form (see bmpPassword) or nil.
func pkcs12KDF(d digest, password, salt []byte, id byte, iterations, size int) []byte {
	v, u := d.block, d.size
	D := make([]byte, v)
	for i := range D {
		D[i] = id
	}
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	I := append(fill(salt), fill(password)...)
	out := make([]byte, 0, size+u)
	h := d.new()
	B := make([]byte, v)
	for len(out) < size {
		h.Reset()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for r := 1; r < iterations; r++ {
			h.Reset()
			h.Write(A)
			A = h.Sum(A[:0])
		}
		out = append(out, A...)
		if len(out) >= size {
			break
		}
		for i := range B {
			B[i] = A[i%u]
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
		for j := 0; j < len(I); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(I[j+k]) + int(B[k]) + carry
				I[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	return out[:size]
}
