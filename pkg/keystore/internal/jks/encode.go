package jks

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"
)

// Encode writes entries, in order, as a version-2 JKS keystore (every
// certificate of type "X.509") ending with the integrity digest for
// password. Each alias is written folded, FoldAlias(e.Alias), as Java's
// KeyStore.setEntry stores it: Java loads aliases as the file spells them
// but folds the alias of every lookup (getKey, getCertificate, keytool
// -alias), so an entry stored under another spelling cannot be reached.
// Key entries carry their Protected key as it is: ProtectKey makes one.
//
// A key entry needs a well-formed protected key, a trusted entry exactly
// one certificate; every certificate must be a DER SEQUENCE, aliases valid
// UTF-8 of at most 65535 bytes in modified UTF-8 once folded, and no two
// aliases may fold alike (ErrDuplicateAlias). The zero Created time is
// written as it is (year 1). Whatever Decode returns, Encode writes.
func Encode(entries []Entry, password string) ([]byte, error) {
	pw, err := passwordChars(password)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	if len(entries) > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d entries are more than a JKS keystore holds", ErrInvalid, len(entries))
	}
	size := headerLen + digestLen
	aliases := make([]string, len(entries))
	seen := make(map[string]int, len(entries))
	for i := range entries {
		if !utf8.ValidString(entries[i].Alias) {
			return nil, fmt.Errorf("%w: the alias of entry %d is not valid UTF-8", ErrInvalid, i+1)
		}
		aliases[i] = FoldAlias(entries[i].Alias)
		if first, dup := seen[aliases[i]]; dup {
			return nil, fmt.Errorf("%w: entries %d (%q) and %d (%q) have the same alias to Java (JKS aliases are case-insensitive)",
				ErrDuplicateAlias, first, entries[first-1].Alias, i+1, entries[i].Alias)
		}
		seen[aliases[i]] = i + 1
		n, err := checkEntry(&entries[i], aliases[i], i+1)
		if err != nil {
			return nil, err
		}
		size += n
	}
	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, magicJKS)
	out = binary.BigEndian.AppendUint32(out, 2)
	out = binary.BigEndian.AppendUint32(out, uint32(len(entries)))
	for i := range entries {
		e := &entries[i]
		tag := uint32(tagTrusted)
		if e.IsKey() {
			tag = tagKey
		}
		out = binary.BigEndian.AppendUint32(out, tag)
		out = binary.BigEndian.AppendUint16(out, uint16(mutf8Len(aliases[i])))
		out = appendMUTF8(out, aliases[i])
		out = binary.BigEndian.AppendUint64(out, uint64(e.Created.UnixMilli()))
		if e.IsKey() {
			out = binary.BigEndian.AppendUint32(out, uint32(len(e.Protected)))
			out = append(out, e.Protected...)
			out = binary.BigEndian.AppendUint32(out, uint32(len(e.Chain)))
		}
		for _, c := range e.Chain {
			out = binary.BigEndian.AppendUint16(out, uint16(len(certType)))
			out = append(out, certType...)
			out = binary.BigEndian.AppendUint32(out, uint32(len(c)))
			out = append(out, c...)
		}
	}
	sum := storeDigest(pw, out)
	return append(out, sum[:]...), nil
}

// checkEntry checks that entry number i, to be written under alias, can be
// written and returns the number of bytes it takes.
func checkEntry(e *Entry, alias string, i int) (int, error) {
	n := mutf8Len(alias)
	if n > maxUTF {
		return 0, fmt.Errorf("%w: the alias of entry %d takes %d bytes in Java's encoding; a JKS alias takes at most %d", ErrInvalid, i, n, maxUTF)
	}
	size := 4 + 2 + n + 8
	if e.IsKey() {
		if reason := checkProtected(e.Protected); reason != "" {
			return 0, fmt.Errorf("%w: entry %d (%q): the protected key is %s", ErrInvalid, i, e.Alias, reason)
		}
		if len(e.Protected) > math.MaxInt32 || len(e.Chain) > math.MaxInt32 {
			return 0, fmt.Errorf("%w: entry %d (%q) is too large for a JKS keystore", ErrInvalid, i, e.Alias)
		}
		size += 4 + len(e.Protected) + 4
	} else if len(e.Chain) != 1 {
		return 0, fmt.Errorf("%w: trusted entry %d (%q) has %d certificates, not 1", ErrInvalid, i, e.Alias, len(e.Chain))
	}
	for j, c := range e.Chain {
		if !isDERSequence(c) {
			return 0, fmt.Errorf("%w: entry %d (%q): certificate %d is not a DER certificate", ErrInvalid, i, e.Alias, j+1)
		}
		if len(c) > math.MaxInt32 {
			return 0, fmt.Errorf("%w: entry %d (%q): certificate %d is too large for a JKS keystore", ErrInvalid, i, e.Alias, j+1)
		}
		size += 2 + len(certType) + 4 + len(c)
	}
	return size, nil
}
