package keystore

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/testfs"

	"github.com/uccert/uccert/pkg/keystore/internal/jks"
	"github.com/uccert/uccert/pkg/keystore/internal/pkcs12"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// readBackStores are stores of every kind of entry, with the formats
// that hold them.
func readBackStores(t *testing.T) []struct {
	name    string
	s       *Store
	formats []EncodeOptions
} {
	p := getPKI(t)
	pw := secretPW("changeit1")
	jksOpts := EncodeOptions{Format: FormatJKS, Password: pw}
	modern := EncodeOptions{Format: FormatPKCS12, Password: pw}
	legacy := EncodeOptions{Format: FormatPKCS12, Password: pw, Profile: ProfileLegacy}
	load := func(file, password string) *Store {
		s, err := Load(filepath.Join(fixturesDir, file), DecodeOptions{Password: secretPW(password)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	loose := p.store(2, true)
	loose.Entries = append(loose.Entries, &Entry{Alias: "loose", Kind: KindCert, Chain: []*x509.Certificate{p.leaves[5].Chain[0]}})
	return []struct {
		name    string
		s       *Store
		formats []EncodeOptions
	}{
		{"keys with chains, a trusted certificate", p.store(4, true), []EncodeOptions{jksOpts, modern, legacy}},
		{"a certificate entry", loose, []EncodeOptions{modern}},
		{"24 keys (keytool)", load("stores/many.p12", "changeit1"), []EncodeOptions{jksOpts, modern}},
		{"trust store (keytool)", load("stores/truststore.p12", "trustpass1"), []EncodeOptions{jksOpts, modern}},
		{"secret keys", load("stores/secret-keys.p12", "changeit1"), []EncodeOptions{modern, legacy}},
		{"a DSA key", load("exports/dsa.pfx", "dsa-export"), []EncodeOptions{jksOpts, modern}},
	}
}

// The read-back without parsing agrees with a Decode and Compare of what
// was written: every store of every kind reads back.
func TestReadBackAccepts(t *testing.T) {
	for _, c := range readBackStores(t) {
		for _, opts := range c.formats {
			t.Run(c.name+", "+opts.Format.String()+" "+opts.Profile.String(), func(t *testing.T) {
				data, err := Encode(c.s, opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := checkWritten(c.s, data, opts); err != nil {
					t.Fatalf("read-back: %v", err)
				}
				got, err := Decode(data, DecodeOptions{Password: opts.Password})
				if err != nil {
					t.Fatal(err)
				}
				if err := Compare(c.s, got); err != nil {
					t.Fatalf("Decode and Compare: %v", err)
				}
			})
		}
	}
}

// flipped is c with one byte of its DER changed (in the signature, so
// that it still parses where anything parses it).
func flipped(c *x509.Certificate) *x509.Certificate {
	f := *c
	f.Raw = append([]byte(nil), c.Raw...)
	f.Raw[len(f.Raw)-3] ^= 0x01
	return &f
}

// retouch decodes a written PKCS#12 into its bags, lets edit change them
// and encodes them again under the same password: a file whose MAC
// verifies but whose content is not what was meant.
func retouch(t *testing.T, data []byte, edit func(c *pkcs12.Contents)) []byte {
	t.Helper()
	c, err := pkcs12.Decode(data, "changeit1", 0)
	if err != nil {
		t.Fatal(err)
	}
	edit(c)
	out, err := pkcs12.Encode(c, "changeit1", pkcs12.Modern(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// retouchJKS is retouch for JKS.
func retouchJKS(t *testing.T, data []byte, edit func(ents []jks.Entry)) []byte {
	t.Helper()
	ents, err := jks.Decode(data, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	edit(ents)
	out, err := jks.Encode(ents, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withoutMAC is a PFX with its MacData cut off.
func withoutMAC(t *testing.T, data []byte) []byte {
	t.Helper()
	in := cryptobyte.String(data)
	var pfx, authSafe cryptobyte.String
	var version int64
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1Element(&authSafe, cbasn1.SEQUENCE) {
		t.Fatal("not a PFX")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(version)
		b.AddBytes(authSafe)
	})
	return b.BytesOrPanic()
}

// A written file that is not what was meant is refused by the read-back,
// each with the difference in words: a certificate changed, a key that
// belongs to another alias, a missing or renamed entry, a trusted
// certificate without Java's attribute, a secret key changed, a file
// without MAC, a byte changed after writing, another password.
func TestReadBackRefuses(t *testing.T) {
	p := getPKI(t)
	want := p.store(2, true)
	m01 := want.Entries[0].Alias
	pw := secretPW("changeit1")
	encode := func(s *Store, f Format) []byte {
		t.Helper()
		data, err := Encode(s, EncodeOptions{Format: f, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	edited := func(edit func(s *Store)) *Store {
		s := p.store(2, true)
		edit(s)
		return s
	}
	secrets, err := Load(filepath.Join(fixturesDir, "stores", "secret-keys.p12"), DecodeOptions{Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	otherTrusted := p.store(2, false)
	otherTrusted.Entries = append(otherTrusted.Entries, &Entry{Alias: "other-cert", Kind: KindTrusted, Chain: []*x509.Certificate{p.leaves[5].Chain[0]}})
	cases := []struct {
		name   string
		format Format
		want   *Store // p.store(2, true) when nil
		data   func() []byte
		err    string // in the message
		is     error  // nil: any error
	}{
		{"leaf certificate changed", FormatJKS, nil, func() []byte {
			return encode(edited(func(s *Store) {
				s.Entries[0].Chain = []*x509.Certificate{flipped(p.leaves[0].Chain[0]), p.issuing, p.root}
			}), FormatJKS)
		}, `entry "` + m01 + `": certificate 1 differs`, nil},
		{"leaf certificate changed", FormatPKCS12, nil, func() []byte {
			return encode(edited(func(s *Store) {
				s.Entries[0].Chain = []*x509.Certificate{flipped(p.leaves[0].Chain[0]), p.issuing, p.root}
			}), FormatPKCS12)
		}, `entry "` + m01 + `": certificate 1 differs`, nil},
		{"chain certificate changed", FormatJKS, nil, func() []byte {
			return encode(edited(func(s *Store) {
				s.Entries[0].Chain = []*x509.Certificate{p.leaves[0].Chain[0], flipped(p.issuing), p.root}
			}), FormatJKS)
		}, `entry "` + m01 + `": certificate 2 differs`, nil},
		{"chain certificate changed in every chain", FormatPKCS12, nil, func() []byte {
			return retouch(t, encode(want, FormatPKCS12), func(c *pkcs12.Contents) {
				for i := range c.Certs {
					if c.Certs[i].Cert.Equal(p.issuing) {
						c.Certs[i].Raw = flipped(p.issuing).Raw
					}
				}
			})
		}, `entry "` + m01 + `": certificate 2 is not in the file`, nil},
		{"trusted certificate changed", FormatJKS, nil, func() []byte {
			return encode(edited(func(s *Store) { s.Entries[2].Chain = []*x509.Certificate{flipped(p.root)} }), FormatJKS)
		}, `entry "ucc-cert": certificate 1 differs`, nil},
		{"trusted certificate changed", FormatPKCS12, nil, func() []byte {
			return encode(edited(func(s *Store) { s.Entries[2].Chain = []*x509.Certificate{flipped(p.root)} }), FormatPKCS12)
		}, `entry "ucc-cert": certificate 1 differs`, nil},
		{"keys of two aliases swapped", FormatJKS, nil, func() []byte {
			return retouchJKS(t, encode(want, FormatJKS), func(ents []jks.Entry) {
				ents[0].Protected, ents[1].Protected = ents[1].Protected, ents[0].Protected
			})
		}, `entry "` + m01 + `": private key differs`, nil},
		{"keys of two aliases swapped", FormatPKCS12, nil, func() []byte {
			return retouch(t, encode(want, FormatPKCS12), func(c *pkcs12.Contents) {
				c.Keys[0].PKCS8, c.Keys[1].PKCS8 = c.Keys[1].PKCS8, c.Keys[0].PKCS8
			})
		}, `entry "` + m01 + `": private key differs`, nil},
		{"a key under another password", FormatJKS, nil, func() []byte {
			return retouchJKS(t, encode(want, FormatJKS), func(ents []jks.Entry) {
				der, err := jks.RecoverKey(ents[0].Protected, "changeit1")
				if err != nil {
					t.Fatal(err)
				}
				if ents[0].Protected, err = jks.ProtectKey(der, "another1", nil); err != nil {
					t.Fatal(err)
				}
			})
		}, `entry "` + m01 + `": key not recoverable with the store password`, nil},
		{"key certificate without localKeyId", FormatPKCS12, nil, func() []byte {
			return retouch(t, encode(want, FormatPKCS12), func(c *pkcs12.Contents) { c.Keys[0].Attrs.LocalKeyID = nil })
		}, `two entries are named "` + m01 + `"`, nil},
		{"entry renamed", FormatJKS, nil, func() []byte {
			return encode(edited(func(s *Store) { s.Entries[0].Alias = "other" }), FormatJKS)
		}, `entry "` + m01 + `" missing`, nil},
		{"entry renamed", FormatPKCS12, nil, func() []byte {
			return encode(edited(func(s *Store) { s.Entries[0].Alias = "other" }), FormatPKCS12)
		}, `entry "` + m01 + `" missing`, nil},
		{"entry left out", FormatJKS, nil, func() []byte {
			return encode(edited(func(s *Store) { s.Entries = s.Entries[1:] }), FormatJKS)
		}, `entry "` + m01 + `" missing`, nil},
		{"trusted attribute left out", FormatPKCS12, otherTrusted, func() []byte {
			return retouch(t, encode(otherTrusted, FormatPKCS12), func(c *pkcs12.Contents) {
				for i := range c.Certs {
					c.Certs[i].Attrs.JavaTrusted = false
				}
			})
		}, `entry "other-cert" is a cert entry, want trusted`, nil},
		{"trusted attribute of a chain certificate left out", FormatPKCS12, nil, func() []byte {
			return retouch(t, encode(want, FormatPKCS12), func(c *pkcs12.Contents) {
				for i := range c.Certs {
					c.Certs[i].Attrs.JavaTrusted = false
				}
			})
		}, `entry "ucc-cert" missing`, nil},
		{"a certificate added", FormatPKCS12, nil, func() []byte {
			return retouch(t, encode(want, FormatPKCS12), func(c *pkcs12.Contents) {
				c.Certs = append(c.Certs, pkcs12.CertBag{Cert: p.leaves[5].Chain[0]})
			})
		}, "4 entries, want 3", nil},
		{"secret keys swapped", FormatPKCS12, secrets, func() []byte {
			return retouch(t, encode(secrets, FormatPKCS12), func(c *pkcs12.Contents) {
				c.Secrets[0].PKCS8, c.Secrets[1].PKCS8 = c.Secrets[1].PKCS8, c.Secrets[0].PKCS8
			})
		}, `: secret key differs`, nil},
		{"no MAC", FormatPKCS12, nil, func() []byte { return withoutMAC(t, encode(want, FormatPKCS12)) }, "no integrity MAC", nil},
		{"a byte changed after writing", FormatJKS, nil, func() []byte {
			data := encode(want, FormatJKS)
			data[len(data)/2] ^= 0x01
			return data
		}, "", nil},
		{"a byte changed after writing", FormatPKCS12, nil, func() []byte {
			data := encode(want, FormatPKCS12)
			data[len(data)/2] ^= 0x01
			return data
		}, "", nil},
		{"another password", FormatJKS, nil, func() []byte {
			data, _ := Encode(want, EncodeOptions{Format: FormatJKS, Password: secretPW("another1")})
			return data
		}, "", ErrIncorrectPassword},
		{"another password", FormatPKCS12, nil, func() []byte {
			data, _ := Encode(want, EncodeOptions{Format: FormatPKCS12, Password: secretPW("another1")})
			return data
		}, "", ErrIncorrectPassword},
	}
	for _, c := range cases {
		t.Run(c.name+", "+c.format.String(), func(t *testing.T) {
			w := c.want
			if w == nil {
				w = want
			}
			err := checkWritten(w, c.data(), EncodeOptions{Format: c.format, Password: pw})
			if err == nil || !strings.Contains(err.Error(), c.err) || (c.is != nil && !errors.Is(err, c.is)) {
				t.Fatalf("read-back: %v, want an error saying %q", err, c.err)
			}
		})
	}
}

// A store whose file does not read back as the same entries is not
// written: WriteFile fails with ErrReadBack, naming the path, and leaves
// nothing behind. (A certificate entry that is also a key's chain
// certificate is read as part of the chain, not as an entry of its own.)
func TestWriteFileReadBackFails(t *testing.T) {
	p := getPKI(t)
	s := p.store(1, false)
	s.Entries = append(s.Entries, &Entry{Alias: "issuing", Kind: KindCert, Chain: []*x509.Certificate{p.issuing}})
	dir := testfs.Dir(t)
	out := filepath.Join(dir, "ucc.p12")
	err := WriteFile(out, s, WriteOptions{EncodeOptions: EncodeOptions{Format: FormatPKCS12, Password: secretPW("changeit1")}})
	if !errors.Is(err, ErrReadBack) || err.Error() != out+`: written file did not read back identically: entry "issuing" missing` {
		t.Fatalf("got %v, want ErrReadBack", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("the store was written: %v", err)
	}
	testfs.AssertOnlyFiles(t, dir)
}
