package keystore

import (
	"crypto/x509"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/secret"
)

// fakeTrusted is a store of n trusted entries whose certificates are
// distinct byte strings of size bytes (the limits look at sizes only).
func fakeTrusted(n, size int) *Store {
	s := &Store{}
	for i := 0; i < n; i++ {
		raw := make([]byte, size)
		binary.BigEndian.PutUint32(raw, uint32(i))
		s.Entries = append(s.Entries, &Entry{Kind: KindTrusted, Alias: "ca-" + strconv.Itoa(i), Chain: []*x509.Certificate{{Raw: raw}}})
	}
	return s
}

// Stores uccert's reader would refuse are refused before any encoding:
// the count of PKCS#12 bags and the size, named in the error (0.1.0
// encoded a 20,000-certificate trust store for 45 s, then refused it in
// the read-back; built 378 MB for a 60,000-certificate JKS).
func TestEncodeLimitsUpFront(t *testing.T) {
	pw := secret.NewPassword("changeit1")
	cases := []struct {
		name   string
		s      *Store
		format Format
		want   string
	}{
		{"20,000 certificates as PKCS#12", fakeTrusted(20000, 900), FormatPKCS12, "would hold 20000 keys and certificates; a PKCS#12 file holds at most 5000"},
		{"60,000 certificates as JKS", fakeTrusted(60000, 900), FormatJKS, "the store would take about 6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Encode(c.s, EncodeOptions{Format: c.format, Password: pw})
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrTooLarge with %q", err, c.want)
			}
		})
	}
	if err := checkLimits(fakeTrusted(MaxPKCS12Entries, 900), FormatPKCS12); err != nil {
		t.Errorf("%d certificates: %v", MaxPKCS12Entries, err)
	}
}
