// Package ber converts BER-encoded ASN.1 into DER, so that strict DER parsers
// (encoding/asn1, crypto/x509, cryptobyte) can read files written by encoders
// that use BER: NSS and Windows write PKCS#12 and PKCS#7 with indefinite
// lengths and constructed (chunked) OCTET STRINGs.
//
// [ToDER] rewrites the encoding, not the values:
//
//   - indefinite lengths become definite, and every length is written in
//     the shortest form;
//   - constructed encodings of the universal string types (BIT STRING,
//     OCTET STRING, the character string types, UTCTime, GeneralizedTime)
//     are flattened into one primitive value by concatenating the segments;
//   - identifiers, including multi-byte (high) tag numbers, are copied, and
//     so are the contents of every primitive value: an OCTET STRING that
//     holds more ASN.1 is not looked into.
//
// ToDER knows no schema. It does not sort SET OF (callers compute MACs and
// signatures over content bytes, and re-ordering would change them), and it
// cannot know that a constructed context-specific value is an IMPLICIT
// OCTET STRING: BER such as [0] IMPLICIT OCTET STRING sent in constructed
// form (PKCS#7 EncryptedContentInfo.encryptedContent) stays constructed, with
// its segments converted to DER; callers that expect the primitive form
// join the segments with [JoinOctetStrings].
//
// Hostile input is expected. Nesting is limited to [MaxDepth] levels, a
// length is compared with the bytes that remain before anything is
// allocated, time and memory are linear in the input (the output is
// allocated once; contents move at most once per nesting level), and no
// input makes ToDER panic. Every error wraps one of [ErrTruncated], [ErrTooDeep],
// [ErrTrailingData] or [ErrMalformed] and names the byte offset at fault.
package ber

import (
	"bytes"
	"errors"
	"fmt"
)

// MaxDepth is the deepest nesting ToDER accepts. The outermost value is at
// depth 1, a value inside it at depth 2, and so on; primitive values count.
// Real PKCS#12 and PKCS#7 files stay below 20.
const MaxDepth = 64

var (
	// ErrTruncated: the input ends inside a value, or a length claims more
	// bytes than the input has.
	ErrTruncated = errors.New("ber: truncated input")
	// ErrTooDeep: values are nested more than MaxDepth levels.
	ErrTooDeep = errors.New("ber: nesting too deep")
	// ErrTrailingData: bytes follow the end of the first complete value.
	ErrTrailingData = errors.New("ber: trailing data after the value")
	// ErrMalformed: the bytes break a BER rule (a bad tag or length form,
	// a misplaced end-of-contents marker, a bad string segment, ...).
	ErrMalformed = errors.New("ber: malformed encoding")
)

// Words says in words, for a message about what (a file, a structure),
// why ToDER, ToDERPrefix or JoinOctetStrings refused it: "what ends early
// (truncated file?)", "what is nested more than 64 levels deep", ... The
// callers that show errors to people use it instead of this package's
// own texts.
func Words(what string, err error) string {
	switch {
	case errors.Is(err, ErrTruncated):
		return what + " ends early (truncated file?)"
	case errors.Is(err, ErrTooDeep):
		return fmt.Sprintf("%s is nested more than %d levels deep", what, MaxDepth)
	case errors.Is(err, ErrTrailingData):
		return what + " is followed by unexpected bytes"
	}
	return what + " is not a valid DER or BER encoding"
}

// Identifier octet fields (X.690 section 8.1.2).
const (
	classUniversal   = 0x00
	classMask        = 0xc0
	constructedBit   = 0x20
	tagMask          = 0x1f
	highTagForm      = 0x1f
	lengthIndefinite = 0x80
)

// Universal tag numbers that need special treatment.
const (
	tagEOC         = 0
	tagBoolean     = 1
	tagInteger     = 2
	tagBitString   = 3
	tagOctetString = 4
	tagNull        = 5
	tagOID         = 6
	tagReal        = 9
	tagEnumerated  = 10
	tagRelativeOID = 13
	tagSequence    = 16
	tagSet         = 17
)

// maxTag is the largest tag number accepted (the same bound as
// encoding/asn1: it must fit in 31 bits).
const maxTag = 1<<31 - 1

// isStringType reports whether a universal tag may be sent in constructed
// (segmented) form and must be primitive in DER (X.690 sections 8.6, 8.7,
// 8.23 and 10.2): BIT STRING, OCTET STRING, ObjectDescriptor, the
// restricted character string types and the two time types.
func isStringType(tag uint32) bool {
	switch tag {
	case tagBitString, tagOctetString,
		7,      // ObjectDescriptor
		12,     // UTF8String
		18, 19, // NumericString, PrintableString
		20, 21, // TeletexString, VideotexString
		22,     // IA5String
		23, 24, // UTCTime, GeneralizedTime
		25, 26, // GraphicString, VisibleString
		27, 28, // GeneralString, UniversalString
		30: // BMPString
		return true
	}
	return false
}

// isPrimitiveOnly reports whether a universal tag is always primitive.
func isPrimitiveOnly(tag uint32) bool {
	switch tag {
	case tagBoolean, tagInteger, tagNull, tagOID, tagReal, tagEnumerated, tagRelativeOID:
		return true
	}
	return false
}

// header is a parsed identifier and length.
type header struct {
	off         int    // offset of the identifier
	limit       int    // end of the enclosing value (or of the input)
	id          []byte // the identifier octets, tag number included
	class       byte
	constructed bool
	tag         uint32
	indefinite  bool
	lenBytes    int // length octets as sent
	length      int // content length; 0 when indefinite
	content     int // offset of the first content octet
}

// universal reports whether h is the universal tag t.
func (h *header) universal(t uint32) bool { return h.class == classUniversal && h.tag == t }

// canonical reports whether the identifier and length of h are already in
// the form ToDER writes.
func (h *header) canonical() bool {
	return !h.indefinite && h.lenBytes == lengthSize(h.length) &&
		!(h.constructed && h.class == classUniversal && isStringType(h.tag))
}

// readHeader parses the identifier and length at data[off:limit]. A
// definite length is checked against limit before it is used.
func readHeader(data []byte, off, limit int) (header, error) {
	h := header{off: off, limit: limit}
	if off >= limit {
		return h, fmt.Errorf("%w: missing identifier at offset %d", ErrTruncated, off)
	}
	b := data[off]
	h.class = b & classMask
	h.constructed = b&constructedBit != 0
	p := off + 1
	if b&tagMask != highTagForm {
		h.tag = uint32(b & tagMask)
	} else {
		// High tag number form: base 128, most significant group first,
		// bit 8 set on every octet but the last.
		var tag uint64
		for {
			if p >= limit {
				return h, fmt.Errorf("%w: identifier cut short at offset %d", ErrTruncated, off)
			}
			c := data[p]
			if p == off+1 && c == 0x80 {
				return h, fmt.Errorf("%w: tag number with a leading zero group at offset %d", ErrMalformed, off)
			}
			tag = tag<<7 | uint64(c&0x7f)
			p++
			if tag > maxTag {
				return h, fmt.Errorf("%w: tag number too large at offset %d", ErrMalformed, off)
			}
			if c&0x80 == 0 {
				break
			}
		}
		if tag < highTagForm {
			return h, fmt.Errorf("%w: tag number %d in the multi-byte form at offset %d", ErrMalformed, tag, off)
		}
		h.tag = uint32(tag)
	}
	h.id = data[off:p]

	if h.class == classUniversal && h.tag == tagEOC {
		return h, fmt.Errorf("%w: unexpected end-of-contents marker at offset %d", ErrMalformed, off)
	}
	if h.class == classUniversal && h.constructed && isPrimitiveOnly(h.tag) {
		return h, fmt.Errorf("%w: constructed encoding of universal tag %d at offset %d", ErrMalformed, h.tag, off)
	}
	if h.class == classUniversal && !h.constructed && (h.tag == tagSequence || h.tag == tagSet) {
		return h, fmt.Errorf("%w: primitive encoding of SEQUENCE or SET at offset %d", ErrMalformed, off)
	}

	if p >= limit {
		return h, fmt.Errorf("%w: missing length at offset %d", ErrTruncated, off)
	}
	l := data[p]
	p++
	switch {
	case l < 0x80:
		h.lenBytes = 1
		h.length = int(l)
	case l == lengthIndefinite:
		if !h.constructed {
			return h, fmt.Errorf("%w: indefinite length on a primitive value at offset %d", ErrMalformed, off)
		}
		h.lenBytes = 1
		h.indefinite = true
	case l == 0xff:
		return h, fmt.Errorf("%w: reserved length octet 0xff at offset %d", ErrMalformed, off)
	default:
		n := int(l & 0x7f)
		if n > limit-p {
			return h, fmt.Errorf("%w: length octets cut short at offset %d", ErrTruncated, off)
		}
		// BER allows leading zero octets; the value is what counts.
		avail := uint64(limit - p - n)
		var v uint64
		for _, c := range data[p : p+n] {
			v = v<<8 | uint64(c)
			if v > avail {
				return h, fmt.Errorf("%w: length exceeds the %d bytes that remain at offset %d", ErrTruncated, avail, off)
			}
		}
		p += n
		h.lenBytes = 1 + n
		h.length = int(v)
	}
	h.content = p
	if !h.indefinite && h.length > limit-p {
		return h, fmt.Errorf("%w: length %d exceeds the %d bytes that remain at offset %d", ErrTruncated, h.length, limit-p, off)
	}
	return h, nil
}

// atEOC reports whether data[off:limit] starts with an end-of-contents
// marker (00 00). A 00 identifier followed by anything else is malformed.
func atEOC(data []byte, off, limit int) (bool, error) {
	if data[off] != 0 {
		return false, nil
	}
	if off+1 >= limit {
		return false, fmt.Errorf("%w: end-of-contents marker cut short at offset %d", ErrTruncated, off)
	}
	if data[off+1] != 0 {
		return false, fmt.Errorf("%w: end-of-contents marker with a non-zero length at offset %d", ErrMalformed, off)
	}
	return true, nil
}

// lengthSize is the number of octets of the DER length of n.
func lengthSize(n int) int {
	size := 1
	if n >= 0x80 {
		for ; n > 0; n >>= 8 {
			size++
		}
	}
	return size
}

// putLength writes the DER length n into dst, which is lengthSize(n) long.
func putLength(dst []byte, n int) {
	if n < 0x80 {
		dst[0] = byte(n)
		return
	}
	k := len(dst) - 1
	dst[0] = 0x80 | byte(k)
	for i := k; i > 0; i-- {
		dst[i] = byte(n)
		n >>= 8
	}
}

// ToDER parses the single BER value that data holds and returns its DER
// encoding, as described in the package documentation. The result is a new
// slice; data is not modified. When data is already DER (see [IsDER]) the
// result is a copy of it.
//
// The output is never longer than the input unless an indefinite-length
// value holds 64 KiB or more: such a value gains one byte (two from 16 MiB),
// because its definite length needs more octets than the 80 … 00 00 it
// replaces. In all cases len(out) <= len(data) + len(data)/512.
func ToDER(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty input at offset 0", ErrTruncated)
	}
	if IsDER(data) {
		return bytes.Clone(data), nil
	}
	// The output bound (see above) as capacity: out never moves.
	c := converter{data: data, out: make([]byte, 0, len(data)+len(data)/512+16)}
	end, err := c.value(0, len(data), 1)
	if err != nil {
		return nil, err
	}
	if end != len(data) {
		return nil, fmt.Errorf("%w: %d bytes at offset %d", ErrTrailingData, len(data)-end, end)
	}
	return c.out, nil
}

// ToDERPrefix is [ToDER] for the BER value at the start of data: it
// returns that value's DER encoding and the number of bytes the value
// occupies in data, and leaves whatever follows it to the caller (a file
// padded with zero bytes, say). Errors are those of ToDER, except that
// trailing data is not one.
func ToDERPrefix(data []byte) (der []byte, n int, err error) {
	if len(data) == 0 {
		return nil, 0, fmt.Errorf("%w: empty input at offset 0", ErrTruncated)
	}
	c := converter{data: data, out: make([]byte, 0, len(data)+len(data)/512+16)}
	end, err := c.value(0, len(data), 1)
	if err != nil {
		return nil, 0, err
	}
	return c.out, end, nil
}

// converter appends the DER form of values read from data to out.
type converter struct {
	data []byte
	out  []byte
}

// value converts the value at data[off:limit] and returns the offset just
// past it.
func (c *converter) value(off, limit, depth int) (int, error) {
	if depth > MaxDepth {
		return 0, fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, MaxDepth, off)
	}
	h, err := readHeader(c.data, off, limit)
	if err != nil {
		return 0, err
	}
	if !h.constructed {
		end := h.content + h.length
		c.out = append(c.out, h.id...)
		c.out = appendLength(c.out, h.length)
		c.out = append(c.out, c.data[h.content:end]...)
		return end, nil
	}

	// The DER length is known only once the contents are converted: write
	// the identifier, reserve the length octets the input used (or one for
	// an indefinite length), and move the contents if the guess was wrong.
	flatten := h.class == classUniversal && isStringType(h.tag)
	if flatten {
		c.out = append(c.out, h.id[0]&^constructedBit)
		c.out = append(c.out, h.id[1:]...)
	} else {
		c.out = append(c.out, h.id...)
	}
	guess := 1
	if !h.indefinite {
		guess = lengthSize(h.length)
	}
	lenAt := len(c.out)
	for range guess {
		c.out = append(c.out, 0)
	}
	contentAt := len(c.out)

	var end int
	switch {
	case flatten && h.tag == tagBitString:
		c.out = append(c.out, 0) // the unused-bits octet, set below
		var unused byte
		var segs int
		end, err = c.bitSegments(&h, depth, &unused, &segs)
		if err == nil && segs == 0 {
			err = fmt.Errorf("%w: constructed BIT STRING without segments at offset %d", ErrMalformed, h.off)
		}
		if err == nil {
			c.out[contentAt] = unused
		}
	case flatten:
		end, err = c.segments(&h, depth)
	default:
		end, err = c.children(&h, depth)
	}
	if err != nil {
		return 0, err
	}

	n := len(c.out) - contentAt
	if need := lengthSize(n); need != guess {
		// Shift the contents; they never move more than a few bytes.
		c.out = append(c.out, make([]byte, max(0, need-guess))...)
		copy(c.out[lenAt+need:], c.out[contentAt:contentAt+n])
		c.out = c.out[:lenAt+need+n]
	}
	putLength(c.out[lenAt:lenAt+lengthSize(n)], n)
	return end, nil
}

// appendLength appends the DER length n.
func appendLength(out []byte, n int) []byte {
	k := lengthSize(n)
	var buf [9]byte
	putLength(buf[:k], n)
	return append(out, buf[:k]...)
}

// each calls fn for every child of the constructed value h (stopping at the
// end-of-contents marker when h has an indefinite length) and returns the
// offset just past h.
func (c *converter) each(h *header, fn func(off, limit int) (int, error)) (int, error) {
	// An indefinite-length value runs at most to the end of the value
	// that encloses it.
	limit := h.limit
	if !h.indefinite {
		limit = h.content + h.length
	}
	off := h.content
	for {
		if h.indefinite {
			if off >= limit {
				return 0, fmt.Errorf("%w: no end-of-contents marker for the value at offset %d", ErrTruncated, h.off)
			}
			eoc, err := atEOC(c.data, off, limit)
			if err != nil {
				return 0, err
			}
			if eoc {
				return off + 2, nil
			}
		} else if off >= limit {
			return off, nil
		}
		next, err := fn(off, limit)
		if err != nil {
			return 0, err
		}
		off = next
	}
}

// children converts the children of a constructed value that is not a
// string type.
func (c *converter) children(h *header, depth int) (int, error) {
	return c.each(h, func(off, limit int) (int, error) {
		return c.value(off, limit, depth+1)
	})
}

// segments appends the concatenated contents of the segments of a
// constructed string (not BIT STRING). Segments are OCTET STRINGs (X.690
// 8.23.5) or, as some encoders write, of the string's own type.
func (c *converter) segments(h *header, depth int) (int, error) {
	parent := h.tag
	return c.each(h, func(off, limit int) (int, error) {
		if depth+1 > MaxDepth {
			return 0, fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, MaxDepth, off)
		}
		s, err := readHeader(c.data, off, limit)
		if err != nil {
			return 0, err
		}
		if !s.universal(tagOctetString) && !s.universal(parent) {
			return 0, fmt.Errorf("%w: segment of a constructed string is not an OCTET STRING at offset %d", ErrMalformed, off)
		}
		if s.constructed {
			return c.segments(&s, depth+1)
		}
		end := s.content + s.length
		c.out = append(c.out, c.data[s.content:end]...)
		return end, nil
	})
}

// bitSegments appends the bits of the segments of a constructed BIT STRING
// (without their unused-bits octets). Only the last segment may have unused
// bits; *unused receives its count and *segs counts primitive segments.
func (c *converter) bitSegments(h *header, depth int, unused *byte, segs *int) (int, error) {
	return c.each(h, func(off, limit int) (int, error) {
		if depth+1 > MaxDepth {
			return 0, fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, MaxDepth, off)
		}
		s, err := readHeader(c.data, off, limit)
		if err != nil {
			return 0, err
		}
		if !s.universal(tagBitString) {
			return 0, fmt.Errorf("%w: segment of a constructed BIT STRING is not a BIT STRING at offset %d", ErrMalformed, off)
		}
		if *segs > 0 && *unused != 0 {
			return 0, fmt.Errorf("%w: BIT STRING segment with unused bits is not the last at offset %d", ErrMalformed, off)
		}
		if s.constructed {
			return c.bitSegments(&s, depth+1, unused, segs)
		}
		if s.length == 0 {
			return 0, fmt.Errorf("%w: BIT STRING segment without its unused-bits octet at offset %d", ErrMalformed, off)
		}
		u := c.data[s.content]
		if u > 7 || (s.length == 1 && u != 0) {
			return 0, fmt.Errorf("%w: BIT STRING segment with %d unused bits at offset %d", ErrMalformed, u, off)
		}
		end := s.content + s.length
		c.out = append(c.out, c.data[s.content+1:end]...)
		*unused = u
		*segs++
		return end, nil
	})
}

// IsDER reports whether data holds exactly one BER value whose encoding is
// already what ToDER produces: definite lengths in the shortest form and
// no constructed strings, with the same checks ToDER makes on tags,
// lengths and nesting. When IsDER reports true, ToDER returns a copy of
// data. IsDER does not check the DER rules on contents (minimal INTEGERs,
// BOOLEAN values, SET OF order), which ToDER does not change either.
func IsDER(data []byte) bool {
	end, ok := isDER(data, 0, len(data), 1)
	return ok && end == len(data)
}

func isDER(data []byte, off, limit, depth int) (int, bool) {
	if depth > MaxDepth {
		return 0, false
	}
	h, err := readHeader(data, off, limit)
	if err != nil || !h.canonical() {
		return 0, false
	}
	end := h.content + h.length
	if h.constructed {
		for p := h.content; p < end; {
			var ok bool
			if p, ok = isDER(data, p, end, depth+1); !ok {
				return 0, false
			}
		}
	}
	return end, true
}

// JoinOctetStrings returns the concatenated contents of the OCTET STRINGs
// that contents consists of. It is for an IMPLICIT OCTET STRING that was
// sent in constructed form, which ToDER cannot recognise without a schema:
// NSS writes PKCS#7 EncryptedContentInfo.encryptedContent ([0] IMPLICIT
// OCTET STRING) as A0 80 04 … 04 … 00 00, which ToDER turns into A0 len
// followed by DER OCTET STRINGs; pass the contents of that [0] here.
// contents must be DER (the output of ToDER); an empty contents yields an
// empty, non-nil result.
func JoinOctetStrings(contents []byte) ([]byte, error) {
	out := make([]byte, 0, len(contents))
	for off := 0; off < len(contents); {
		h, err := readHeader(contents, off, len(contents))
		if err != nil {
			return nil, err
		}
		if !h.universal(tagOctetString) || !h.canonical() || h.constructed {
			return nil, fmt.Errorf("%w: expected a DER OCTET STRING at offset %d", ErrMalformed, off)
		}
		off = h.content + h.length
		out = append(out, contents[h.content:off]...)
	}
	return out, nil
}
