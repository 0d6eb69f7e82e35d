package connector

import (
	"context"
	"time"

	"github.com/uccert/uccert/pkg/preflight"
)

// VerifyOptions are what `uccert verify` adds to the connector's own
// arguments.
type VerifyOptions struct {
	// Host is the connector host's FQDN; FEs the Front End FQDNs.
	Host string
	FEs  []string
	// Problems are those ParseCommandLine or ParseBatLine reported, and
	// Subject names the command line in findings (a file or "--args").
	Problems []Problem
	Subject  string
	// Now, WarnDays, Connect, KDCUser, KDCPassword, Online and Timeout are
	// as in preflight.Options.
	Now         time.Time
	WarnDays    int
	Connect     []preflight.Target
	KDCUser     string
	KDCPassword string
	Online      bool
	Timeout     time.Duration
}

// PreflightOptions translates arguments and options into the options of
// preflight.Run: the stores, passwords and declared types come from a
// (declared types are then checked as args-type-mismatch).
func (a *Args) PreflightOptions(v VerifyOptions) preflight.Options {
	spec := func(s StoreArgs) *preflight.StoreSpec {
		if s.File == "" {
			return nil
		}
		return &preflight.StoreSpec{Path: s.File, Password: s.Pass, HasPassword: s.HasPass, Type: s.Type, TypeFromArgs: s.Type != ""}
	}
	subject := v.Subject
	if subject == "" && len(v.Problems) > 0 {
		subject = "arguments"
	}
	return preflight.Options{
		Kerberos:    a.Mode() == ModeTLSKerberos,
		Host:        v.Host,
		FEs:         v.FEs,
		CertStore:   spec(a.CertStore),
		KeyStore:    spec(a.KeyStore),
		Krb5:        a.KrbConf,
		ArgFindings: ProblemFindings(v.Problems, subject),
		ArgsSubject: subject,
		Now:         v.Now,
		WarnDays:    v.WarnDays,
		Connect:     v.Connect,
		KDCUser:     v.KDCUser,
		KDCPassword: v.KDCPassword,
		Online:      v.Online,
		Timeout:     v.Timeout,
	}
}

// Verify runs every preflight check on the connector's arguments: the
// same report `uccert verify --args` prints.
func Verify(ctx context.Context, a *Args, v VerifyOptions) *preflight.Report {
	return preflight.Run(ctx, a.PreflightOptions(v))
}
