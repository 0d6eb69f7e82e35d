package pkcs12

import (
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/fixtures"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// algWithParams encodes an AlgorithmIdentifier.
func algWithParams(oid asn1.ObjectIdentifier, params func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	addAlgorithm(&b, oid, params)
	return b.BytesOrPanic()
}

// pfxWithItem is a PFX without MAC whose authenticated safe holds one item
// of content type oid with content.
func pfxWithItem(oid asn1.ObjectIdentifier, content []byte) []byte {
	var pfx cryptobyte.Builder
	pfx.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(oid)
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(content)
							})
						})
					})
				})
			})
		})
	})
	return pfx.BytesOrPanic()
}

// Broken encodings are ErrMalformed, valid input this package does not
// implement is ErrUnsupported naming the thing; no message carries the
// text of the libraries underneath.
func TestErrorsInWords(t *testing.T) {
	opensslFile := fixture(t, "exports/fe1-openssl.pfx")
	scrypt := algWithParams(oidPBES2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addAlgorithm(b, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1OctetString([]byte("salt")) })
			})
			addAlgorithm(b, oidAES256CBC, func(b *cryptobyte.Builder) { b.AddASN1OctetString(make([]byte, 16)) })
		})
	})
	rc4 := algWithParams(oidPBEWithSHAAnd128BitRC4, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString([]byte("salt"))
			b.AddASN1Int64(2048)
		})
	})
	pbes1 := algWithParams(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3}, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString([]byte("salt"))
			b.AddASN1Int64(2048)
		})
	})
	var enveloped cryptobyte.Builder
	enveloped.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(0) })
	tests := []struct {
		name    string
		data    []byte
		wantErr error
		want    string
	}{
		{"truncated", opensslFile[:len(opensslFile)/2], ErrMalformed, "the PKCS#12 structure ends early (truncated file?)"},
		{"nested too deep", fixture(t, "hostile/ber-deep.p12"), ErrMalformed, "nested more than 64 levels deep"},
		{"garbage", fixture(t, "hostile/garbage.bin"), ErrMalformed, "malformed PKCS#12 file: "},
		{"RC4 key", craftedPFX(1, rc4), ErrUnsupported, "RC4 encryption (pbeWithSHAAnd128BitRC4)"},
		{"PBES1 key", craftedPFX(1, pbes1), ErrUnsupported, "PBES1 encryption (pbeWithMD5AndDES-CBC"},
		{"PBES2 with scrypt", craftedPFX(1, scrypt), ErrUnsupported, "PBES2 with scrypt key derivation"},
		{"public-key privacy", pfxWithItem(oidPKCS7Enveloped, enveloped.BytesOrPanic()), ErrUnsupported, "public-key privacy mode"},
		{"AES-GCM", craftedPFX(1, algWithParams(oidPBES2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(algWithParams(oidPBKDF2, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1OctetString([]byte("salt"))
						b.AddASN1Int64(1)
					})
				}))
				addAlgorithm(b, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 46}, nil)
			})
		})), ErrUnsupported, "PBES2 with AES-256-GCM encryption"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, "pw", 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if raw := fixtures.LibraryText(err, nil); raw != "" {
				t.Errorf("error %q has library text %q", msg, raw)
			}
		})
	}
}
