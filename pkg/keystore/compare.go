package keystore

import (
	"bytes"
	"fmt"
)

// Compare reports the first difference between the entries of want and
// got (nil when they hold the same entries) as a plain error (it is the
// cause of WriteFile's ErrReadBack): aliases, kinds, keys (their PKCS#8
// encodings), secret keys and chains. Aliases compare by got's format (Format.AliasKey). Order and
// creation dates are not compared.
func Compare(want, got *Store) error {
	norm := got.Format.AliasKey
	if len(want.Entries) != len(got.Entries) {
		return fmt.Errorf("%d entries, want %d", len(got.Entries), len(want.Entries))
	}
	byAlias := make(map[string]*Entry, len(got.Entries))
	for _, e := range got.Entries {
		if e == nil {
			continue
		}
		byAlias[norm(e.Alias)] = e
	}
	for _, w := range want.Entries {
		g := byAlias[norm(w.Alias)]
		if g == nil {
			return fmt.Errorf("entry %q missing", w.Alias)
		}
		if g.Kind != w.Kind {
			return fmt.Errorf("entry %q is a %v entry, want %v", w.Alias, g.Kind, w.Kind)
		}
		if len(g.Chain) != len(w.Chain) {
			return fmt.Errorf("entry %q has %d certificates, want %d", w.Alias, len(g.Chain), len(w.Chain))
		}
		for i := range w.Chain {
			if !bytes.Equal(g.Chain[i].Raw, w.Chain[i].Raw) {
				return fmt.Errorf("entry %q: certificate %d differs", w.Alias, i+1)
			}
		}
		switch w.Kind {
		case KindKey:
			if g.Key == nil && g.PKCS8 == nil {
				return fmt.Errorf("entry %q: key not recoverable with the store password", w.Alias)
			}
			wk, err1 := w.keyBytes()
			gk, err2 := g.keyBytes()
			if err1 != nil || err2 != nil || !bytes.Equal(wk, gk) {
				return fmt.Errorf("entry %q: private key differs", w.Alias)
			}
		case KindSecret:
			if !bytes.Equal(w.PKCS8, g.PKCS8) {
				return fmt.Errorf("entry %q: secret key differs", w.Alias)
			}
		}
	}
	return nil
}
