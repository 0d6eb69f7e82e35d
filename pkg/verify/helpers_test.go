package verify

import (
	"context"
	"path/filepath"
	"time"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

const fx = "../../fixtures"

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// Shorter names for the finding package's severities and types.
const (
	OK    = finding.OK
	Info  = finding.Info
	Warn  = finding.Warn
	Error = finding.Error
)

type (
	Finding  = finding.Finding
	Severity = finding.Severity
	Report   = finding.Report
)

func store(path, pass string) *connector.StoreArgs {
	return &connector.StoreArgs{File: filepath.Join(fx, path), Pass: secret.NewPassword(pass), HasPass: true}
}

// input is what a test gives Run: the connector's arguments and the
// options, flat.
type input struct {
	CertStore, KeyStore  *connector.StoreArgs
	Krb5                 string
	Host                 string
	Now                  time.Time
	Connect              []Target
	KDCUser, KDCPassword string
	Online               bool
	Timeout              time.Duration
	Resolver             Resolver
}

func run(ctx context.Context, in input) *finding.Report {
	a := &connector.Args{KrbConf: in.Krb5}
	if in.CertStore != nil {
		a.CertStore = *in.CertStore
	}
	if in.KeyStore != nil {
		a.KeyStore = *in.KeyStore
	}
	opts := Options{Connect: in.Connect, KDCUser: in.KDCUser, KDCPassword: secret.NewPassword(in.KDCPassword),
		Online: in.Online, Timeout: in.Timeout, Resolver: in.Resolver}
	opts.Host, opts.Now = in.Host, in.Now
	return Run(ctx, a, opts)
}

// liveOnly runs the tls-handshake check alone with the stores given.
func liveOnly(ctx context.Context, keys, trust *keystore.Store, opts Options) *finding.Report {
	l := &live{Report: &finding.Report{}, opts: opts, material: &connector.Material{Keys: keys, Trust: trust}}
	for _, t := range opts.Connect {
		l.tlsHandshake(ctx, t)
	}
	return l.Report
}
