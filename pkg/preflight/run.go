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

	// Live checks (network I/O, bounded by ctx and the timeouts).

	// Connect lists servers for a mutual-TLS handshake with the stores
	// (tls-handshake).
	Connect []Target
	// KDCUser and KDCPassword: a Kerberos AS exchange with the krb5.conf
	// (kdc-login).
	KDCUser     string
	KDCPassword string
	// Online resolves every KDC host name of the krb5.conf
	// (krb5-kdc-unresolvable).
	Online bool
	// Timeout bounds each live check; 10 s when zero.
	Timeout time.Duration
	// Resolver looks up host names for Online; net.DefaultResolver when nil.
	Resolver Resolver
}

// Target is a server to handshake with: Host is the name verified in its
// certificate (and sent as SNI), Port its port, and Addr, when set, the
// address to dial instead of Host (curl's --resolve HOST:PORT:ADDR).
type Target struct {
	Host, Port, Addr string
}

// Resolver looks up host names (satisfied by *net.Resolver).
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 10 * time.Second
	}
	return o.Timeout
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
	if len(opts.Connect) > 0 {
		checkTLSHandshakes(ctx, c, keys, trust, opts)
	}
	if opts.Krb5 != "" {
		if f := checkKrb5(c, opts); f != nil {
			if opts.Online {
				checkKDCResolvable(ctx, c, f, opts)
			}
			if opts.KDCUser != "" {
				checkKDCLogin(ctx, c, f, opts)
			}
		}
	}
	return &Report{Findings: c.findings}
}
