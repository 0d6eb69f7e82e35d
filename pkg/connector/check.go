package connector

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/krb5conf"
	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/tlsconf"
)

// Errors of Load.
var (
	// ErrNoStore: an argument the mode needs is missing.
	ErrNoStore = errors.New("missing store argument")
	// ErrNoArgs: Load or Check was given no Args.
	ErrNoArgs = errors.New("no connector arguments")
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
	// Krb5 is the krb5.conf of -krb_conf_file (nil when none was given).
	Krb5 *krb5conf.File
	// Report holds the offline checks of this material: what Load did
	// not refuse (expiring certificates, weak keys...) is there to log.
	Report *finding.Report
}

// LoadOptions tune Load.
type LoadOptions struct {
	// Host is the connector host's FQDN: the client side presents the
	// entry that names it, when there is one.
	Host string
	// FEs are the Front End FQDNs that must each have a key entry in the
	// cert store (mtls): Load fails when one has none.
	FEs []string
	// PeerNames, when set, are the names a peer's certificate must serve:
	// the Front End servers and pool whose client certificates the
	// connector accepts (and whose servers it dials). Without them any
	// certificate the trust store verifies is accepted.
	PeerNames []string
}

// CheckOptions tune Check: Load's options plus what `uccert verify` adds.
type CheckOptions struct {
	LoadOptions
	// Mode forces the mode; 0 lets DecideMode choose.
	Mode Mode
	// Now is when validity is judged (time.Now when zero); WarnDays the
	// cert-expires-soon window (30 when zero).
	Now      time.Time
	WarnDays int
	// Problems are those ParseCommandLine or ParseBatLine reported, and
	// Subject names the command line in findings (a file, "--args");
	// a non-empty Subject adds the args-* checks' findings.
	Problems []Problem
	Subject  string
	// CertTypeByOption and KeyTypeByOption say that the declared
	// -*_store_type of a store came from uccert's own options (checked as
	// store-type-mismatch), not from the connector's arguments
	// (args-type-mismatch).
	CertTypeByOption, KeyTypeByOption bool
}

// DecideMode returns the connector's mode for a, looking at the cert
// store's entries when the arguments allow both readings: without
// -krb_conf_file it is mtls; with it, a cert store holding key entries
// beside a key store is mtls (the krb5.conf is checked too), and
// anything else tls-kerberos. certStore is the cert store as read (nil
// when it could not be read: then a key store argument means mtls).
func DecideMode(a *Args, certStore *keystore.Store) Mode {
	if a == nil || a.KrbConf == "" {
		return ModeMTLS
	}
	if a.KeyStore.File == "" {
		return ModeTLSKerberos
	}
	if certStore == nil {
		return ModeMTLS
	}
	for _, e := range certStore.Entries {
		if e == nil {
			continue
		}
		if e.Kind == keystore.KindKey {
			return ModeMTLS
		}
	}
	return ModeTLSKerberos
}

// Check reads the files the arguments name, once each, and runs the
// offline checks of `uccert verify` on them (package preflight). It
// returns what it could load and the report; Material.TLS is nil.
func Check(a *Args, opts CheckOptions) (*Material, *finding.Report) {
	return check(a, opts, nil)
}

// contents are files already read, by the path the arguments name them
// with: check and load judge exactly these bytes instead of reading the
// files (Watch). A path that is not in it is read.
type contents map[string][]byte

// check is Check on the files' contents when files has them.
func check(a *Args, opts CheckOptions, files contents) (*Material, *finding.Report) {
	if a == nil {
		return &Material{}, &finding.Report{Findings: []finding.Finding{{
			Check: preflight.CheckStoreUnreadable, Severity: finding.Error, Subject: "arguments",
			Message: "no connector arguments", Err: ErrNoArgs,
		}}}
	}
	subject := opts.Subject
	if subject == "" {
		subject = "arguments"
	}
	// A declared type that is no store type is reported here, once, on
	// its store; preflight judges valid declarations against the content.
	var typeFindings []finding.Finding
	spec := func(flag string, s StoreArgs, byOption bool) *preflight.StoreSpec {
		typ := s.Type
		if typ != "" && normaliseType(typ) == "" {
			typeFindings = append(typeFindings, badTypeFinding(flag, typ, s.File, subject, byOption))
			typ = ""
		}
		if s.File == "" {
			return nil
		}
		return &preflight.StoreSpec{Path: s.File, Data: files[s.File], Password: s.Pass, HasPassword: s.HasPass, Type: typ, TypeFromArgs: typ != "" && !byOption}
	}
	cert := preflight.Open(spec(FlagCertStoreType, a.CertStore, opts.CertTypeByOption))
	key := preflight.Open(spec(FlagKeyStoreType, a.KeyStore, opts.KeyTypeByOption))
	m := &Material{Mode: opts.Mode}
	if m.Mode == 0 {
		var cs *keystore.Store
		if cert != nil {
			cs = cert.Store
		}
		m.Mode = DecideMode(a, cs)
	}
	popts := preflight.Options{
		Kerberos:  m.Mode == ModeTLSKerberos,
		CertStore: cert,
		KeyStore:  key,
		Krb5:      a.KrbConf,
		Krb5Data:  files[a.KrbConf],
		Host:      opts.Host,
		FEs:       opts.FEs,
		Now:       opts.Now,
		WarnDays:  opts.WarnDays,
	}
	if opts.Subject != "" || len(opts.Problems) > 0 {
		popts.Findings = ProblemFindings(opts.Problems, subject)
	}
	popts.Findings = append(popts.Findings, typeFindings...)
	if a.CertStore.File == "" && (a.KeyStore.File != "" || opts.Subject != "") {
		// Checks run for what is given; but a key store without a cert
		// store, or a connector command line without one, is a command
		// line the connector does not start with.
		popts.Findings = append(popts.Findings, finding.Finding{Check: preflight.CheckStoreUnreadable, Severity: finding.Error,
			Subject: subject, Message: "no cert store: the connector needs " + FlagCertStoreFile + " (the key entries in mtls mode, the trust store in tls-kerberos mode)",
			Hint: "give " + FlagCertStoreFile + " with its password and type", Err: fmt.Errorf("%w: %s", ErrNoStore, FlagCertStoreFile)})
	}
	if m.Mode == ModeTLSKerberos && a.KrbConf == "" && opts.Subject != "" {
		popts.Findings = append(popts.Findings, finding.Finding{Check: krb5conf.CheckSyntax, Severity: finding.Error,
			Subject: subject, Message: "no krb5.conf: the connector needs " + FlagKrbConfFile + " in tls-kerberos mode",
			Hint: "give " + FlagKrbConfFile + " with the krb5.conf's path", Err: fmt.Errorf("%w: %s", ErrNoStore, FlagKrbConfFile)})
	}
	res := preflight.Run(popts)
	m.Krb5, m.Report = res.Krb5, res.Report
	store := func(o *preflight.Opened) *keystore.Store {
		if o == nil {
			return nil
		}
		return o.Store
	}
	if m.Mode == ModeTLSKerberos {
		m.Trust = store(cert)
	} else {
		m.Keys, m.Trust = store(cert), store(key)
	}
	return m, m.Report
}

// Load opens the stores the arguments name, with their passwords, checks
// them (Check) and builds the TLS configuration. It fails when a check
// finds what the connector cannot start with (preflight.Blocking: a store
// that cannot be read or has another type than declared, a key not
// protected by the store password or not matching its certificate, a
// Host or FE without a key entry, an empty trust store) or when a store
// the mode needs is missing (ErrNoStore). The error is then a
// *finding.Failed listing the findings: errors.Is finds what is behind
// them (keystore.ErrIncorrectPassword, keystore.ErrTypeMismatch,
// keystore.ErrKeyPassword...).
func Load(a *Args, opts LoadOptions) (*Material, error) {
	return load(a, opts, nil)
}

// load is Load on the files' contents when files has them (Watch).
func load(a *Args, opts LoadOptions, files contents) (*Material, error) {
	if a == nil {
		return nil, ErrNoArgs
	}
	m, report := check(a, CheckOptions{LoadOptions: opts}, files)
	if failed := report.Filter(preflight.Blocking); len(failed) > 0 {
		return nil, &finding.Failed{Findings: failed}
	}
	switch {
	case a.CertStore.File == "":
		return nil, fmt.Errorf("%w: %s", ErrNoStore, FlagCertStoreFile)
	case m.Mode == ModeMTLS && a.KeyStore.File == "":
		return nil, fmt.Errorf("%w: %s", ErrNoStore, FlagKeyStoreFile)
	}
	var err error
	if m.TLS, err = tlsconf.New(m.Keys, m.Trust, tlsconf.Options{ClientName: opts.Host, PeerNames: opts.PeerNames}); err != nil {
		return nil, err
	}
	return m, nil
}
