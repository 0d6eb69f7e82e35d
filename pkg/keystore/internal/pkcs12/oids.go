package pkcs12

import (
	"encoding/asn1"

	"github.com/uccert/uccert/pkg/internal/pkcs8"
)

// Object identifiers of RFC 7292 (PKCS#12), RFC 8018 (PKCS#5) and the
// vendor attributes that Windows and Java write.
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}

	oidKeyBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidCRLBag             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 4}
	oidSecretBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 5}
	oidSafeContentsBag    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 6}
	oidCertTypeX509       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidFriendlyName       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidMicrosoftCSPName   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 17, 1}
	oidJavaTrustedKeyUsge = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}
	oidAnyExtendedKeyUse  = asn1.ObjectIdentifier{2, 5, 29, 37, 0}

	oidPBEWithSHAAnd128BitRC4     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 1}
	oidPBEWithSHAAnd40BitRC4      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 2}
	oidPBEWithSHAAnd3KeyTripleDES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHAAnd2KeyTripleDES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}
	oidPBEWithSHAAnd128BitRC2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBEWithSHAAnd40BitRC2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}

	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPBMAC1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}

	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}

	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// More object identifiers, for secret bags, key algorithms and the names
// that error messages and notes use.
var (
	oidAES            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1}
	oidECPublicKey    = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidDSA            = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidGOST2001       = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
	oidPKCS7Signed    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidPKCS7Enveloped = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
)

// secretKeyNames is the number of entries at the start of oidNames that
// name secret-key algorithms (see NewSecret).
const secretKeyNames = 14

// oidNames are the names by which messages, notes and secret bags refer
// to algorithms. Secret-key names, first, are Java's (javax.crypto
// algorithm names, as KeyStore.getKey(...).getAlgorithm() returns them).
var oidNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	// Secret keys (Java's SecretKeyEntry) and HMAC.
	{oidAES, "AES"},
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 7}, "DES"},
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 17}, "DESede"},
	{oidHMACWithSHA1, "HmacSHA1"},
	{oidHMACWithSHA224, "HmacSHA224"},
	{oidHMACWithSHA256, "HmacSHA256"},
	{oidHMACWithSHA384, "HmacSHA384"},
	{oidHMACWithSHA512, "HmacSHA512"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 12}, "HmacSHA512/224"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 13}, "HmacSHA512/256"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 13}, "HmacSHA3-224"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 14}, "HmacSHA3-256"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 15}, "HmacSHA3-384"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 16}, "HmacSHA3-512"},
	// Encryption.
	{oidAES128CBC, "AES-128-CBC"},
	{oidAES192CBC, "AES-192-CBC"},
	{oidAES256CBC, "AES-256-CBC"},
	{oidDESEDE3CBC, "DES-EDE3-CBC"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 6}, "AES-128-GCM"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 26}, "AES-192-GCM"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 46}, "AES-256-GCM"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 2}, "RC2-CBC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 4}, "RC4"},
	{oidPBEWithSHAAnd128BitRC4, "pbeWithSHAAnd128BitRC4"},
	{oidPBEWithSHAAnd40BitRC4, "pbeWithSHAAnd40BitRC4"},
	{oidPBEWithSHAAnd3KeyTripleDES, "pbeWithSHAAnd3-KeyTripleDES-CBC"},
	{oidPBEWithSHAAnd2KeyTripleDES, "pbeWithSHAAnd2-KeyTripleDES-CBC"},
	{oidPBEWithSHAAnd128BitRC2, "pbeWithSHAAnd128BitRC2-CBC"},
	{oidPBEWithSHAAnd40BitRC2, "pbeWithSHAAnd40BitRC2-CBC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 1}, "pbeWithMD2AndDES-CBC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 4}, "pbeWithMD2AndRC2-CBC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3}, "pbeWithMD5AndDES-CBC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 6}, "pbeWithMD5AndRC2-CBC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 10}, "pbeWithSHA1AndDES-CBC"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 11}, "pbeWithSHA1AndRC2-CBC"},
	{oidPBES2, "PBES2"},
	{oidPBKDF2, "PBKDF2"},
	{oidPBMAC1, "PBMAC1"},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}, "scrypt"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 3, 9}, "PWRI-KEK"},
	// Digests.
	{oidSHA1, "SHA-1"},
	{oidSHA224, "SHA-224"},
	{oidSHA256, "SHA-256"},
	{oidSHA384, "SHA-384"},
	{oidSHA512, "SHA-512"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 5}, "SHA-512/224"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 6}, "SHA-512/256"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 7}, "SHA3-224"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 8}, "SHA3-256"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 9}, "SHA3-384"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 10}, "SHA3-512"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}, "MD5"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 2}, "MD2"},
	{asn1.ObjectIdentifier{1, 2, 643, 2, 2, 9}, "GOST R 34.11-94"},
	{asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}, "GOST R 34.11-2012 (256-bit)"},
	{asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}, "GOST R 34.11-2012 (512-bit)"},
	// Content types.
	{oidPKCS7Signed, "signed data (public-key integrity mode)"},
	{oidPKCS7Enveloped, "enveloped data (public-key privacy mode)"},
}

// knownName returns the name of oid (here, or a key algorithm or curve of
// package pkcs8), or "" when it has none.
func knownName(oid asn1.ObjectIdentifier) string {
	for _, n := range oidNames {
		if n.oid.Equal(oid) {
			return n.name
		}
	}
	return pkcs8.Name(oid)
}

// algorithmName returns the name of oid, or "OID x.y.z".
func algorithmName(oid asn1.ObjectIdentifier) string {
	if n := knownName(oid); n != "" {
		return n
	}
	return "OID " + oid.String()
}
