package keystore

import (
	"crypto"
	"crypto/dsa" // DSA keys are read and written back, never used to sign
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/internal/pkcs8"
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
	if c.Legacy {
		s.Profile = ProfileLegacy
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
		e := &Entry{Kind: KindKey}
		e.Key, e.PKCS8, e.KeyErr = bagKey(kb)
		if kb.Attrs.HasFriendlyName {
			e.Alias = kb.Attrs.FriendlyName
		}
		if leaf >= 0 {
			used[leaf] = true
			e.Chain = ch.build(c.Certs[leaf].Cert)
			for _, ce := range e.Chain {
				inChain[string(ce.Raw)] = true
			}
			if !kb.Attrs.HasFriendlyName && c.Certs[leaf].Attrs.HasFriendlyName {
				e.Alias = c.Certs[leaf].Attrs.FriendlyName
			}
		} else {
			// Listed (keytool shows a PrivateKeyEntry with no chain);
			// Usable says ErrNoCertificate.
			name := fmt.Sprintf("private key %d", i+1)
			if e.Alias != "" {
				name = fmt.Sprintf("private key %q", e.Alias)
			}
			s.Notes = append(s.Notes, name+" has no certificate in the file: it cannot be used or merged without one")
		}
		s.Entries = append(s.Entries, e)
	}
	for _, sb := range c.Secrets {
		s.Entries = append(s.Entries, &Entry{Alias: sb.Attrs.FriendlyName, Kind: KindSecret, PKCS8: sb.PKCS8, SecretAlgorithm: sb.AlgorithmName})
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

// bagKey is a key bag as an entry holds it: the key (package pkcs8 parsed
// it), the bytes to keep when crypto/x509 cannot encode it again, and why
// it cannot be used.
func bagKey(kb pkcs12.KeyBag) (crypto.PrivateKey, []byte, error) {
	var ue *pkcs8.UnsupportedError
	switch _, dsaKey := kb.Key.(*dsa.PrivateKey); {
	case dsaKey:
		return kb.Key, kb.PKCS8, nil
	case kb.Key != nil:
		return kb.Key, nil, nil
	case errors.As(kb.Err, &ue):
		return nil, kb.PKCS8, unsupportedKey(ue.What + "; the entry is kept as it is")
	}
	return nil, nil, p12Error(kb.Err)
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
			der, err := e.keyBytes()
			if err != nil {
				return nil, err
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
		case KindSecret:
			// As Java writes a SecretKeyEntry: a secret bag with the
			// friendlyName.
			attrs := pkcs12.Attributes{FriendlyName: e.Alias, HasFriendlyName: true}
			c.Secrets = append(c.Secrets, pkcs12.SecretBag{PKCS8: e.PKCS8, Attrs: attrs})
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
