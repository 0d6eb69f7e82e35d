package connector

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/tlsconf"
)

// Errors of Load.
var (
	// ErrNoStore: an argument the mode needs is missing.
	ErrNoStore = errors.New("missing store argument")
	// ErrTypeMismatch: a -*_store_type disagrees with the file's content.
	ErrTypeMismatch = errors.New("store type does not match the file")
)

// Material is what the connector loads from its arguments.
type Material struct {
	Mode Mode
	// Keys holds the connector's key entries (the cert store in mtls
	// mode; nil in tls-kerberos mode). Trust holds the trusted CA
	// certificates (the key store in mtls mode, the cert store in
	// tls-kerberos mode).
	Keys, Trust *keystore.Store
	// TLS serves and dials: GetCertificate chooses among all key entries
	// by SNI (RSA and EC alike), GetClientCertificate presents an entry the
	// server accepts (preferring LoadOptions.Host), RootCAs and ClientCAs
	// are the trust store, and servers require client certificates.
	TLS *tls.Config
}

// LoadOptions tune Load.
type LoadOptions struct {
	// Host is the connector host's FQDN: the client side presents the
	// entry that names it, when there is one.
	Host string
}

// Load opens the stores the arguments name, with their passwords, and
// builds the TLS configuration. A declared type that disagrees with a
// file's content is an error (Java 17 would tolerate it; older JREs do
// not), and so is a key not protected by the store password.
func Load(a *Args, opts LoadOptions) (*Material, error) {
	m := &Material{Mode: a.Mode()}
	open := func(flag string, s StoreArgs) (*keystore.Store, error) {
		if s.File == "" {
			return nil, fmt.Errorf("%w: %s", ErrNoStore, flag)
		}
		st, err := keystore.Load(s.File, keystore.DecodeOptions{Password: s.Pass})
		if err != nil {
			return nil, err
		}
		if s.Type != "" {
			declared, err := keystore.ParseStoreFormat(s.Type)
			if err != nil || declared != st.Format {
				return nil, fmt.Errorf("%s: %w: declared %q, the file is %s", s.File, ErrTypeMismatch, s.Type, st.Format)
			}
		}
		for _, e := range st.Entries {
			if e.Kind == keystore.KindKey && e.Key == nil {
				return nil, fmt.Errorf("%s: entry %q: %w", s.File, e.Alias, e.KeyErr)
			}
		}
		return st, nil
	}
	var err error
	if m.Mode == ModeTLSKerberos {
		if m.Trust, err = open(FlagCertStoreFile, a.CertStore); err != nil {
			return nil, err
		}
	} else {
		if m.Keys, err = open(FlagCertStoreFile, a.CertStore); err != nil {
			return nil, err
		}
		if m.Trust, err = open(FlagKeyStoreFile, a.KeyStore); err != nil {
			return nil, err
		}
	}
	if m.TLS, err = tlsconf.New(m.Keys, m.Trust, tlsconf.Options{ClientName: opts.Host}); err != nil {
		return nil, err
	}
	return m, nil
}
