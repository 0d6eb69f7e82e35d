// Package certfile reads certificate files as administrators get them: DER
// .cer/.crt, PEM bundles, PKCS#7 .p7b/.p7c in DER or PEM, and PEM private
// keys (encrypted ones are listed for the caller with the password:
// File.Encrypted, ParseKey).
//
// [Decode] takes the bytes of a file and works out which of these it holds
// ([Detect] does only that, cheaply); [Load] reads a file first, refusing
// files over [MaxSize]. Certificates and keys come back in file order. Text
// around PEM blocks (the subject and issuer lines "openssl x509 -text" and
// "openssl pkcs7 -print_certs" write, comments) is ignored, and so are PEM
// blocks of other types ("EC PARAMETERS", "CERTIFICATE REQUEST", ...).
//
// PKCS#7 files may be BER (Windows and streaming encoders write indefinite
// lengths); they are converted with the ber package, which bounds nesting.
//
// Every certificate goes through [ParseCertificate], crypto/x509's parser
// made to read what OpenSSL and Java read: a subjectAltName with non-ASCII
// names is read (and [MalformedNames] lists those names). Certificates
// with a negative serial number (older Windows CAs issued them) are read
// only when the program runs with GODEBUG=x509negativeserial=1, which
// crypto/x509 needs for them: put the line
//
//	//go:debug x509negativeserial=1
//
// above the package clause of the program's main package (uccert's
// command line does), or set the environment variable. Without it such a
// certificate is [ErrNegativeSerial], whose message names the setting.
//
// PKCS#8 private keys are read as crypto/x509 reads them, and DSA keys as
// *dsa.PrivateKey; a key of another algorithm Go's crypto cannot use is an
// [UnsupportedKey] (listed, kept as it is), not an error.
//
// Every error wraps one of the sentinel errors below, so callers can test
// for it with [errors.Is] and show the message as it is.
package certfile

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/uccert/uccert/pkg/internal/limitio"
	"github.com/uccert/uccert/pkg/internal/pkcs8"
)

// MaxSize is the largest input Decode and Load accept, in bytes.
const MaxSize = 16 << 20

var (
	// ErrTooLarge: the input is larger than MaxSize.
	ErrTooLarge = errors.New("certfile: file too large")
	// ErrNoCertificates: a well-formed file holds no certificate and no
	// private key (a PEM file with other blocks only, an empty PKCS#7).
	ErrNoCertificates = errors.New("certfile: no certificates or private keys in the file")
	// ErrEncryptedKey: a PEM private key is encrypted ("ENCRYPTED PRIVATE
	// KEY", or a "Proc-Type: 4,ENCRYPTED" header) in a way that cannot be
	// decrypted. Decode lists encrypted keys in File.Encrypted; package
	// keystore decrypts them with the input's password.
	ErrEncryptedKey = errors.New("certfile: encrypted PEM private key")
	// ErrUnknownFormat: the input is not a DER certificate, PEM or a
	// PKCS#7 certificate container.
	ErrUnknownFormat = errors.New("certfile: not a DER certificate, PEM or PKCS#7 certificate file")
	// ErrMalformed: the input looks like one of the supported formats but
	// does not parse. The message carries the underlying parser's.
	ErrMalformed = errors.New("certfile: malformed file")
)

// Format is the kind of a certificate file.
type Format int

// The formats Decode reads. The zero Format is not one of them.
const (
	// FormatDER is a single DER-encoded X.509 certificate (.cer, .crt, .der).
	FormatDER Format = iota + 1
	// FormatPEM is a PEM file with certificates and/or private keys.
	FormatPEM
	// FormatPKCS7 is a PKCS#7 certificate container (.p7b, .p7c) in DER or
	// BER, or a PEM file whose only blocks are "PKCS7" or "CMS" blocks.
	FormatPKCS7
)

// String returns "der", "pem" or "pkcs7".
func (f Format) String() string {
	switch f {
	case FormatDER:
		return "der"
	case FormatPEM:
		return "pem"
	case FormatPKCS7:
		return "pkcs7"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// File is the content of a certificate file.
type File struct {
	Format Format
	// Certificates in file order.
	Certificates []*x509.Certificate
	// Keys holds the PEM private keys in file order: PKCS#8 "PRIVATE
	// KEY", PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY", as
	// *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey,
	// *ecdh.PrivateKey or *dsa.PrivateKey (DSA keys, which crypto/x509
	// does not parse, are read here), and as *UnsupportedKey for a PKCS#8
	// key whose algorithm Go's crypto cannot use. DER and PKCS#7 files
	// have none.
	Keys []crypto.PrivateKey
	// Encrypted holds the PEM private keys that are encrypted, in file
	// order: PKCS#8 "ENCRYPTED PRIVATE KEY" blocks and OpenSSL's
	// traditional "RSA PRIVATE KEY"/"EC PRIVATE KEY" with "Proc-Type:
	// 4,ENCRYPTED". Keys does not hold them; the caller that has the
	// password decrypts them (package keystore) and parses the result
	// with ParseKey.
	Encrypted []EncryptedKey
}

// EncryptedKey is an encrypted PEM private key block.
type EncryptedKey struct {
	// Block is the number of the PEM block in the file, from 1.
	Block int
	// PEM is the block: its Type ("ENCRYPTED PRIVATE KEY", "RSA PRIVATE
	// KEY", ...), the headers (Proc-Type, DEK-Info) and the encrypted
	// bytes.
	PEM *pem.Block
}

// UnsupportedKey is a PEM PKCS#8 private key whose algorithm Go's crypto
// cannot use (GOST R 34.10, Ed448, X448, ...): the file is read, the key
// is listed with the reason (Err names the key in words: "GOST R
// 34.10-2001 key", ...) and can be written back as it was (PKCS8).
type UnsupportedKey struct {
	PKCS8 []byte
	Err   error
}

// keyError says in words why a PEM private key block cannot be read.
func keyError(n int, label string, err error) error {
	words := "not a valid private key"
	if w := pkcs8.LibraryWords(err); w != "" {
		words += " (" + w + ")"
	}
	return &certError{where: fmt.Sprintf("PEM block %d (%s)", n, label), kind: ErrMalformed, words: words, cause: err}
}

// Fingerprint returns the SHA-256 fingerprint of c (of its DER encoding)
// as lowercase hex without separators.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// Load reads the file at path and decodes it with Decode. It reads at most
// MaxSize+1 bytes: a larger file is refused with ErrTooLarge without
// reading the rest. Errors are prefixed with path.
func Load(path string) (*File, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, limitio.NamePath(path, err)
	}
	f, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func readLimited(path string) ([]byte, error) {
	return limitio.ReadFile(path, MaxSize, ErrTooLarge)
}

// Decode parses a certificate file: a DER certificate, a DER or BER PKCS#7
// container, or PEM with certificates ("CERTIFICATE", "X509 CERTIFICATE",
// "TRUSTED CERTIFICATE"), PKCS#7 ("PKCS7", "CMS") and private keys. A
// file with neither certificates nor keys is an error (ErrNoCertificates).
func Decode(data []byte) (*File, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	format, armoured, ok := sniff(data)
	if !ok {
		return nil, ErrUnknownFormat
	}
	if armoured {
		return decodePEM(bytes.TrimPrefix(data, utf8BOM), format)
	}
	f := &File{Format: format}
	switch format {
	case FormatDER:
		c, err := parseCertAt(data, "DER certificate")
		if err != nil {
			return nil, err
		}
		f.Certificates = []*x509.Certificate{c}
	case FormatPKCS7:
		certs, err := parsePKCS7Certificates(data)
		if err != nil {
			return nil, err
		}
		f.Certificates = certs
	}
	return f, nil
}

// Detect reports the format of data by looking at its first bytes (and, for
// PEM, at the labels of its blocks) without parsing it. ok is false when
// data is none of the formats Decode reads. Decode may still fail on data
// Detect accepts.
func Detect(data []byte) (format Format, ok bool) {
	format, _, ok = sniff(data)
	return format, ok
}

// sniff is Detect, also telling whether the data is PEM-armoured.
func sniff(data []byte) (format Format, armoured, ok bool) {
	if f, ok := sniffDER(data); ok {
		return f, false, true
	}
	if blocks := pemBlocks(bytes.TrimPrefix(data, utf8BOM)); len(blocks) > 0 {
		return pemFormat(blocks), true, true
	}
	return 0, false, false
}

// DER object identifiers of the PKCS#7 content types that carry
// certificates, as they appear after the 06 tag and length.
var (
	oidSignedData           = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02} // 1.2.840.113549.1.7.2
	oidNetscapeCertSequence = []byte{0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x02, 0x05} // 2.16.840.1.113730.2.5
)

// sniffDER recognises a DER (or BER) certificate or PKCS#7 ContentInfo
// from the first few identifiers:
//
//	Certificate: 30 … 30 … (A0 version | 02 serial)
//	ContentInfo: 30 … 06 09 <signedData or netscape-cert-sequence>
func sniffDER(data []byte) (Format, bool) {
	inner, ok := enter(data, 0x30)
	if !ok || len(inner) == 0 {
		return 0, false
	}
	switch inner[0] {
	case 0x30:
		tbs, ok := enter(inner, 0x30)
		if ok && len(tbs) > 0 && (tbs[0] == 0xa0 || tbs[0] == 0x02) {
			return FormatDER, true
		}
	case 0x06:
		if len(inner) >= 2 && int(inner[1]) <= len(inner)-2 {
			oid := inner[2 : 2+int(inner[1])]
			if bytes.Equal(oid, oidSignedData) || bytes.Equal(oid, oidNetscapeCertSequence) {
				return FormatPKCS7, true
			}
		}
	}
	return 0, false
}

// enter checks that b starts with the single-octet identifier tag and a
// well-formed length (definite or indefinite) and returns the bytes after
// the length octets. It does not check that the contents are all there.
func enter(b []byte, tag byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, false
	}
	l := b[1]
	switch {
	case l <= 0x80: // short form, or indefinite
		return b[2:], true
	case l == 0xff:
		return nil, false
	default:
		n := int(l & 0x7f)
		if n > 4 || len(b) < 2+n {
			return nil, false
		}
		return b[2+n:], true
	}
}

// pemBlock is a PEM "-----BEGIN …-----" line found in the input.
type pemBlock struct {
	start int    // offset of the BEGIN line
	label string // the type between "BEGIN " and "-----"
}

var (
	pemBegin = []byte("-----BEGIN ")
	// utf8BOM starts PEM files saved by Windows Notepad as "UTF-8 with BOM".
	utf8BOM = []byte("\xef\xbb\xbf")
)

// pemBlocks finds the BEGIN lines (at the start of the input or of a
// line), the way encoding/pem does.
func pemBlocks(data []byte) []pemBlock {
	var blocks []pemBlock
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], pemBegin)
		if i < 0 {
			break
		}
		start := off + i
		off = start + len(pemBegin)
		if start > 0 && data[start-1] != '\n' {
			continue
		}
		line := data[off:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		label, ok := bytes.CutSuffix(bytes.TrimRight(line, " \t\r"), []byte("-----"))
		if !ok {
			continue
		}
		blocks = append(blocks, pemBlock{start: start, label: string(label)})
	}
	return blocks
}

// pemFormat is FormatPKCS7 when every block is a PKCS#7 one, else FormatPEM.
func pemFormat(blocks []pemBlock) Format {
	for _, b := range blocks {
		if !isPKCS7Label(b.label) {
			return FormatPEM
		}
	}
	return FormatPKCS7
}

func isPKCS7Label(label string) bool { return label == "PKCS7" || label == "CMS" }

// decodePEM decodes every PEM block. A certificate, PKCS#7 or key block
// that encoding/pem cannot read (bad base64, no END line) is an error
// rather than skipped, so that a damaged certificate is not silently lost
// from a bundle; damaged blocks of other types are ignored like the rest.
func decodePEM(data []byte, format Format) (*File, error) {
	f := &File{Format: format}
	blocks := pemBlocks(data)
	for i, b := range blocks {
		n := i + 1
		block, rest := pem.Decode(data[b.start:])
		end := len(data) - len(rest)
		if block == nil || (i+1 < len(blocks) && end > blocks[i+1].start) {
			if !knownLabel(b.label) {
				continue
			}
			return nil, fmt.Errorf("%w: PEM block %d (%s) is damaged: bad base64, headers or END line", ErrMalformed, n, b.label)
		}
		if err := f.addPEM(n, block); err != nil {
			return nil, err
		}
	}
	if len(f.Certificates) == 0 && len(f.Keys) == 0 && len(f.Encrypted) == 0 {
		for _, b := range blocks {
			if b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST" {
				return nil, fmt.Errorf("%w: it is a certificate request (CSR), what is sent to a CA; give the certificate the CA issued for it", ErrNoCertificates)
			}
		}
		return nil, fmt.Errorf("%w (PEM blocks found: %d)", ErrNoCertificates, len(blocks))
	}
	return f, nil
}

// knownLabel reports whether addPEM reads blocks with this label.
func knownLabel(label string) bool {
	switch label {
	case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE", "PKCS7", "CMS",
		"ENCRYPTED PRIVATE KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		return true
	}
	return false
}

// addPEM adds the certificates or key of PEM block n to f.
func (f *File) addPEM(n int, block *pem.Block) error {
	if _, ok := block.Headers["DEK-Info"]; ok || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		if !isKeyLabel(block.Type) {
			return fmt.Errorf("%w: PEM block %d (%s) is encrypted, which only a private key can be", ErrMalformed, n, block.Type)
		}
		f.Encrypted = append(f.Encrypted, EncryptedKey{Block: n, PEM: block})
		return nil
	}
	switch block.Type {
	case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
		der := block.Bytes
		if block.Type == "TRUSTED CERTIFICATE" {
			// OpenSSL's trusted form: the certificate, then its trust
			// settings (X509_CERT_AUX), which are not kept.
			var err error
			if der, err = firstElement(der); err != nil {
				return fmt.Errorf("%w: PEM block %d (%s): the certificate is not a DER SEQUENCE", ErrMalformed, n, block.Type)
			}
		}
		c, err := parseCertAt(der, fmt.Sprintf("PEM block %d (%s)", n, block.Type))
		if err != nil {
			return err
		}
		f.Certificates = append(f.Certificates, c)
	case "PKCS7", "CMS":
		certs, err := parsePKCS7Certificates(block.Bytes)
		if err != nil {
			return fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		f.Certificates = append(f.Certificates, certs...)
	case "ENCRYPTED PRIVATE KEY":
		f.Encrypted = append(f.Encrypted, EncryptedKey{Block: n, PEM: block})
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		key, err := ParseKey(block.Type, block.Bytes)
		if err != nil {
			return keyError(n, block.Type, err)
		}
		f.Keys = append(f.Keys, key)
	}
	return nil
}

// isKeyLabel reports whether a PEM label is one of a private key's.
func isKeyLabel(label string) bool {
	switch label {
	case "ENCRYPTED PRIVATE KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		return true
	}
	return false
}

// ParseKey parses the DER of a private key PEM block by its label:
// PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE
// KEY", giving the types File.Keys holds (a PKCS#8 key of an algorithm
// Go's crypto cannot use is an *UnsupportedKey). It is how Decode reads
// key blocks, and how a decrypted EncryptedKey is read.
func ParseKey(label string, der []byte) (crypto.PrivateKey, error) {
	var key crypto.PrivateKey
	var err error
	var ue *pkcs8.UnsupportedError
	switch label {
	case "PRIVATE KEY":
		key, err = pkcs8.Parse(der)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	default:
		return nil, fmt.Errorf("%w: %q is not a private key label", ErrUnknownFormat, label)
	}
	if errors.As(err, &ue) {
		// Listed, and kept as it is (GOST, Ed448, ...).
		return &UnsupportedKey{PKCS8: append([]byte(nil), der...), Err: err}, nil
	}
	return key, err
}

// firstElement returns the first DER element of b, ignoring what follows.
func firstElement(b []byte) ([]byte, error) {
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v.FullBytes, nil
}
