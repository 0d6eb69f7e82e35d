package jks

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// passwordChars returns password as Java hands it to the JKS digest and to
// the key protector: its UTF-16 code units (a supplementary character as a
// surrogate pair), each as two big-endian bytes (JavaKeyStore and
// KeyProtector: passwdBytes[j++] = (byte)(c >> 8); passwdBytes[j++] = (byte)c).
// The caller should clear the result after use.
func passwordChars(password string) ([]byte, error) {
	if !utf8.ValidString(password) {
		return nil, ErrPasswordEncoding
	}
	// A UTF-8 byte yields at most one UTF-16 code unit: 2 bytes of output.
	out := make([]byte, 0, 2*len(password))
	for _, r := range password {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			out = append(out, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return out, nil
}

// maxUTF is the longest string DataOutputStream.writeUTF writes.
const maxUTF = 0xFFFF

// mutf8Len is the length of s (valid UTF-8) in Java's modified UTF-8.
func mutf8Len(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == 0:
			n += 2
		case r < 0x80:
			n++
		case r < 0x800:
			n += 2
		case r < 0x10000:
			n += 3
		default:
			n += 6 // two 3-byte surrogates
		}
	}
	return n
}

// appendMUTF8 appends s (valid UTF-8) in Java's modified UTF-8, as
// DataOutputStream.writeUTF writes it (without the length): NUL as C0 80,
// a supplementary character as its two surrogates of three bytes each.
func appendMUTF8(dst []byte, s string) []byte {
	unit := func(dst []byte, c rune) []byte {
		switch {
		case c != 0 && c < 0x80:
			return append(dst, byte(c))
		case c < 0x800:
			return append(dst, 0xC0|byte(c>>6), 0x80|byte(c&0x3F))
		default:
			return append(dst, 0xE0|byte(c>>12), 0x80|byte(c>>6&0x3F), 0x80|byte(c&0x3F))
		}
	}
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			dst = unit(unit(dst, hi), lo)
			continue
		}
		dst = unit(dst, r)
	}
	return dst
}

// decodeMUTF8 reads b as DataInputStream.readUTF does (which accepts a raw
// NUL byte and overlong forms, and refuses 4-byte sequences) and, when sb is
// not nil, writes the text to sb as UTF-8. Surrogate pairs become their
// supplementary character. On failure it returns ErrMalformed, or
// ErrUnsupported for an unpaired surrogate (a Java string may hold one,
// UTF-8 cannot), and the offset of the bad sequence. With sb nil it
// allocates nothing.
func decodeMUTF8(b []byte, sb *strings.Builder) (kind error, at int) {
	pending, pendingAt := rune(-1), 0 // a high surrogate waiting for its low half
	for i := 0; i < len(b); {
		c, start := b[i], i
		var u rune
		switch c >> 4 {
		case 0, 1, 2, 3, 4, 5, 6, 7:
			u, i = rune(c), i+1
		case 12, 13:
			if i+2 > len(b) || b[i+1]&0xC0 != 0x80 {
				return ErrMalformed, i
			}
			u, i = rune(c&0x1F)<<6|rune(b[i+1]&0x3F), i+2
		case 14:
			if i+3 > len(b) || b[i+1]&0xC0 != 0x80 || b[i+2]&0xC0 != 0x80 {
				return ErrMalformed, i
			}
			u, i = rune(c&0x0F)<<12|rune(b[i+1]&0x3F)<<6|rune(b[i+2]&0x3F), i+3
		default:
			return ErrMalformed, i
		}
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if pending >= 0 {
				return ErrUnsupported, pendingAt
			}
			pending, pendingAt = u, start
		case u >= 0xDC00 && u < 0xE000:
			if pending < 0 {
				return ErrUnsupported, start
			}
			if sb != nil {
				sb.WriteRune(utf16.DecodeRune(pending, u))
			}
			pending = -1
		default:
			if pending >= 0 {
				return ErrUnsupported, pendingAt
			}
			if sb != nil {
				sb.WriteRune(u)
			}
		}
	}
	if pending >= 0 {
		return ErrUnsupported, pendingAt
	}
	return nil, 0
}

// FoldAlias returns alias as Java's JKS keystore keys it:
// alias.toLowerCase(Locale.ENGLISH). Two aliases with the same fold are one
// entry to Java (the later one replaces the earlier on load), and keytool
// writes aliases folded.
//
// Like Java it maps every character by its simple lower-case mapping,
// U+0130 (İ) to "i\u0307", and a capital sigma to the final form ς when a
// cased letter precedes it and none follows it within the word (Java's
// ConditionalSpecialCasing looks within a word-break iterator's word; word
// here is a run of letters, marks, digits and connectors, with the
// in-word punctuation of UAX #29 between them). Characters whose case
// mapping is newer than the Java release may fold differently.
func FoldAlias(alias string) string {
	ascii := true
	for i := 0; i < len(alias); i++ {
		if alias[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(alias)
	}
	var runes []rune
	if strings.ContainsRune(alias, 'Σ') {
		runes = []rune(alias)
	}
	var sb strings.Builder
	sb.Grow(len(alias) + 1)
	k := 0 // index of r in runes
	for _, r := range alias {
		switch {
		case r == 'İ':
			sb.WriteString("i\u0307")
		case r == 'Σ' && finalSigma(runes, k):
			sb.WriteRune('ς')
		default:
			sb.WriteRune(unicode.ToLower(r))
		}
		k++
	}
	return sb.String()
}

// finalSigma says whether the capital sigma at runes[k] lower-cases to ς:
// a cased letter precedes it and none follows it in its word.
func finalSigma(runes []rune, k int) bool {
	before := false
	for i := k - 1; i >= 0 && inWord(runes, i); i-- {
		if cased(runes[i]) {
			before = true
			break
		}
	}
	if !before {
		return false
	}
	for i := k + 1; i < len(runes) && inWord(runes, i); i++ {
		if cased(runes[i]) {
			return false
		}
	}
	return true
}

// cased is Unicode's Cased property (Lu, Ll, Lt, Other_Lowercase,
// Other_Uppercase), which Java's ConditionalSpecialCasing.isCased tests.
func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

// inWord says whether runes[i] continues a word (no word boundary next to
// it): a word character, or in-word punctuation between two of them.
func inWord(runes []rune, i int) bool {
	if wordChar(runes[i]) {
		return true
	}
	return midWord(runes[i]) && i > 0 && i+1 < len(runes) && wordChar(runes[i-1]) && wordChar(runes[i+1])
}

func wordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) ||
		unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Cf, r)
}

// midWord is UAX #29's MidLetter, MidNumLet and Single_Quote.
func midWord(r rune) bool {
	switch r {
	case '.', '\'', ':', '·', 0x0387, 0x05F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
		return true
	}
	return false
}
