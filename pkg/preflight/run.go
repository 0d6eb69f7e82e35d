package preflight

import (
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/krb5conf"
)

// Options say what Run checks. Checks run for what is given.
type Options struct {
	// Kerberos selects tls-kerberos mode; the default is mtls. (Package
	// connector decides the mode from the arguments and the content.)
	Kerberos bool
	// CertStore and KeyStore are the connector's -cert_store_* and
	// -key_store_* stores, opened with Open. In mtls mode the cert store
	// holds the keys and the key store is the trust store; in
	// tls-kerberos mode the cert store is the trust store.
	CertStore, KeyStore *Opened
	// Krb5 is the krb5.conf path ("" when not given); Krb5Data its
	// content when the caller read it already (else Run reads Krb5).
	Krb5     string
	Krb5Data []byte
	// Host is the connector host's FQDN ("" skips the host identity
	// check); FEs are Front End FQDNs that need a key entry each (mtls).
	Host string
	FEs  []string
	// Now is when validity is judged (time.Now when zero); WarnDays the
	// cert-expires-soon window (30 when zero).
	Now      time.Time
	WarnDays int
	// Findings are reported first: the connector's command line (package
	// connector's ProblemFindings).
	Findings []finding.Finding
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// Result is what Run checked: the report, and the krb5.conf it read (nil
// when none was given or it could not be read).
type Result struct {
	Report *finding.Report
	Krb5   *krb5conf.File
}

// Run runs every offline check that applies to opts.
func Run(opts Options) *Result {
	opts.Now = opts.now()
	c := &collector{}
	c.Add(opts.Findings...)
	keys, trust := opts.CertStore, opts.KeyStore
	if opts.Kerberos {
		keys, trust = nil, opts.CertStore
	}
	for _, o := range []*Opened{keys, trust} {
		if o != nil {
			c.Add(o.Findings...)
		}
	}
	if trust != nil && trust.Store != nil {
		c.Add(CheckTrustStore(trust.Spec.Path, trust.Store, opts)...)
	}
	if keys != nil && keys.Store != nil {
		var ts *keystore.Store
		if trust != nil {
			ts = trust.Store
			if ts == nil {
				ts = &keystore.Store{} // unreadable: reported on its own, chains not judged
			}
		}
		c.Add(CheckKeyStore(keys.Spec.Path, keys.Store, ts, opts)...)
	}
	res := &Result{}
	if opts.Krb5 != "" {
		var readErr error
		data := opts.Krb5Data
		if data == nil {
			data, readErr = krb5conf.ReadFile(opts.Krb5)
		}
		f, fs := krb5conf.Lint(opts.Krb5, data, readErr, krb5conf.CheckOptions{Host: opts.Host})
		c.Add(fs...)
		res.Krb5 = f
	}
	res.Report = &c.Report
	return res
}
