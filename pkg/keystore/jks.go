package keystore

import (
	"errors"
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/keystore/internal/jks"
)

const (
	jksMagic   = 0xFEEDFEED
	jceksMagic = 0xCECECECE
)

// jksError maps the JKS codec's errors onto this package's sentinels.
func jksError(err error) error {
	switch {
	case errors.Is(err, jks.ErrIncorrectPassword):
		return wrapKind(ErrIncorrectPassword, err)
	case errors.Is(err, jks.ErrUnsupported):
		return wrapKind(ErrUnsupported, err)
	case errors.Is(err, jks.ErrPasswordEncoding):
		return wrapKind(ErrPasswordEncoding, err)
	case errors.Is(err, jks.ErrDuplicateAlias):
		return wrapKind(ErrDuplicateAlias, err)
	}
	return wrapKind(ErrMalformed, err) // jks.ErrMalformed, jks.ErrInvalid
}

// certError is a certificate of a store that certfile.ParseCertificate
// refused, at where: ErrUnsupported for a negative serial number (see
// certfile.ErrNegativeSerial), else ErrMalformed.
func certError(where string, err error) error {
	kind := ErrMalformed
	if errors.Is(err, certfile.ErrNegativeSerial) {
		kind = ErrUnsupported
	}
	return fmt.Errorf("%w: %s: %w", kind, where, err)
}

// decodeJKS reads a JKS store with package jks (Java's formats, passwords
// as Java chars): the store password checks the integrity digest and
// recovers the keys; a key it does not recover is tried with each of
// opts.KeyPasswords (keytool's -srckeypass), else reported in KeyErr.
func decodeJKS(b []byte, opts DecodeOptions) (*Store, error) {
	var ents []jks.Entry
	var err error
	if opts.Unverified {
		ents, err = jks.DecodeUnverified(b)
	} else {
		ents, err = jks.Decode(b, opts.Password.Reveal())
	}
	if err != nil {
		return nil, jksError(err)
	}
	s := &Store{Format: FormatJKS}
	if opts.Unverified {
		s.Notes = append(s.Notes, "read without the store password: its integrity was not checked and no key was recovered")
	}
	for _, je := range ents {
		e := &Entry{Alias: je.Alias, Created: je.Created, Kind: KindTrusted}
		for i, der := range je.Chain {
			c, err := certfile.ParseCertificate(der)
			if err != nil {
				return nil, certError(fmt.Sprintf("JKS entry %q: certificate %d", je.Alias, i+1), err)
			}
			e.Chain = append(e.Chain, c)
		}
		if je.IsKey() && opts.Unverified {
			e.Kind = KindKey
			e.KeyErr = fmt.Errorf("%w: not recovered (no store password given)", ErrKeyPassword)
		} else if je.IsKey() {
			e.Kind = KindKey
			pkcs8, err := jks.RecoverKey(je.Protected, opts.Password.Reveal())
			for _, kp := range opts.KeyPasswords {
				if !errors.Is(err, jks.ErrKeyPassword) {
					break
				}
				if pkcs8, err = jks.RecoverKey(je.Protected, kp.Reveal()); err == nil {
					e.KeyPasswordDiffers = true
				}
			}
			switch {
			case errors.Is(err, jks.ErrKeyPassword):
				e.KeyErr = fmt.Errorf("%w (keytool -importkeystore without -destkeypass leaves the source password on it)", ErrKeyPassword)
			case err != nil:
				e.KeyErr = wrapKind(ErrUnsupported, err)
			default:
				e.Key, e.PKCS8, e.KeyErr = readKey(pkcs8)
			}
		}
		s.Entries = append(s.Entries, e)
	}
	return s, nil
}

// encodeJKS writes s as a JKS store (package jks): aliases as Java keeps
// them (Format.StoredAlias), every key protected with the store password.
func encodeJKS(s *Store, opts EncodeOptions) ([]byte, error) {
	if err := checkEntries(s, FormatJKS); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	entries := make([]jks.Entry, 0, len(s.Entries))
	for _, e := range s.Entries {
		je := jks.Entry{Alias: FormatJKS.StoredAlias(e.Alias), Created: e.Created}
		if je.Created.IsZero() {
			je.Created = now
		}
		for _, c := range e.Chain {
			je.Chain = append(je.Chain, c.Raw)
		}
		if e.Kind == KindKey {
			der, err := e.keyBytes()
			if err != nil {
				return nil, err
			}
			if je.Protected, err = jks.ProtectKey(der, opts.Password.Reveal(), opts.Rand); err != nil {
				return nil, jksError(err)
			}
		}
		entries = append(entries, je)
	}
	out, err := jks.Encode(entries, opts.Password.Reveal())
	if err != nil {
		return nil, jksError(err)
	}
	return out, nil
}
