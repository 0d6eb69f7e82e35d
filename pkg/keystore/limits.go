package keystore

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"

	"github.com/uccert/uccert/pkg/keystore/internal/pkcs12"
)

// MaxPKCS12Entries is how many keys and certificates (PKCS#12 bags) one
// PKCS#12 file may hold: uccert reads no more, and writes no more.
const MaxPKCS12Entries = pkcs12.MaxBags

// checkLimits refuses, before any encoding work (key derivations,
// encryption), a store that uccert's own reader would refuse: a PKCS#12
// file of more than MaxPKCS12Entries keys and certificates, or any file
// estimated larger than MaxInputSize. The error names the limit and the
// count, up front, instead of after minutes of encoding.
func checkLimits(s *Store, f Format) error {
	bags, size := 0, 0
	seen := map[string]bool{}
	cert := func(der []byte) {
		if f == FormatPKCS12 {
			if seen[string(der)] {
				return
			}
			seen[string(der)] = true
			bags++
		}
		size += len(der) + 64
	}
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
		if e.Kind == KindKey {
			bags++
			size += keySize(e) + 128
		}
		for i, c := range e.Chain {
			if c == nil || (i > 0 && e.Kind != KindKey) {
				continue
			}
			cert(c.Raw)
		}
		size += len(e.Alias)*2 + 64
	}
	switch {
	case f == FormatPKCS12 && bags > MaxPKCS12Entries:
		return fmt.Errorf("%w: the store would hold %d keys and certificates; a PKCS#12 file holds at most %d for uccert (write a JKS store, or split the entries)", ErrTooLarge, bags, MaxPKCS12Entries)
	case size > MaxInputSize:
		return fmt.Errorf("%w: the store would take about %d MiB; uccert reads stores of at most %d MiB", ErrTooLarge, size>>20+1, MaxInputSize>>20)
	}
	return nil
}

// keySize estimates the encoded size of an entry's private key.
func keySize(e *Entry) int {
	switch k := e.Key.(type) {
	case *rsa.PrivateKey:
		return 5*k.Size() + 64
	case *ecdsa.PrivateKey:
		return 160
	}
	return 1024
}
