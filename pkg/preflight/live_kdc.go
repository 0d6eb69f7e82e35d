package preflight

import (
	"context"

	"github.com/uccert/uccert/pkg/krb5conf"
)

// CheckKDCUnresolvable is the check name of --online KDC resolution.
const CheckKDCUnresolvable = "krb5-kdc-unresolvable"

// checkKDCResolvable resolves every KDC host of the krb5.conf.
func checkKDCResolvable(ctx context.Context, c *collector, f *krb5conf.File, opts Options) {
	// TODO(issue 5): implemented by the live Kerberos work.
}

// checkKDCLogin performs a Kerberos AS exchange for opts.KDCUser.
func checkKDCLogin(ctx context.Context, c *collector, f *krb5conf.File, opts Options) {
	// TODO(issue 5): implemented by the live Kerberos work.
}
