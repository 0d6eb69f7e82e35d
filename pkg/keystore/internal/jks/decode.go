// Package jks reads and writes Java's proprietary JKS keystore format
// (sun.security.provider.JavaKeyStore) and its key protection (Sun's
// KeyProtector, OID 1.3.6.1.4.1.42.2.17.1.1), with passwords encoded as
// Java encodes them: UTF-16 code units, big-endian, so that any password
// keytool accepts works here too.
//
// The format: magic FEEDFEED, version (1 or 2), entry count, then per entry
// a tag (1 key, 2 trusted certificate), the alias (DataOutputStream.writeUTF:
// modified UTF-8), the creation time (milliseconds since 1970), and either a
// protected key (an EncryptedPrivateKeyInfo) with its certificate chain or
// one certificate; each certificate is preceded by its type ("X.509", only
// in version 2) and length. A SHA-1 digest of the password's chars, the
// string "Mighty Aphrodite" and everything before it ends the file.
//
// Decode checks every count and length against the bytes that remain
// before it allocates anything, so hostile files cost at most a small
// multiple of their size. Certificates are returned as DER for the caller
// to parse; keys stay protected until RecoverKey.
package jks

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Entry is one keystore entry.
type Entry struct {
	// Alias is the alias as the file spells it. Java writes aliases
	// folded (FoldAlias) and folds the alias of every lookup, so an alias
	// that differs from its fold names an entry Java lists but cannot
	// reach (getKey and getCertificate return null for it).
	Alias string
	// Created is the entry's creation time, to the millisecond, in UTC.
	Created time.Time
	// Protected is a key entry's protected key: the DER
	// EncryptedPrivateKeyInfo that Sun's KeyProtector makes (RecoverKey,
	// ProtectKey). It is nil for a trusted-certificate entry and never
	// empty for a key entry.
	Protected []byte
	// Chain holds the certificates' DER: a key entry's chain, leaf first
	// (it may be empty: Java can store a key without certificates), or
	// exactly one certificate for a trusted entry.
	Chain [][]byte
}

// IsKey says whether e is a key entry (as opposed to a trusted certificate).
func (e *Entry) IsKey() bool { return e.Protected != nil }

const (
	magicJKS   = 0xFEEDFEED
	magicJCEKS = 0xCECECECE
	tagKey     = 1
	tagTrusted = 2
	tagSecret  = 3 // JCEKS only
	headerLen  = 12
	digestLen  = sha1.Size
	certType   = "X.509"
	// whitener is mixed into the store digest after the password.
	whitener = "Mighty Aphrodite"
	// minEntry is the fewest bytes an entry takes: tag, alias length,
	// date, and a key length or a certificate length.
	minEntry = 4 + 2 + 8 + 4
)

// keyProtectorOID is the content of the DER OBJECT IDENTIFIER
// 1.3.6.1.4.1.42.2.17.1.1 (Sun's JKS key protector).
const keyProtectorOID = "\x2b\x06\x01\x04\x01\x2a\x02\x11\x01\x01"

// Decode reads a JKS keystore: it validates the whole structure against the
// bytes that remain (before allocating anything), checks the integrity
// digest with password (ErrIncorrectPassword), and returns the entries in
// file order. The entries share one copy of b, not b itself. Two aliases
// with the same FoldAlias are ErrMalformed (Java would reach only one).
func Decode(b []byte, password string) ([]Entry, error) {
	pw, err := passwordChars(password)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	return decode(b, pw, true, true)
}

// DecodeOwned is Decode for a caller that gives b away (the read-back of
// a file just written): the entries share b itself instead of a copy, so
// b must not change while they are in use.
func DecodeOwned(b []byte, password string) ([]Entry, error) {
	pw, err := passwordChars(password)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	return decode(b, pw, true, false)
}

// DecodeUnverified is Decode without the integrity check, as Java's
// KeyStore.load(in, null) and "keytool -list" without a store password
// read a JKS store. Keys still need their password (RecoverKey).
func DecodeUnverified(b []byte) ([]Entry, error) {
	return decode(b, nil, false, true)
}

// decode reads b; with private, the entries share a copy of b.
func decode(b, pw []byte, verify, private bool) ([]Entry, error) {
	// Pass 1: the whole structure, without allocating.
	p := parser{b: b}
	if err := p.parse(); err != nil {
		return nil, err
	}
	entries, certs := p.count, p.certs
	if verify && !digestOK(b, pw) {
		return nil, ErrIncorrectPassword
	}
	// Pass 2: the same walk (over a private copy), building the entries;
	// every allocation is now bounded by what pass 1 has seen.
	if private {
		b = bytes.Clone(b)
	}
	p = parser{
		b:       b,
		build:   true,
		entries: make([]Entry, 0, entries),
		chains:  make([][]byte, certs),
		seen:    make(map[string]int, entries),
	}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.entries, nil
}

// digestOK checks the integrity digest at the end of b (b is at least
// digestLen long): SHA-1(password chars || "Mighty Aphrodite" || body).
func digestOK(b, pw []byte) bool {
	sum := storeDigest(pw, b[:len(b)-digestLen])
	return subtle.ConstantTimeCompare(sum[:], b[len(b)-digestLen:]) == 1
}

func storeDigest(pw, body []byte) [digestLen]byte {
	h := sha1.New()
	h.Write(pw)
	h.Write([]byte(whitener))
	h.Write(body)
	var sum [digestLen]byte
	h.Sum(sum[:0])
	return sum
}

// parser walks a JKS image. Without build it only validates and allocates
// nothing (except for an error); with build it also collects the entries,
// sharing b.
type parser struct {
	b       []byte
	off     int
	end     int // where the digest starts
	version uint32

	// The entry being read, for messages.
	entry  int    // 1-based
	alias  []byte // modified UTF-8
	certNo int    // 1-based, within the entry

	// What pass 1 counts.
	count, certs int

	build   bool
	entries []Entry
	chains  [][]byte       // every entry's Chain is a piece of it
	seen    map[string]int // FoldAlias → entry number
}

// fail returns an ErrMalformed error about the current position.
func (p *parser) fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s%s (at byte %d of %d)", ErrMalformed, p.where(), fmt.Sprintf(format, args...), p.off, len(p.b))
}

// unsupported returns an ErrUnsupported error about the current entry.
func (p *parser) unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s%s", ErrUnsupported, p.where(), fmt.Sprintf(format, args...))
}

// where names the current entry ("" outside entries).
func (p *parser) where() string {
	if p.entry == 0 {
		return ""
	}
	cert := ""
	if p.certNo > 0 {
		cert = fmt.Sprintf("certificate %d: ", p.certNo)
	}
	if p.alias == nil {
		return fmt.Sprintf("entry %d: %s", p.entry, cert)
	}
	var sb strings.Builder
	if kind, _ := decodeMUTF8(p.alias, &sb); kind != nil {
		return fmt.Sprintf("entry %d: %s", p.entry, cert)
	}
	return fmt.Sprintf("entry %d (%q): %s", p.entry, sb.String(), cert)
}

func (p *parser) need(n uint64, what string) error {
	if n > uint64(p.end-p.off) {
		return p.fail("%s runs past the end of the file", what)
	}
	return nil
}

func (p *parser) u16(what string) (int, error) {
	if err := p.need(2, what); err != nil {
		return 0, err
	}
	v := binary.BigEndian.Uint16(p.b[p.off:])
	p.off += 2
	return int(v), nil
}

func (p *parser) u32(what string) (uint32, error) {
	if err := p.need(4, what); err != nil {
		return 0, err
	}
	v := binary.BigEndian.Uint32(p.b[p.off:])
	p.off += 4
	return v, nil
}

// bytes returns the next n bytes (a full slice expression: appending to
// them cannot overwrite what follows).
func (p *parser) bytes(n uint64, what string) ([]byte, error) {
	if err := p.need(n, what); err != nil {
		return nil, err
	}
	s := p.b[p.off : p.off+int(n) : p.off+int(n)]
	p.off += int(n)
	return s, nil
}

// parse walks the image, counting its entries and certificates.
func (p *parser) parse() error {
	if len(p.b) < 4 {
		return fmt.Errorf("%w: %d bytes are too short for a JKS keystore", ErrMalformed, len(p.b))
	}
	switch magic := binary.BigEndian.Uint32(p.b); magic {
	case magicJKS:
	case magicJCEKS:
		return fmt.Errorf("%w: this is a JCEKS keystore, not JKS; convert it with keytool -importkeystore -srcstoretype JCEKS -deststoretype PKCS12", ErrUnsupported)
	default:
		return fmt.Errorf("%w: not a JKS keystore (it starts with %08X, not FEEDFEED)", ErrMalformed, magic)
	}
	if len(p.b) < headerLen+digestLen {
		return fmt.Errorf("%w: %d bytes are too short for a JKS keystore (header and integrity digest take %d)", ErrMalformed, len(p.b), headerLen+digestLen)
	}
	p.end = len(p.b) - digestLen
	p.off = 4
	p.version, _ = p.u32("version")
	if p.version != 1 && p.version != 2 {
		return fmt.Errorf("%w: JKS version %d (Java reads versions 1 and 2)", ErrUnsupported, p.version)
	}
	count, _ := p.u32("entry count")
	if uint64(count)*minEntry > uint64(p.end-p.off) {
		return p.fail("the entry count %d does not fit in the %d bytes that follow", count, p.end-p.off)
	}
	for i := range int(count) {
		p.entry, p.alias, p.certNo = i+1, nil, 0
		if err := p.parseEntry(); err != nil {
			return err
		}
	}
	p.entry, p.alias, p.certNo = 0, nil, 0
	if p.off != p.end {
		return p.fail("%d bytes follow the last entry; only the %d-byte integrity digest should", len(p.b)-p.off, digestLen)
	}
	p.count = int(count)
	return nil
}

func (p *parser) parseEntry() error {
	tag, err := p.u32("entry tag")
	if err != nil {
		return err
	}
	n, err := p.u16("alias length")
	if err != nil {
		return err
	}
	alias, err := p.bytes(uint64(n), "alias")
	if err != nil {
		return err
	}
	if kind, at := decodeMUTF8(alias, nil); kind == ErrUnsupported {
		return p.unsupported("the alias holds an unpaired UTF-16 surrogate (byte %d of the alias), which cannot be represented as UTF-8", at)
	} else if kind != nil {
		return p.fail("the alias is not valid modified UTF-8 (byte %d of the alias)", at)
	}
	p.alias = alias
	date, err := p.bytes(8, "creation date")
	if err != nil {
		return err
	}
	var e Entry
	switch tag {
	case tagKey:
		if e.Protected, err = p.protectedKey(); err != nil {
			return err
		}
		chain, err := p.u32("certificate count")
		if err != nil {
			return err
		}
		if uint64(chain)*p.minCert() > uint64(p.end-p.off) {
			return p.fail("the certificate count %d does not fit in the %d bytes that follow", chain, p.end-p.off)
		}
		if p.build && chain > 0 {
			e.Chain, p.chains = p.chains[:0:chain], p.chains[chain:]
		}
		for j := range int(chain) {
			c, err := p.cert(j + 1)
			if err != nil {
				return err
			}
			if p.build {
				e.Chain = append(e.Chain, c)
			}
		}
		p.certs += int(chain)
	case tagTrusted:
		c, err := p.cert(1)
		if err != nil {
			return err
		}
		if p.build {
			e.Chain, p.chains = p.chains[:1:1], p.chains[1:]
			e.Chain[0] = c
		}
		p.certs++
	case tagSecret:
		return p.unsupported("a secret-key entry (only JCEKS and PKCS#12 keystores hold secret keys)")
	default:
		return p.fail("unknown entry type %d (1 is a key, 2 a trusted certificate)", tag)
	}
	if !p.build {
		return nil
	}
	var sb strings.Builder
	sb.Grow(len(alias))
	decodeMUTF8(alias, &sb) // validated above
	e.Alias = sb.String()
	e.Created = time.UnixMilli(int64(binary.BigEndian.Uint64(date))).UTC()
	fold := FoldAlias(e.Alias)
	if first, dup := p.seen[fold]; dup {
		return fmt.Errorf("%w: entries %d (%q) and %d (%q) have the same alias to Java (JKS aliases are case-insensitive)",
			ErrMalformed, first, p.entries[first-1].Alias, p.entry, e.Alias)
	}
	p.seen[fold] = p.entry
	p.entries = append(p.entries, e)
	return nil
}

// minCert is the fewest bytes a certificate takes: its type (version 2),
// length and an empty DER SEQUENCE.
func (p *parser) minCert() uint64 {
	if p.version == 2 {
		return 2 + uint64(len(certType)) + 4 + 2
	}
	return 4 + 2
}

// protectedKey reads a key entry's protected key and checks that it is a
// DER EncryptedPrivateKeyInfo (a KeyProtector one with room for its salt
// and digest). Another algorithm is left for RecoverKey to refuse: Java
// loads such a store and fails only on getKey.
func (p *parser) protectedKey() ([]byte, error) {
	n, err := p.u32("protected key length")
	if err != nil {
		return nil, err
	}
	start := p.off
	b, err := p.bytes(uint64(n), "protected key")
	if err != nil {
		return nil, err
	}
	if reason := checkProtected(b); reason != "" {
		p.off = start
		return nil, p.fail("the protected key is %s", reason)
	}
	return b, nil
}

// checkProtected says what is wrong with a protected key ("": nothing),
// completing "the protected key is ...".
func checkProtected(b []byte) string {
	oid, data, ok := parseProtected(b)
	if !ok {
		return "not a DER EncryptedPrivateKeyInfo"
	}
	if string(oid) == keyProtectorOID && len(data) < 2*sha1.Size {
		return "too short: its salt and digest alone take 40 bytes"
	}
	return ""
}

// parseProtected splits a DER EncryptedPrivateKeyInfo into the content of
// its algorithm OID and its encrypted data. The algorithm's parameters (a
// NULL from Java) are not looked at, as Java does not look at them.
func parseProtected(b []byte) (oid, data []byte, ok bool) {
	s := cryptobyte.String(b)
	var epki, alg, o, enc cryptobyte.String
	if !s.ReadASN1(&epki, cbasn1.SEQUENCE) || !s.Empty() ||
		!epki.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1(&o, cbasn1.OBJECT_IDENTIFIER) || len(o) == 0 {
		return nil, nil, false
	}
	if !alg.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !alg.ReadAnyASN1Element(&params, &tag) || !alg.Empty() {
			return nil, nil, false
		}
	}
	if !epki.ReadASN1(&enc, cbasn1.OCTET_STRING) || !epki.Empty() {
		return nil, nil, false
	}
	return o, enc, true
}

// isDERSequence says whether b is exactly one DER SEQUENCE (the envelope
// of a certificate or a PKCS#8 key; the content is the caller's to parse).
func isDERSequence(b []byte) bool {
	s := cryptobyte.String(b)
	var body cryptobyte.String
	return s.ReadASN1(&body, cbasn1.SEQUENCE) && s.Empty()
}

// cert reads certificate j of the current entry.
func (p *parser) cert(j int) ([]byte, error) {
	p.certNo = j
	if p.version == 2 {
		n, err := p.u16("certificate type length")
		if err != nil {
			return nil, err
		}
		typ, err := p.bytes(uint64(n), "certificate type")
		if err != nil {
			return nil, err
		}
		if string(typ) != certType {
			if len(typ) > 40 {
				typ = typ[:40]
			}
			return nil, p.unsupported("the certificate type is %q (only X.509 certificates are read)", typ)
		}
	}
	n, err := p.u32("certificate length")
	if err != nil {
		return nil, err
	}
	start := p.off
	c, err := p.bytes(uint64(n), "certificate")
	if err != nil {
		return nil, err
	}
	if !isDERSequence(c) {
		p.off = start
		return nil, p.fail("not a DER certificate")
	}
	p.certNo = 0
	return c, nil
}
