package keystore

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	kgo "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/uccert/uccert/pkg/secret"
)

const (
	jksMagic   = 0xFEEDFEED
	jceksMagic = 0xCECECECE
	jksTagKey  = 1
	jksTagCert = 2
)

// jksEntryInfo is what the structural pass learns about one entry.
type jksEntryInfo struct {
	alias string
	tag   uint32
}

// jksReader walks a JKS image, checking every length against the bytes
// that remain before anything is allocated.
type jksReader struct {
	b   []byte
	off int
}

func (r *jksReader) fail(what string) error {
	return fmt.Errorf("%w: JKS %s at offset %d (file has %d bytes)", ErrMalformed, what, r.off, len(r.b))
}

func (r *jksReader) need(n uint64, what string) error {
	if n > uint64(len(r.b)-r.off) {
		return r.fail(what + " runs past the end of the file")
	}
	return nil
}

func (r *jksReader) u16(what string) (uint16, error) {
	if err := r.need(2, what); err != nil {
		return 0, err
	}
	v := binary.BigEndian.Uint16(r.b[r.off:])
	r.off += 2
	return v, nil
}

func (r *jksReader) u32(what string) (uint32, error) {
	if err := r.need(4, what); err != nil {
		return 0, err
	}
	v := binary.BigEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

func (r *jksReader) skip(n uint64, what string) error {
	if err := r.need(n, what); err != nil {
		return err
	}
	r.off += int(n)
	return nil
}

func (r *jksReader) utf(what string) (string, error) {
	n, err := r.u16(what + " length")
	if err != nil {
		return "", err
	}
	if err := r.need(uint64(n), what); err != nil {
		return "", err
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s, nil
}

func (r *jksReader) cert(version uint32) error {
	if version == 2 {
		typ, err := r.utf("certificate type")
		if err != nil {
			return err
		}
		if typ != "X.509" {
			return fmt.Errorf("%w: JKS certificate type %q", ErrUnsupported, typ)
		}
	}
	n, err := r.u32("certificate length")
	if err != nil {
		return err
	}
	return r.skip(uint64(n), "certificate")
}

// scanJKS validates the whole structure of a JKS image and returns its
// entries in file order. keystore-go allocates whatever length fields say
// (docs/dependencies.md), so nothing reaches it before this pass succeeds.
func scanJKS(b []byte) ([]jksEntryInfo, error) {
	r := &jksReader{b: b}
	magic, err := r.u32("magic")
	if err != nil {
		return nil, err
	}
	switch magic {
	case jksMagic:
	case jceksMagic:
		return nil, fmt.Errorf("%w: JCEKS keystore; convert it with keytool -importkeystore -deststoretype pkcs12", ErrUnsupported)
	default:
		return nil, r.fail("magic number")
	}
	version, err := r.u32("version")
	if err != nil {
		return nil, err
	}
	if version != 1 && version != 2 {
		return nil, fmt.Errorf("%w: JKS version %d", ErrUnsupported, version)
	}
	count, err := r.u32("entry count")
	if err != nil {
		return nil, err
	}
	// Each entry takes at least 4 (tag) + 2 (alias) + 8 (date) + 4 bytes.
	const minEntry = 18
	if uint64(count)*minEntry > uint64(len(b)-r.off) {
		return nil, fmt.Errorf("%w: JKS entry count %d does not fit in %d bytes", ErrMalformed, count, len(b))
	}
	entries := make([]jksEntryInfo, 0, count)
	seen := make(map[string]bool, count)
	for i := uint32(0); i < count; i++ {
		tag, err := r.u32("entry tag")
		if err != nil {
			return nil, err
		}
		alias, err := r.utf("alias")
		if err != nil {
			return nil, err
		}
		if err := r.skip(8, "creation date"); err != nil {
			return nil, err
		}
		switch tag {
		case jksTagKey:
			n, err := r.u32("key length")
			if err != nil {
				return nil, err
			}
			if err := r.need(uint64(n), "protected key"); err != nil {
				return nil, err
			}
			if err := checkProtectedKey(r.b[r.off:r.off+int(n)], alias); err != nil {
				return nil, err
			}
			r.off += int(n)
			chain, err := r.u32("chain length")
			if err != nil {
				return nil, err
			}
			// Each certificate takes at least 4 bytes (6 more in version 2).
			if uint64(chain)*4 > uint64(len(b)-r.off) {
				return nil, fmt.Errorf("%w: JKS chain length %d of %q does not fit in the file", ErrMalformed, chain, alias)
			}
			for j := uint32(0); j < chain; j++ {
				if err := r.cert(version); err != nil {
					return nil, err
				}
			}
		case jksTagCert:
			if err := r.cert(version); err != nil {
				return nil, err
			}
		case 3:
			return nil, fmt.Errorf("%w: JKS secret-key entry %q (JCEKS)", ErrUnsupported, alias)
		default:
			return nil, r.fail(fmt.Sprintf("entry tag %d", tag))
		}
		key := FormatJKS.AliasKey(alias)
		if seen[key] {
			return nil, fmt.Errorf("%w: JKS alias %q appears twice", ErrMalformed, alias)
		}
		seen[key] = true
		entries = append(entries, jksEntryInfo{alias: alias, tag: tag})
	}
	if len(b)-r.off != sha1.Size {
		return nil, fmt.Errorf("%w: JKS integrity digest: %d bytes remain after the entries, want %d", ErrMalformed, len(b)-r.off, sha1.Size)
	}
	return entries, nil
}

// checkProtectedKey refuses a protected key that keystore-go would parse
// but then slice past its end: its key protector takes a 20-byte salt
// and a 20-byte digest from the encrypted key without checking that they
// are there (a panic, FuzzDecodeJKS).
func checkProtectedKey(b []byte, alias string) error {
	var ki struct {
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	if rest, err := asn1.Unmarshal(b, &ki); err == nil && len(rest) == 0 && len(ki.PrivateKey) < 2*sha1.Size {
		return fmt.Errorf("%w: JKS protected key of %q has %d bytes, too short for its salt and digest", ErrMalformed, alias, len(ki.PrivateKey))
	}
	return nil
}

// jksPassword turns a password into the bytes keystore-go maps to Java
// chars (0,b): only characters up to U+00FF can be expressed, the rule
// CheckPassword states for JKS.
func jksPassword(password secret.Password) ([]byte, error) {
	if err := CheckPassword(FormatJKS, password); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(password.Reveal()))
	for _, r := range password.Reveal() {
		out = append(out, byte(r))
	}
	return out, nil
}

// jksDigestOK checks the store's integrity digest as Java does:
// SHA-1(password as UTF-16BE || "Mighty Aphrodite" || body).
func jksDigestOK(b, pw []byte) bool {
	h := sha1.New()
	for _, c := range pw {
		h.Write([]byte{0, c})
	}
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(b[:len(b)-sha1.Size])
	return subtle.ConstantTimeCompare(h.Sum(nil), b[len(b)-sha1.Size:]) == 1
}

func decodeJKS(b []byte, opts DecodeOptions) (*Store, error) {
	infos, err := scanJKS(b)
	if err != nil {
		return nil, err
	}
	pw, err := jksPassword(opts.Password)
	if err != nil {
		return nil, err
	}
	if !jksDigestOK(b, pw) {
		return nil, fmt.Errorf("%w (JKS integrity check failed)", ErrIncorrectPassword)
	}
	ks := kgo.New(kgo.WithCaseExactAliases())
	if err := ks.Load(bytes.NewReader(b), pw); err != nil {
		return nil, fmt.Errorf("%w: JKS: %w", ErrMalformed, err)
	}
	keyPasswords := make([][]byte, 0, len(opts.KeyPasswords))
	for _, kp := range opts.KeyPasswords {
		p, err := jksPassword(kp)
		if err != nil {
			return nil, err
		}
		keyPasswords = append(keyPasswords, p)
	}
	s := &Store{Format: FormatJKS}
	for _, info := range infos {
		e := &Entry{Alias: info.alias}
		if info.tag == jksTagCert {
			tce, err := ks.GetTrustedCertificateEntry(info.alias)
			if err != nil {
				return nil, fmt.Errorf("%w: JKS entry %q: %w", ErrMalformed, info.alias, err)
			}
			c, err := x509.ParseCertificate(tce.Certificate.Content)
			if err != nil {
				return nil, fmt.Errorf("%w: JKS entry %q: certificate: %w", ErrMalformed, info.alias, err)
			}
			e.Kind, e.Chain, e.Created = KindTrusted, []*x509.Certificate{c}, tce.CreationTime
			s.Entries = append(s.Entries, e)
			continue
		}
		e.Kind = KindKey
		chain, err := ks.GetPrivateKeyEntryCertificateChain(info.alias)
		if err != nil {
			return nil, fmt.Errorf("%w: JKS entry %q: %w", ErrMalformed, info.alias, err)
		}
		for i, c := range chain {
			cert, err := x509.ParseCertificate(c.Content)
			if err != nil {
				return nil, fmt.Errorf("%w: JKS entry %q: certificate %d: %w", ErrMalformed, info.alias, i+1, err)
			}
			e.Chain = append(e.Chain, cert)
		}
		pke, err := ks.GetPrivateKeyEntry(info.alias, pw)
		if err != nil {
			for _, kp := range keyPasswords {
				if pke, err = ks.GetPrivateKeyEntry(info.alias, kp); err == nil {
					e.KeyPasswordDiffers = true
					break
				}
			}
		}
		if err != nil {
			e.KeyErr = fmt.Errorf("%w (keytool -importkeystore without -destkeypass leaves the source password on it)", ErrKeyPassword)
		} else {
			e.Created = pke.CreationTime
			key, perr := x509.ParsePKCS8PrivateKey(pke.PrivateKey)
			if perr != nil {
				e.KeyErr = fmt.Errorf("%w: key algorithm: %w", ErrUnsupported, perr)
			} else {
				e.Key = key
			}
		}
		s.Entries = append(s.Entries, e)
	}
	return s, nil
}

func encodeJKS(s *Store, opts EncodeOptions) ([]byte, error) {
	pw, err := jksPassword(opts.Password)
	if err != nil {
		return nil, err
	}
	if err := checkEntries(s, FormatJKS); err != nil {
		return nil, err
	}
	kopts := []kgo.Option{kgo.WithOrderedAliases()}
	if opts.Rand != nil {
		kopts = append(kopts, kgo.WithCustomRandomNumberGenerator(opts.Rand))
	}
	ks := kgo.New(kopts...)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	for _, e := range s.Entries {
		alias := FormatJKS.StoredAlias(e.Alias)
		created := e.Created
		if created.IsZero() {
			created = now
		}
		switch e.Kind {
		case KindKey:
			der, err := x509.MarshalPKCS8PrivateKey(e.Key)
			if err != nil {
				return nil, fmt.Errorf("key of %q: %w: %w", e.Alias, ErrUnsupported, err)
			}
			chain := make([]kgo.Certificate, len(e.Chain))
			for i, c := range e.Chain {
				chain[i] = kgo.Certificate{Type: "X.509", Content: c.Raw}
			}
			if err := ks.SetPrivateKeyEntry(alias, kgo.PrivateKeyEntry{CreationTime: created, PrivateKey: der, CertificateChain: chain}, pw); err != nil {
				return nil, fmt.Errorf("JKS entry %q: %w", e.Alias, err)
			}
		case KindTrusted:
			if err := ks.SetTrustedCertificateEntry(alias, kgo.TrustedCertificateEntry{CreationTime: created, Certificate: kgo.Certificate{Type: "X.509", Content: e.Chain[0].Raw}}); err != nil {
				return nil, fmt.Errorf("JKS entry %q: %w", e.Alias, err)
			}
		}
	}
	var buf bytes.Buffer
	if err := ks.Store(io.Writer(&buf), pw); err != nil {
		return nil, fmt.Errorf("JKS: %w", err)
	}
	return buf.Bytes(), nil
}
