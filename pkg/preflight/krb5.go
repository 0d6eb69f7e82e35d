package preflight

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/uccert/uccert/pkg/krb5conf"
)

var krb5Checks = []string{
	krb5conf.CheckSyntax, krb5conf.CheckNoDefaultRealm, krb5conf.CheckDefaultRealmUndefined,
	krb5conf.CheckRealmNoKDC, krb5conf.CheckRealmLowercase, krb5conf.CheckDomainRealmUndefined,
	krb5conf.CheckHostRealmMismatch, krb5conf.CheckWeakEnctype, krb5conf.CheckWeakChecksum,
}

// checkKrb5 lints the krb5.conf (syntax with line numbers) and runs the
// semantic checks for the connector host.
func checkKrb5(c *collector, opts Options) *krb5conf.File {
	path := opts.Krb5
	f, findings, err := krb5conf.Load(path)
	if f == nil && err != nil {
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "the file does not exist"
		}
		c.errorf(krb5conf.CheckSyntax, path, "check the -krb_conf_file path", "cannot read krb5.conf: %s", msg)
		return nil
	}
	findings = append(findings, krb5conf.Check(f, krb5conf.CheckOptions{Host: opts.Host})...)
	seen := map[string]bool{}
	for _, kf := range findings {
		sev := Error
		if kf.Severity == krb5conf.SeverityWarning {
			sev = Warn
		}
		seen[kf.Check] = true
		c.add(kf.Check, sev, fmt.Sprintf("%s:%d", path, kf.Line), kf.Message, kf.Hint)
	}
	for _, name := range krb5Checks {
		if !seen[name] {
			c.add(name, OK, path, krb5OK(name, f), "")
		}
	}
	return f
}

func krb5OK(check string, f *krb5conf.File) string {
	switch check {
	case krb5conf.CheckSyntax:
		return "syntax is correct"
	case krb5conf.CheckNoDefaultRealm, krb5conf.CheckDefaultRealmUndefined:
		return "default_realm " + krb5conf.DefaultRealm(f) + " is set and defined"
	case krb5conf.CheckRealmNoKDC:
		return "every realm has a kdc"
	case krb5conf.CheckRealmLowercase:
		return "realm names are upper-case"
	case krb5conf.CheckDomainRealmUndefined:
		return "every [domain_realm] mapping names a defined realm"
	case krb5conf.CheckHostRealmMismatch:
		return "the connector host maps to the default realm"
	case krb5conf.CheckWeakEnctype:
		return "no DES encryption type"
	case krb5conf.CheckWeakChecksum:
		return "no weak checksum type"
	}
	return "ok"
}
