package keystore

import (
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/chain"
	"github.com/uccert/uccert/pkg/internal/ber"
	"github.com/uccert/uccert/pkg/internal/limitio"
	"github.com/uccert/uccert/pkg/secret"
)

// DecodeOptions are the passwords for Decode.
type DecodeOptions struct {
	// Password is the store password; for a PEM file, the password of
	// its encrypted private keys (ignored for other certificate files).
	Password secret.Password
	// KeyPasswords are tried, in order, for JKS keys that the store
	// password does not unlock (keytool's -srckeypass).
	KeyPasswords []secret.Password
	// Unverified reads a JKS store without its password, as keytool -list
	// does: the certificates of a JKS are not encrypted, so the entries
	// are listed, but the integrity digest is not checked and no key is
	// recovered (Entry.KeyErr wraps ErrKeyPassword); Store.Notes says so.
	// It does not apply to PKCS#12, whose content is encrypted.
	Unverified bool
	// MaxIterations lowers the largest PKCS#12 iteration count accepted
	// (0: 10,000,000, the most that is ever accepted). A daemon that knows
	// its stores can bound the work an unexpected file causes.
	MaxIterations int
}

// Detect tells a file's format from its content.
func Detect(data []byte) Format {
	if len(data) >= 4 {
		switch binary.BigEndian.Uint32(data) {
		case jksMagic, jceksMagic:
			return FormatJKS
		}
	}
	if looksLikePKCS12(data) {
		return FormatPKCS12
	}
	if f, ok := certfile.Detect(data); ok {
		switch f {
		case certfile.FormatDER:
			return FormatDER
		case certfile.FormatPEM:
			return FormatPEM
		case certfile.FormatPKCS7:
			return FormatPKCS7
		}
	}
	return FormatUnknown
}

// looksLikePKCS12 checks the first bytes of a PFX: SEQUENCE { INTEGER 3,
// SEQUENCE { OID 1.2.840.113549.1.7.x ... } }, in DER or BER.
func looksLikePKCS12(b []byte) bool {
	if len(b) < 2 || b[0] != 0x30 {
		return false
	}
	i := 1
	// Skip the outer length (short, long, or indefinite form).
	switch l := b[i]; {
	case l < 0x80 || l == 0x80:
		i++
	default:
		i += 1 + int(l&0x7F)
	}
	want := []byte{0x02, 0x01, 0x03, 0x30}
	if len(b) < i+len(want) {
		return false
	}
	for k, w := range want {
		if b[i+k] != w {
			return false
		}
	}
	return true
}

// Decode reads a JKS, PKCS#12 or certificate file. A wrong store password
// is ErrIncorrectPassword; any structural problem wraps ErrMalformed,
// ErrUnsupported, ErrLimit or ErrUnknownFormat.
func Decode(data []byte, opts DecodeOptions) (s *Store, err error) {
	if len(data) > MaxInputSize {
		return nil, ErrTooLarge
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrMalformed)
	}
	// A parser bug must not take the caller's process down with it.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%w: internal error while decoding (please report): %v", ErrMalformed, r)
		}
	}()
	switch f := Detect(data); f {
	case FormatJKS:
		return decodeJKS(data, opts)
	case FormatPKCS12:
		return decodePKCS12(data, opts)
	case FormatDER, FormatPEM, FormatPKCS7:
		return decodeCertFile(data, f, opts)
	}
	if data[0] == 0x30 {
		// ASN.1 that is none of ours: say what is wrong with it if anything.
		if _, err := ber.ToDER(data); err != nil {
			return nil, fmt.Errorf("%w: %s", ErrMalformed, ber.Words("the ASN.1 structure", err))
		}
	}
	return nil, ErrUnknownFormat
}

// Load reads the file at path (at most MaxInputSize bytes, ReadFile) and
// decodes it. Errors name the path.
func Load(path string, opts DecodeOptions) (*Store, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Decode(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ReadFile reads path, refusing files over MaxInputSize (ErrTooLarge)
// without reading them whole. Errors name the path; a missing file is
// errors.Is fs.ErrNotExist.
func ReadFile(path string) ([]byte, error) {
	data, err := limitio.ReadFile(path, MaxInputSize, ErrTooLarge)
	return data, limitio.NamePath(path, err)
}

func decodeCertFile(data []byte, f Format, opts DecodeOptions) (*Store, error) {
	cf, err := certfile.Decode(data)
	if err != nil {
		switch {
		case errors.Is(err, certfile.ErrTooLarge):
			return nil, wrapKind(ErrTooLarge, err)
		case errors.Is(err, certfile.ErrUnknownFormat):
			return nil, wrapKind(ErrUnknownFormat, err)
		case errors.Is(err, certfile.ErrNegativeSerial):
			return nil, wrapKind(ErrUnsupported, err)
		}
		return nil, wrapKind(ErrMalformed, err)
	}
	decrypted, err := decryptPEMKeys(cf, opts)
	if err != nil {
		return nil, err
	}
	cf.Keys = append(cf.Keys, decrypted...)
	keys := make([]keyCand, len(cf.Keys))
	entries := make([]*Entry, len(cf.Keys))
	for i, k := range cf.Keys {
		e := &Entry{Kind: KindKey, Key: k}
		if u, ok := k.(*certfile.UnsupportedKey); ok {
			// A key Go's crypto cannot use: listed and kept as it is.
			e.Key, e.PKCS8, e.KeyErr = readKey(u.PKCS8)
		}
		keys[i], entries[i] = keyCand{key: e.Key}, e
	}
	certs := make([]certCand, len(cf.Certificates))
	for j, c := range cf.Certificates {
		certs[j] = certCand{cert: c}
	}
	s := &Store{Format: f}
	var b *chainer // made for the first key: a file of certificates alone needs no pool
	chainMember := map[string]bool{}
	for i, leaf := range pairKeys(keys, certs) {
		e := entries[i]
		if leaf >= 0 {
			if b == nil {
				b = newChainer(cf.Certificates)
			}
			e.Chain = b.build(cf.Certificates[leaf])
			for _, c := range e.Chain {
				chainMember[string(c.Raw)] = true
			}
		}
		// A key file without its certificate is listed, not usable
		// (Entry.Usable says ErrNoCertificate).
		s.Entries = append(s.Entries, e)
	}
	for _, c := range cf.Certificates {
		if len(cf.Keys) > 0 && chainMember[string(c.Raw)] {
			continue
		}
		s.Entries = append(s.Entries, &Entry{Kind: KindCert, Chain: []*x509.Certificate{c}})
	}
	return s, nil
}

// maxFileSignatureChecks bounds the signature checks of chain building
// in one file (look-alike CA certificates cost no more than this).
const maxFileSignatureChecks = 1000

// chainer completes the chains of one file's keys from its certificates,
// within one signature-check budget.
type chainer struct {
	pool   *chain.Pool
	budget *chain.Budget
}

func newChainer(certs []*x509.Certificate) *chainer {
	return &chainer{pool: chain.NewPool(certs...), budget: chain.NewBudget(maxFileSignatureChecks)}
}

// build returns leaf and its issuers from the file, leaf first.
func (c *chainer) build(leaf *x509.Certificate) []*x509.Certificate {
	return chain.Build(leaf, chain.Options{Pool: c.pool, Budget: c.budget}).Chain
}
