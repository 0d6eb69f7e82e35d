package connector

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
)

// One store-type rule (keystore.ParseStoreType) for Parse, Load and the
// checks: what the connector's Java reads, jks or pkcs12 in any case.
// 0.1.0 accepted -cert_store_type p12 in Load, refused it in Parse, and
// verify printed both a failure and an ok line for it.
func TestStoreTypeRuleIsOne(t *testing.T) {
	p12 := filepath.Join(fx, "stores", "ucc-with-fes.p12")
	trust := filepath.Join(fx, "stores", "truststore.jks")
	for _, typ := range []string{"pkcs12", "PKCS12", "Pkcs12", "p12", "pfx", "PFX", "jks", "jceks", "pkcs#12", " pkcs12"} {
		t.Run(typ, func(t *testing.T) {
			_, ruleErr := keystore.ParseStoreType(typ)
			f, _ := keystore.ParseStoreType(typ)
			valid := ruleErr == nil && f == keystore.FormatPKCS12
			a, probs := Parse([]string{FlagCertStoreFile, p12, FlagCertStorePass, "changeit1", FlagCertStoreType, typ,
				FlagKeyStoreFile, trust, FlagKeyStorePass, "trustpass1"})
			badType := false
			for _, p := range probs {
				badType = badType || errors.Is(p, ErrBadType)
			}
			if badType != (ruleErr != nil) {
				t.Errorf("Parse: bad type %v, rule error %v", badType, ruleErr)
			}
			_, err := Load(a, LoadOptions{})
			if (err == nil) != valid {
				t.Errorf("Load: %v (valid %v)", err, valid)
			}
			_, r := Check(a, CheckOptions{Problems: probs, Subject: "--args"})
			fs := r.ByCheck(preflight.CheckArgsTypeMismatch)
			errs, oks := 0, 0
			for _, f := range fs {
				switch f.Severity {
				case finding.Error:
					errs++
				case finding.OK:
					oks++
				}
			}
			if valid && (errs != 0 || oks != 1) || !valid && (errs != 1 || oks != 0) {
				t.Errorf("checks: %d errors, %d ok for args-type-mismatch: %+v", errs, oks, fs)
			}
		})
	}
}
