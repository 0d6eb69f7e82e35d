package preflight

import (
	"errors"
	"fmt"
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
	// A key entry that serves none of them is reported
	// (fqdn-unexpected) when FEs are given, or when NamesComplete says
	// that Host and FEs name every entry the store should hold (merge's
	// --host alone; verify's --host defaults to this machine's name).
	Host          string
	FEs           []string
	NamesComplete bool
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
	switch {
	case checkSwapped(c, opts):
		// the store checks would only repeat it in other words
	case !opts.Kerberos && keys != nil && trust == nil:
		c.fail(CheckTruststoreMissing, keys.Spec.Path,
			"give the trust store as -key_store_file (build it from the CA certificate: uccert truststore -o ucc-trust.jks CA.cer)",
			ErrNoTrustStore, "mtls mode without a trust store: the connector needs -key_store_file, the CA certificates it trusts, and does not start without it")
		fallthrough
	default:
		checkStores(c, keys, trust, opts)
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

// checkStores runs the checks of the trust store and of the key store.
func checkStores(c *collector, keys, trust *Opened, opts Options) {
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
}

// ErrNoTrustStore is the error behind truststore-missing.
var ErrNoTrustStore = errors.New("no trust store")

// ErrSwapped is the error behind stores-swapped.
var ErrSwapped = errors.New("the cert store and the key store are swapped")

// checkSwapped reports stores-swapped: in mtls mode, a cert store of
// trusted certificates only beside a key store that holds key entries;
// in tls-kerberos mode, a cert store (the trust store) that holds key
// entries and no trusted certificate. It says so once, with the corrected
// arguments, and reports whether it did.
func checkSwapped(c *collector, opts Options) bool {
	kinds := func(o *Opened) (keys, trusted int) {
		if o == nil || o.Store == nil {
			return -1, -1
		}
		for _, e := range o.Store.Entries {
			switch {
			case e == nil:
			case e.Kind == keystore.KindKey:
				keys++
			case e.Kind == keystore.KindTrusted:
				trusted++
			}
		}
		return keys, trusted
	}
	cert, key := opts.CertStore, opts.KeyStore
	ck, ct := kinds(cert)
	kk, _ := kinds(key)
	switch {
	case !opts.Kerberos && ck == 0 && ct > 0 && kk > 0:
		c.fail(CheckStoresSwapped, cert.Spec.Path,
			fmt.Sprintf("swap them: -cert_store_file %s (with its password and type) and -key_store_file %s (with its password and type)", key.Spec.Path, cert.Spec.Path),
			ErrSwapped, "the cert store holds only trusted certificates (%s) and the key store %s holds the key entries (%s): in mtls mode the cert store holds the keys and the key store is the trust store",
			finding.Count(ct, "certificate", "certificates"), key.Spec.Path, finding.Count(kk, "key entry", "key entries"))
		return true
	case opts.Kerberos && ck > 0 && ct == 0:
		c.fail(CheckStoresSwapped, cert.Spec.Path,
			"give the trust store (the CA certificates, uccert truststore) as -cert_store_file; or, for mtls, keep this store as -cert_store_file and add the trust store as -key_store_file",
			ErrSwapped, "in tls-kerberos mode the cert store is the trust store, but it holds key entries (%s) and no trusted certificate", finding.Count(ck, "key entry", "key entries"))
		return true
	}
	return false
}
