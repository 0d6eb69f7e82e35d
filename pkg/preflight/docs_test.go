package preflight

import (
	"os"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/krb5conf"
)

// Every check name is documented in docs/troubleshooting.md.
func TestEveryCheckDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{
		CheckStoreUnreadable, CheckStoreWrongPassword, CheckStoreTypeMismatch,
		CheckKeyPasswordDiffers, CheckKeyCertMismatch, CheckKeyWeak,
		CheckCertExpired, CheckCertNotYetValid, CheckCertExpiresSoon, CheckCertWeakSignature, CheckCertEKU,
		CheckChainUntrusted, CheckChainIncomplete,
		CheckHostIdentityMissing, CheckFEIdentityMissing, CheckFQDNCNOnly, CheckFQDNUnexpected, CheckMixedKeyAlgorithms,
		CheckTruststoreEmpty, CheckTruststoreNotCA,
		CheckArgsUnknownFlag, CheckArgsMissingValue, CheckArgsTypeMismatch,
		CheckTLSHandshake, CheckKDCLogin, CheckKDCUnresolvable,
		krb5conf.CheckSyntax, krb5conf.CheckNoDefaultRealm, krb5conf.CheckDefaultRealmUndefined, krb5conf.CheckRealmNoKDC,
		krb5conf.CheckRealmLowercase, krb5conf.CheckDomainRealmUndefined, krb5conf.CheckHostRealmMismatch,
		krb5conf.CheckWeakEnctype, krb5conf.CheckWeakChecksum,
	}
	for _, n := range names {
		if !strings.Contains(string(doc), "| `"+n+"` |") {
			t.Errorf("check %s is not in docs/troubleshooting.md", n)
		}
	}
}
