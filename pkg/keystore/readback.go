package keystore

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/keystore/internal/jks"
	"github.com/uccert/uccert/pkg/keystore/internal/pkcs12"
)

// checkWritten is the read-back of WriteFileContext: data, the bytes
// read back from the temporary file (a buffer of its own, which the
// entries read from it share), must open with the password (JKS: its
// integrity digest; PKCS#12: its MAC and every decryption) and hold
// exactly the entries of want, compared as Compare compares (aliases by
// Format.AliasKey, kinds, certificates as DER, keys as PKCS#8 after
// decryption, secret keys, and PKCS#12's trusted-certificate attribute
// as the kind).
//
// It parses no certificate and no key: what was written is compared with
// what was meant byte for byte. A second Decode would parse every
// certificate again (about 2.3 KB of heap for each beside its DER), and
// hold them all at once beside the store being written: the peak memory
// of writing a large trust store.
func checkWritten(want *Store, data []byte, opts EncodeOptions) error {
	switch opts.Format {
	case FormatJKS:
		return checkJKS(want, data, opts)
	case FormatPKCS12:
		return checkPKCS12(want, data, opts)
	}
	return fmt.Errorf("%w: cannot read back format %v", ErrUnsupported, opts.Format)
}

// checkJKS reads a written JKS: the digest must verify with the password,
// every key must be recovered with it, and the entries (kind by tag,
// chains in order) be want's.
func checkJKS(want *Store, data []byte, opts EncodeOptions) error {
	pw := opts.Password.Reveal()
	ents, err := jks.DecodeOwned(data, pw)
	if err != nil {
		return jksError(err)
	}
	got := make([]rawEntry, len(ents))
	for i, je := range ents {
		got[i] = rawEntry{alias: je.Alias, kind: KindTrusted, chain: je.Chain}
		if je.IsKey() {
			got[i].kind = KindKey
			if got[i].key, err = jks.RecoverKey(je.Protected, pw); err != nil {
				got[i].keyErr = errNotRecovered
			}
		}
	}
	return compareEntries(want, FormatJKS, len(got), got, nil)
}

// checkPKCS12 reads a written PKCS#12 without parsing its bags
// (pkcs12.DecodeRaw): the MAC must verify with the password, every bag
// decrypt, and the bags make want's entries as decodePKCS12 would make
// them. A key is paired with the certificate of its localKeyId, which the
// writer sets on both (the SHA-1 of the leaf, as OpenSSL does); readers build its
// chain from the file's certificates, so the rest of want's chain must be
// among them. A certificate that is neither a key's nor trusted is a
// chain certificate when some key's chain holds it, else a cert entry.
func checkPKCS12(want *Store, data []byte, opts EncodeOptions) error {
	c, err := pkcs12.DecodeRaw(data, opts.Password.Reveal(), 0)
	if err != nil {
		return p12Error(err)
	}
	if c.MAC == "" {
		return errors.New("the file has no integrity MAC")
	}
	// The DER of want's chain certificates (beyond the leaves), and
	// whether the file holds each.
	chainCerts := map[string]bool{}
	for _, e := range want.Entries {
		if e == nil || e.Kind != KindKey {
			continue
		}
		for _, ce := range e.Chain[min(1, len(e.Chain)):] {
			if ce != nil {
				chainCerts[string(ce.Raw)] = false
			}
		}
	}
	for _, cb := range c.Certs {
		if _, ok := chainCerts[string(cb.Raw)]; ok {
			chainCerts[string(cb.Raw)] = true
		}
	}
	used := make([]bool, len(c.Certs))
	got := make([]rawEntry, 0, len(c.Keys)+len(c.Secrets)+len(c.Certs))
	for _, kb := range c.Keys {
		e := rawEntry{alias: kb.Attrs.FriendlyName, kind: KindKey, key: kb.PKCS8}
		if leaf := leafOf(kb, c.Certs, used); leaf >= 0 {
			used[leaf] = true
			e.chain = [][]byte{c.Certs[leaf].Raw}
			if !kb.Attrs.HasFriendlyName {
				e.alias = c.Certs[leaf].Attrs.FriendlyName
			}
		}
		got = append(got, e)
	}
	for _, sb := range c.Secrets {
		got = append(got, rawEntry{alias: sb.Attrs.FriendlyName, kind: KindSecret, key: sb.PKCS8})
	}
	for j, cb := range c.Certs {
		switch _, inChain := chainCerts[string(cb.Raw)]; {
		case used[j]:
		case cb.Attrs.JavaTrusted:
			got = append(got, rawEntry{alias: cb.Attrs.FriendlyName, kind: KindTrusted, chain: [][]byte{cb.Raw}})
		case !inChain:
			got = append(got, rawEntry{alias: cb.Attrs.FriendlyName, kind: KindCert, chain: [][]byte{cb.Raw}})
		}
	}
	return compareEntries(want, FormatPKCS12, len(got), got, func(der []byte) bool { return chainCerts[string(der)] })
}

// leafOf is the index of the first certificate not yet used whose
// localKeyId is kb's, -1 when there is none.
func leafOf(kb pkcs12.KeyBag, certs []pkcs12.CertBag, used []bool) int {
	if len(kb.Attrs.LocalKeyID) == 0 {
		return -1
	}
	for j, cb := range certs {
		if !used[j] && bytes.Equal(cb.Attrs.LocalKeyID, kb.Attrs.LocalKeyID) {
			return j
		}
	}
	return -1
}
