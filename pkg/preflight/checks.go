// Package preflight runs the offline checks of `uccert verify`: everything
// that would stop a UC Connector at start-up or break its TLS, MTLS or
// Kerberos — unreadable stores, keys under the wrong password, expired or
// weak certificates, untrusted chains, missing host identities, krb5.conf
// mistakes — as small functions that return findings (package finding).
// [Run] checks a connector's stores and krb5.conf and returns the Report;
// [CheckKeyStore] and [CheckTrustStore] check one store, and are what
// merge and truststore warn with. The live checks (TLS handshakes, a
// Kerberos login) are in package verify; the connector's arguments are
// read by package connector, which calls Run.
//
// Check names are stable: automation relies on them. Every check of this
// package is listed by [Checks]; [Blocking] tells the failures with
// which the connector cannot start (connector.Load refuses them).
//
// The package does no network I/O, prints nothing and keeps no state.
package preflight

import (
	"errors"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/krb5conf"
)

// Check names: stable, documented in docs/verify.md and
// docs/troubleshooting.md.
const (
	CheckStoreUnreadable    finding.Check = "store-unreadable"
	CheckStoreWrongPassword finding.Check = "store-wrong-password"
	CheckStoreTypeMismatch  finding.Check = "store-type-mismatch"

	CheckKeyPasswordDiffers finding.Check = "key-password-differs"
	CheckKeyCertMismatch    finding.Check = "key-cert-mismatch"
	CheckKeyWeak            finding.Check = "key-weak"

	CheckCertExpired       finding.Check = "cert-expired"
	CheckCertNotYetValid   finding.Check = "cert-not-yet-valid"
	CheckCertExpiresSoon   finding.Check = "cert-expires-soon"
	CheckCertWeakSignature finding.Check = "cert-weak-signature"
	CheckCertEKU           finding.Check = "cert-eku"
	// CheckCertMalformedName: a subjectAltName that is not ASCII (a raw
	// UTF-8 dNSName), which no TLS client matches (warn).
	CheckCertMalformedName finding.Check = "cert-malformed-name"

	CheckChainUntrusted  finding.Check = "chain-untrusted"
	CheckChainIncomplete finding.Check = "chain-incomplete"

	CheckHostIdentityMissing finding.Check = "host-identity-missing"
	CheckFEIdentityMissing   finding.Check = "fe-identity-missing"
	CheckFQDNCNOnly          finding.Check = "fqdn-cn-only"
	CheckFQDNUnexpected      finding.Check = "fqdn-unexpected"
	CheckMixedKeyAlgorithms  finding.Check = "mixed-key-algorithms"
	CheckIdentityDuplicate   finding.Check = "identity-duplicate"

	CheckTruststoreEmpty   finding.Check = "truststore-empty"
	CheckTruststoreNotCA   finding.Check = "truststore-not-ca"
	CheckTruststoreMissing finding.Check = "truststore-missing"
	CheckStoresSwapped     finding.Check = "stores-swapped"

	// The connector's command line (package connector reports these
	// from its Problems; args-type-mismatch also from a declared type
	// that the file contradicts).
	CheckArgsUnknownFlag   finding.Check = "args-unknown-flag"
	CheckArgsMissingValue  finding.Check = "args-missing-value"
	CheckArgsTypeMismatch  finding.Check = "args-type-mismatch"
	CheckArgsDuplicateFlag finding.Check = "args-duplicate-flag"
	CheckArgsBatSyntax     finding.Check = "args-bat-syntax"
)

// Checks returns every check of this package (krb5.conf checks are
// krb5conf.Checks, live ones verify.Checks).
func Checks() []finding.Check {
	return []finding.Check{
		CheckStoreUnreadable, CheckStoreWrongPassword, CheckStoreTypeMismatch,
		CheckKeyPasswordDiffers, CheckKeyCertMismatch, CheckKeyWeak,
		CheckCertExpired, CheckCertNotYetValid, CheckCertExpiresSoon, CheckCertWeakSignature, CheckCertEKU, CheckCertMalformedName,
		CheckChainUntrusted, CheckChainIncomplete,
		CheckHostIdentityMissing, CheckFEIdentityMissing, CheckFQDNCNOnly, CheckFQDNUnexpected, CheckMixedKeyAlgorithms, CheckIdentityDuplicate,
		CheckTruststoreEmpty, CheckTruststoreNotCA, CheckTruststoreMissing, CheckStoresSwapped,
		CheckArgsUnknownFlag, CheckArgsMissingValue, CheckArgsTypeMismatch, CheckArgsDuplicateFlag, CheckArgsBatSyntax,
	}
}

// blocking are the checks whose error means the connector cannot start,
// or starts presenting the wrong identity: the stores cannot be opened as
// declared, a key cannot be used, an identity that was asked for is
// missing. Expired certificates, weak keys and untrusted chains are not
// among them (the connector starts; verify reports them).
func blocking(c finding.Check) bool {
	switch c {
	case CheckStoreUnreadable, CheckStoreWrongPassword, CheckStoreTypeMismatch,
		CheckArgsTypeMismatch, CheckKeyPasswordDiffers, CheckKeyCertMismatch,
		CheckHostIdentityMissing, CheckFEIdentityMissing, CheckTruststoreEmpty,
		CheckTruststoreMissing, CheckStoresSwapped:
		return true
	}
	return false
}

// Blocking reports whether f is an error with which the connector cannot
// start: connector.Load and connector.Watch refuse material with such a
// finding. A krb5.conf that cannot be read at all is one
// (krb5conf.ErrUnreadable); its other problems are not.
func Blocking(f finding.Finding) bool {
	return f.Severity == finding.Error && (blocking(f.Check) || errors.Is(f.Err, krb5conf.ErrUnreadable))
}
