package preflight

// Check names: stable, documented in docs/verify.md; tests and automation
// rely on them.
const (
	CheckStoreUnreadable    = "store-unreadable"
	CheckStoreWrongPassword = "store-wrong-password"
	CheckStoreTypeMismatch  = "store-type-mismatch"

	CheckKeyPasswordDiffers = "key-password-differs"
	CheckKeyCertMismatch    = "key-cert-mismatch"
	CheckKeyWeak            = "key-weak"

	CheckCertExpired         = "cert-expired"
	CheckCertNotYetValid     = "cert-not-yet-valid"
	CheckCertExpiresSoon     = "cert-expires-soon"
	CheckCertWeakSignature   = "cert-weak-signature"
	CheckCertEKU             = "cert-eku"
	CheckChainUntrusted      = "chain-untrusted"
	CheckChainIncomplete     = "chain-incomplete"
	CheckHostIdentityMissing = "host-identity-missing"
	CheckFEIdentityMissing   = "fe-identity-missing"
	CheckFQDNCNOnly          = "fqdn-cn-only"
	CheckFQDNUnexpected      = "fqdn-unexpected"
	CheckMixedKeyAlgorithms  = "mixed-key-algorithms"

	CheckTruststoreEmpty = "truststore-empty"
	CheckTruststoreNotCA = "truststore-not-ca"

	CheckArgsUnknownFlag  = "args-unknown-flag"
	CheckArgsMissingValue = "args-missing-value"
	CheckArgsTypeMismatch = "args-type-mismatch"

	CheckTLSHandshake = "tls-handshake"
	CheckKDCLogin     = "kdc-login"
)
