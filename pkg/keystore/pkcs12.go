package keystore

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/keystore/internal/pkcs12"
)

// p12Error maps the container's errors onto this package's sentinels.
func p12Error(err error) error {
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return wrapKind(ErrIncorrectPassword, err)
	case errors.Is(err, pkcs12.ErrIterationCount):
		return wrapKind(ErrLimit, err)
	case errors.Is(err, pkcs12.ErrUnsupported):
		return wrapKind(ErrUnsupported, err)
	case errors.Is(err, pkcs12.ErrPasswordEncoding):
		return wrapKind(ErrPasswordEncoding, err)
	}
	return wrapKind(ErrMalformed, err)
}

func decodePKCS12(b []byte, opts DecodeOptions) (*Store, error) {
	c, err := pkcs12.Decode(b, opts.Password, opts.MaxIterations)
	if err != nil {
		return nil, p12Error(err)
	}
	s := &Store{Format: FormatPKCS12, Notes: append(c.Skipped, c.Notes...), Protection: c.MAC}
	for _, sb := range c.Secrets {
		s.Notes = append(s.Notes, fmt.Sprintf("secret key %q (%s) not carried over: only private keys and certificates are kept", sb.Attrs.FriendlyName, sb.AlgorithmName))
	}
	pool := make([]*x509.Certificate, len(c.Certs))
	for i, cb := range c.Certs {
		pool[i] = cb.Cert
	}
	used := make([]bool, len(c.Certs))
	inChain := map[string]bool{} // by DER: producers repeat chain certificates
	for i, kb := range c.Keys {
		// Pair by localKeyId, else by public key.
		leaf := -1
		if len(kb.Attrs.LocalKeyID) > 0 {
			for j, cb := range c.Certs {
				if bytes.Equal(cb.Attrs.LocalKeyID, kb.Attrs.LocalKeyID) && KeyMatchesCert(kb.Key, cb.Cert) {
					leaf = j
					break
				}
			}
		}
		if leaf < 0 {
			for j, cb := range c.Certs {
				if KeyMatchesCert(kb.Key, cb.Cert) {
					leaf = j
					break
				}
			}
		}
		if leaf < 0 && len(kb.Attrs.LocalKeyID) > 0 {
			// The file pairs them, but the key does not match: keep the
			// pairing so that a check can report the mismatch.
			for j, cb := range c.Certs {
				if bytes.Equal(cb.Attrs.LocalKeyID, kb.Attrs.LocalKeyID) {
					leaf = j
					break
				}
			}
		}
		if leaf < 0 && kb.Key == nil {
			// A key Go cannot use (DSA, GOST, ...) that no localKeyId pairs.
			s.Notes = append(s.Notes, fmt.Sprintf("private key %d skipped: %s", i+1, kb.Err.Error()))
			continue
		}
		if leaf < 0 {
			return nil, fmt.Errorf("%w: private key %d has no matching certificate in the file", ErrMalformed, i+1)
		}
		used[leaf] = true
		e := &Entry{Kind: KindKey, Key: kb.Key, Chain: BuildChain(c.Certs[leaf].Cert, pool)}
		if kb.Key == nil {
			e.KeyErr = p12Error(kb.Err)
		}
		for _, ce := range e.Chain {
			inChain[string(ce.Raw)] = true
		}
		switch {
		case kb.Attrs.HasFriendlyName:
			e.Alias = kb.Attrs.FriendlyName
		case c.Certs[leaf].Attrs.HasFriendlyName:
			e.Alias = c.Certs[leaf].Attrs.FriendlyName
		}
		s.Entries = append(s.Entries, e)
	}
	for j, cb := range c.Certs {
		if used[j] {
			continue
		}
		switch {
		case cb.Attrs.JavaTrusted:
			s.Entries = append(s.Entries, &Entry{Alias: cb.Attrs.FriendlyName, Kind: KindTrusted, Chain: []*x509.Certificate{cb.Cert}})
		case !inChain[string(cb.Cert.Raw)]:
			inChain[string(cb.Cert.Raw)] = true // list each loose certificate once
			s.Entries = append(s.Entries, &Entry{Alias: cb.Attrs.FriendlyName, Kind: KindCert, Chain: []*x509.Certificate{cb.Cert}})
		}
	}
	return s, nil
}

func encodePKCS12(s *Store, opts EncodeOptions) ([]byte, error) {
	c := &pkcs12.Contents{}
	seenAlias := map[string]bool{}
	seenCert := map[string]bool{}
	for _, e := range s.Entries {
		if e.Alias == "" {
			return nil, fmt.Errorf("%w: an entry has no alias", ErrDuplicateAlias)
		}
		if seenAlias[e.Alias] {
			return nil, fmt.Errorf("%w: %q", ErrDuplicateAlias, e.Alias)
		}
		seenAlias[e.Alias] = true
		if len(e.Chain) == 0 {
			return nil, fmt.Errorf("%w: entry %q has no certificate", ErrMalformed, e.Alias)
		}
		switch e.Kind {
		case KindKey:
			if e.Key == nil {
				return nil, fmt.Errorf("%w: %q", ErrNoKey, e.Alias)
			}
			der, err := x509.MarshalPKCS8PrivateKey(e.Key)
			if err != nil {
				return nil, wrapKind(ErrUnsupported, fmt.Errorf("key of %q: %s", e.Alias, err.Error()))
			}
			id := localKeyID(e.Chain[0])
			attrs := pkcs12.Attributes{FriendlyName: e.Alias, HasFriendlyName: true, LocalKeyID: id}
			c.Keys = append(c.Keys, pkcs12.KeyBag{PKCS8: der, Attrs: attrs})
			c.Certs = append(c.Certs, pkcs12.CertBag{Cert: e.Chain[0], Attrs: attrs})
			seenCert[string(e.Chain[0].Raw)] = true
		case KindTrusted, KindCert:
			if len(e.Chain) != 1 {
				return nil, fmt.Errorf("%w: entry %q has %d certificates", ErrMalformed, e.Alias, len(e.Chain))
			}
			attrs := pkcs12.Attributes{FriendlyName: e.Alias, HasFriendlyName: true, JavaTrusted: e.Kind == KindTrusted}
			c.Certs = append(c.Certs, pkcs12.CertBag{Cert: e.Chain[0], Attrs: attrs})
			seenCert[string(e.Chain[0].Raw)] = true
		default:
			return nil, fmt.Errorf("%w: entry kind %v", ErrUnsupported, e.Kind)
		}
	}
	// Chain certificates once each, after the entries, without attributes
	// (Java and OpenSSL link chains by issuer).
	for _, e := range s.Entries {
		if e.Kind != KindKey {
			continue
		}
		for _, ce := range e.Chain[1:] {
			if !seenCert[string(ce.Raw)] {
				seenCert[string(ce.Raw)] = true
				c.Certs = append(c.Certs, pkcs12.CertBag{Cert: ce})
			}
		}
	}
	profile := pkcs12.Modern()
	if opts.Profile == ProfileLegacy {
		profile = pkcs12.Legacy()
	}
	out, err := pkcs12.Encode(c, opts.Password, profile, opts.Rand)
	if err != nil {
		return nil, p12Error(err)
	}
	return out, nil
}

// localKeyID is the SHA-1 of the leaf certificate, as OpenSSL writes it.
func localKeyID(leaf *x509.Certificate) []byte {
	sum := sha1.Sum(leaf.Raw)
	return sum[:]
}
