// Package verify is everything `uccert verify` does: the offline checks
// of the connector's arguments and files (package connector's Check,
// which runs package preflight), then the live checks — a mutual-TLS
// handshake with each server given, a Kerberos AS exchange for an
// account, the resolution of every KDC name — and one report.
//
// The live checks do network I/O, bounded by the context and a timeout
// per check. They live here, apart from connector and preflight, so that
// a daemon that only loads its stores does not link them.
//
// The package prints nothing and keeps no state.
package verify

import (
	"context"
	"net"
	"time"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// Check names of the live checks (stable).
const (
	CheckTLSHandshake    finding.Check = "tls-handshake"
	CheckKDCLogin        finding.Check = "kdc-login"
	CheckKDCUnresolvable finding.Check = "krb5-kdc-unresolvable"
)

// Checks returns the live checks of this package.
func Checks() []finding.Check {
	return []finding.Check{CheckTLSHandshake, CheckKDCLogin, CheckKDCUnresolvable}
}

// Options are connector.Check's options plus the live checks.
type Options struct {
	connector.CheckOptions
	// Connect lists servers for a mutual-TLS handshake with the stores
	// (tls-handshake).
	Connect []Target
	// KDCUser and KDCPassword: a Kerberos AS exchange with the krb5.conf
	// (kdc-login).
	KDCUser     string
	KDCPassword secret.Password
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

var _ Resolver = (*net.Resolver)(nil)

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 10 * time.Second
	}
	return o.Timeout
}

// Run runs every check that applies to a and opts: the offline checks of
// connector.Check, then the live ones, and returns one report. A nil a
// is reported as a failed finding.
func Run(ctx context.Context, a *connector.Args, opts Options) *finding.Report {
	_, r := RunMaterial(ctx, a, opts)
	return r
}

// RunMaterial is Run that also returns what connector.Check read: the
// stores as they were checked (Material.Keys and Material.Trust, nil
// when a store was not given or could not be read), for a caller that
// reports on their certificates too (`uccert verify --format
// prometheus`) without reading the files a second time. Material.TLS
// is nil.
func RunMaterial(ctx context.Context, a *connector.Args, opts Options) (*connector.Material, *finding.Report) {
	m, r := connector.Check(a, opts.CheckOptions)
	l := &live{Report: r, opts: opts, material: m}
	if a != nil {
		l.krb5Path = a.KrbConf
		l.trustPath = a.KeyStore.File
		if m.Mode == connector.ModeTLSKerberos {
			l.trustPath = a.CertStore.File
		}
	}
	if len(opts.Connect) > 0 {
		for _, t := range opts.Connect {
			l.tlsHandshake(ctx, t)
		}
	}
	if m.Krb5 != nil {
		if opts.Online {
			l.kdcResolvable(ctx, m.Krb5)
		}
		if opts.KDCUser != "" {
			l.kdcLogin(ctx, m.Krb5)
		}
	}
	return m, r
}

// live runs the live checks into one report.
type live struct {
	*finding.Report
	opts     Options
	material *connector.Material
	// krb5Path and trustPath name the krb5.conf and the trust store.
	krb5Path, trustPath string
}

func (l *live) keys() *keystore.Store  { return l.material.Keys }
func (l *live) trust() *keystore.Store { return l.material.Trust }
