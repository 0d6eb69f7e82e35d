package keystore

import (
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
	c, err := pkcs12.Decode(b, opts.Password.Reveal(), opts.MaxIterations)
	if err != nil {
		return nil, p12Error(err)
	}
	s := &Store{Format: FormatPKCS12, Notes: append(c.Skipped, c.Notes...), Protection: c.MAC}
	for _, sb := range c.Secrets {
		s.Notes = append(s.Notes, fmt.Sprintf("secret key %q (%s) not carried over: only private keys and certificates are kept", sb.Attrs.FriendlyName, sb.AlgorithmName))
	}
	pool := make([]*x509.Certificate, len(c.Certs))
	certs := make([]certCand, len(c.Certs))
	for i, cb := range c.Certs {
		pool[i] = cb.Cert
		certs[i] = certCand{cert: cb.Cert, id: cb.Attrs.LocalKeyID}
	}
	keys := make([]keyCand, len(c.Keys))
	for i, kb := range c.Keys {
		keys[i] = keyCand{key: kb.Key, id: kb.Attrs.LocalKeyID}
	}
	used := make([]bool, len(c.Certs))
	inChain := map[string]bool{} // by DER: producers repeat chain certificates
	ch := newChainer(pool)
	for i, leaf := range pairKeys(keys, certs) {
		kb := c.Keys[i]
		if leaf < 0 && kb.Key == nil {
			// A key Go cannot use (DSA, GOST, ...) that no localKeyId pairs.
			s.Notes = append(s.Notes, fmt.Sprintf("private key %d skipped: %s", i+1, kb.Err.Error()))
			continue
		}
		if leaf < 0 {
			return nil, fmt.Errorf("%w: private key %d has no matching certificate in the file", ErrMalformed, i+1)
		}
		used[leaf] = true
		e := &Entry{Kind: KindKey, Key: kb.Key, Chain: ch.build(c.Certs[leaf].Cert)}
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
	seenCert := map[string]bool{}
	if err := checkEntries(s, FormatPKCS12); err != nil {
		return nil, err
	}
	for _, e := range s.Entries {
		switch e.Kind {
		case KindKey:
			der, err := x509.MarshalPKCS8PrivateKey(e.Key)
			if err != nil {
				return nil, fmt.Errorf("key of %q: %w: %w", e.Alias, ErrUnsupported, err)
			}
			id := localKeyID(e.Chain[0])
			attrs := pkcs12.Attributes{FriendlyName: e.Alias, HasFriendlyName: true, LocalKeyID: id}
			c.Keys = append(c.Keys, pkcs12.KeyBag{PKCS8: der, Attrs: attrs})
			c.Certs = append(c.Certs, pkcs12.CertBag{Cert: e.Chain[0], Attrs: attrs})
			seenCert[string(e.Chain[0].Raw)] = true
		case KindTrusted, KindCert:
			attrs := pkcs12.Attributes{FriendlyName: e.Alias, HasFriendlyName: true, JavaTrusted: e.Kind == KindTrusted}
			c.Certs = append(c.Certs, pkcs12.CertBag{Cert: e.Chain[0], Attrs: attrs})
			seenCert[string(e.Chain[0].Raw)] = true
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
	out, err := pkcs12.Encode(c, opts.Password.Reveal(), profile, opts.Rand)
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
