package preflight

import (
	"context"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
)

// StoreSpec names a store to check and how the connector would open it.
type StoreSpec struct {
	Path string
	// Password is the store password; HasPassword false means none was
	// given (a finding, not a usage error: the connector would fail too).
	Password    string
	HasPassword bool
	// Type is the declared store type ("jks", "pkcs12"; "" when not
	// declared). TypeFromArgs says it came from the connector's own
	// -*_store_type argument (args-type-mismatch) rather than a uccert
	// option (store-type-mismatch).
	Type         string
	TypeFromArgs bool
}

// Options say what to check. Checks run for what is given.
type Options struct {
	// Kerberos selects tls-kerberos mode; the default is mtls.
	Kerberos bool
	// Host is the connector host's FQDN ("" skips the host identity check).
	Host string
	// FEs are Front End FQDNs that need a key entry each (mtls).
	FEs []string
	// CertStore and KeyStore are the connector's -cert_store_* and
	// -key_store_* stores. In mtls mode the cert store holds the keys and
	// the key store is the trust store; in tls-kerberos mode the cert store
	// is the trust store.
	CertStore *StoreSpec
	KeyStore  *StoreSpec
	// Krb5 is the krb5.conf path ("" when not given).
	Krb5 string
	// ArgFindings are the problems found in the connector's command line
	// (package connector classifies them: connector.ProblemFindings), and
	// ArgsSubject names that line (an --args-file path, or "--args"); a
	// non-empty ArgsSubject adds ok findings for the argument checks that
	// found nothing.
	ArgFindings []Finding
	ArgsSubject string
	// Now is when validity is judged (--at); WarnDays the cert-expires-soon
	// window.
	Now      time.Time
	WarnDays int
}

// Run runs every check that applies to opts and returns the report.
func Run(ctx context.Context, opts Options) *Report {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	c := &collector{}
	if opts.ArgsSubject != "" || len(opts.ArgFindings) > 0 {
		checkArgs(c, opts)
	}
	var keys, trust *keystore.Store
	var keysSpec, trustSpec *StoreSpec
	if opts.Kerberos {
		trustSpec = opts.CertStore
	} else {
		keysSpec, trustSpec = opts.CertStore, opts.KeyStore
	}
	if keysSpec != nil {
		keys = loadStore(c, keysSpec, opts)
	}
	if trustSpec != nil {
		trust = loadStore(c, trustSpec, opts)
		if trust != nil {
			checkTrustStore(c, trustSpec.Path, trust, opts)
		}
	}
	if keys != nil {
		checkKeyStore(c, keysSpec.Path, keys, trust, trustSpec != nil, opts)
	}
	if opts.Krb5 != "" {
		checkKrb5(c, opts)
	}
	return &Report{Findings: c.findings}
}
