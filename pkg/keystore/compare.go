package keystore

import (
	"bytes"
	"errors"
	"fmt"
)

// Compare reports the first difference between the entries of want and
// got (nil when they hold the same entries) as a plain error: aliases,
// kinds, keys (their PKCS#8 encodings), secret keys and chains. Aliases
// compare by got's format (Format.AliasKey). Order and creation dates are
// not compared. WriteFileContext's read-back makes the same comparison
// with the written file's bytes (checkWritten), without parsing them
// into a Store.
func Compare(want, got *Store) error {
	entries := make([]rawEntry, 0, len(got.Entries))
	for _, e := range got.Entries {
		if e == nil {
			continue
		}
		r := rawEntry{alias: e.Alias, kind: e.Kind, chain: make([][]byte, len(e.Chain))}
		for i, c := range e.Chain {
			if c != nil {
				r.chain[i] = c.Raw
			}
		}
		switch e.Kind {
		case KindKey:
			if e.Key == nil && e.PKCS8 == nil {
				r.keyErr = errNotRecovered
			} else if r.key, r.keyErr = e.keyBytes(); r.keyErr != nil {
				r.keyErr = errKeyDiffers
			}
		case KindSecret:
			r.key = e.PKCS8
		}
		entries = append(entries, r)
	}
	return compareEntries(want, got.Format, len(got.Entries), entries, nil)
}

// rawEntry is an entry as a file's bytes hold it, without parsing them.
type rawEntry struct {
	alias string
	kind  Kind
	// chain is the certificates' DER, leaf first. For PKCS#12, whose
	// chains readers build from the file's certificates, it is the leaf
	// alone (see compareEntries' inFile).
	chain [][]byte
	// key is the PKCS#8 PrivateKeyInfo of a key or secret entry;
	// keyErr says why it is missing (errNotRecovered, errKeyDiffers).
	key    []byte
	keyErr error
}

// Causes of a key that is not the one meant (in rawEntry.keyErr; the
// message names the entry).
var (
	errNotRecovered = errors.New("key not recoverable with the store password")
	errKeyDiffers   = errors.New("private key differs")
)

// compareEntries is the one comparison of Compare and the read-back: got
// (n entries in all, nil ones included) must hold exactly want's entries
// and no other,
// found by alias (f.AliasKey), of the same kind, with the same
// certificates (DER) and the same key or secret (PKCS#8 bytes). When
// inFile is not nil (PKCS#12), a key entry's chain in got is its leaf,
// and the rest of want's chain must be in the file (inFile).
func compareEntries(want *Store, f Format, n int, got []rawEntry, inFile func(der []byte) bool) error {
	byAlias := make(map[string]*rawEntry, len(got))
	for i := range got {
		k := f.AliasKey(got[i].alias)
		if byAlias[k] != nil && k != "" {
			return fmt.Errorf("two entries are named %q", got[i].alias)
		}
		byAlias[k] = &got[i]
	}
	for _, w := range want.Entries {
		g := byAlias[f.AliasKey(w.Alias)]
		if g == nil {
			return fmt.Errorf("entry %q missing", w.Alias)
		}
		if g.kind != w.Kind {
			return fmt.Errorf("entry %q is a %v entry, want %v", w.Alias, g.kind, w.Kind)
		}
		chain := w.Chain
		if inFile != nil && w.Kind == KindKey && len(chain) > 0 {
			chain = chain[:1]
		}
		if len(g.chain) != len(chain) {
			return fmt.Errorf("entry %q has %d certificates, want %d", w.Alias, len(g.chain), len(chain))
		}
		for i, c := range chain {
			if c == nil || !bytes.Equal(g.chain[i], c.Raw) {
				return fmt.Errorf("entry %q: certificate %d differs", w.Alias, i+1)
			}
		}
		if len(chain) < len(w.Chain) {
			for i, c := range w.Chain[len(chain):] {
				if c == nil || !inFile(c.Raw) {
					return fmt.Errorf("entry %q: certificate %d is not in the file", w.Alias, len(chain)+i+1)
				}
			}
		}
		switch w.Kind {
		case KindKey:
			if g.keyErr != nil {
				return fmt.Errorf("entry %q: %w", w.Alias, g.keyErr)
			}
			wk, err := w.keyBytes()
			if err != nil || !bytes.Equal(wk, g.key) {
				return fmt.Errorf("entry %q: %w", w.Alias, errKeyDiffers)
			}
		case KindSecret:
			if !bytes.Equal(w.PKCS8, g.key) {
				return fmt.Errorf("entry %q: secret key differs", w.Alias)
			}
		}
	}
	if len(want.Entries) != n {
		// Every entry meant is there: the others are too many.
		return fmt.Errorf("%d entries, want %d", n, len(want.Entries))
	}
	return nil
}
