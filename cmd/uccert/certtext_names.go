package main

// The names certText (certtext.go) gives to object identifiers: OpenSSL's
// (its long names, or its short names for name attributes), checked with
// `openssl asn1parse -genstr OID:...` and `openssl x509 -text`, 3.0.19.

// algorithmName is OpenSSL's long name of a signature, public key or hash
// algorithm OID, or the OID itself.
func algorithmName(oid string) string {
	switch oid {
	case "1.2.840.113549.1.1.2":
		return "md2WithRSAEncryption"
	case "1.2.840.113549.1.1.4":
		return "md5WithRSAEncryption"
	case "1.2.840.113549.1.1.5":
		return "sha1WithRSAEncryption"
	case "1.2.840.113549.1.1.11":
		return "sha256WithRSAEncryption"
	case "1.2.840.113549.1.1.12":
		return "sha384WithRSAEncryption"
	case "1.2.840.113549.1.1.13":
		return "sha512WithRSAEncryption"
	case "1.2.840.113549.1.1.14":
		return "sha224WithRSAEncryption"
	case oidRSAPSS:
		return "rsassaPss"
	case oidRSA:
		return "rsaEncryption"
	case "1.2.840.10045.4.1":
		return "ecdsa-with-SHA1"
	case "1.2.840.10045.4.3.1":
		return "ecdsa-with-SHA224"
	case "1.2.840.10045.4.3.2":
		return "ecdsa-with-SHA256"
	case "1.2.840.10045.4.3.3":
		return "ecdsa-with-SHA384"
	case "1.2.840.10045.4.3.4":
		return "ecdsa-with-SHA512"
	case "1.2.840.10040.4.3":
		return "dsaWithSHA1"
	case "2.16.840.1.101.3.4.3.1":
		return "dsa_with_SHA224"
	case "2.16.840.1.101.3.4.3.2":
		return "dsa_with_SHA256"
	case oidEd25519:
		return "ED25519"
	case oidEd448:
		return "ED448"
	case oidX25519:
		return "X25519"
	case oidX448:
		return "X448"
	case oidECPublic:
		return "id-ecPublicKey"
	case oidDSA:
		return "dsaEncryption"
	case "1.2.840.10046.2.1":
		return "X9.42 DH"
	case oidMGF1:
		return "mgf1"
	case oidHashSHA1:
		return "sha1"
	case "2.16.840.1.101.3.4.2.4":
		return "sha224"
	case "2.16.840.1.101.3.4.2.1":
		return "sha256"
	case "2.16.840.1.101.3.4.2.2":
		return "sha384"
	case "2.16.840.1.101.3.4.2.3":
		return "sha512"
	}
	return oid
}

// curveName is OpenSSL's name of a named curve, or its OID.
func curveName(oid string) string {
	switch oid {
	case "1.3.132.0.33":
		return "secp224r1"
	case "1.2.840.10045.3.1.7":
		return "prime256v1"
	case "1.3.132.0.34":
		return "secp384r1"
	case "1.3.132.0.35":
		return "secp521r1"
	case "1.3.132.0.10":
		return "secp256k1"
	case "1.3.36.3.3.2.8.1.1.7":
		return "brainpoolP256r1"
	case "1.3.36.3.3.2.8.1.1.11":
		return "brainpoolP384r1"
	case "1.3.36.3.3.2.8.1.1.13":
		return "brainpoolP512r1"
	}
	return oid
}

// nistCurve is the NIST name of a named curve (P-256), or "".
func nistCurve(oid string) string {
	switch oid {
	case "1.3.132.0.33":
		return "P-224"
	case "1.2.840.10045.3.1.7":
		return "P-256"
	case "1.3.132.0.34":
		return "P-384"
	case "1.3.132.0.35":
		return "P-521"
	}
	return ""
}

// curveSize is the size in bits of a named curve, or 0.
func curveSize(oid string) int {
	switch oid {
	case "1.3.132.0.33":
		return 224
	case "1.2.840.10045.3.1.7", "1.3.132.0.10", "1.3.36.3.3.2.8.1.1.7":
		return 256
	case "1.3.132.0.34", "1.3.36.3.3.2.8.1.1.11":
		return 384
	case "1.3.36.3.3.2.8.1.1.13":
		return 512
	case "1.3.132.0.35":
		return 521
	}
	return 0
}

// extensionName is OpenSSL's long name of an extension (and ours for
// Microsoft's template extensions), or the OID.
func extensionName(oid string) string {
	switch oid {
	case "2.5.29.9":
		return "X509v3 Subject Directory Attributes"
	case "2.5.29.14":
		return "X509v3 Subject Key Identifier"
	case "2.5.29.15":
		return "X509v3 Key Usage"
	case "2.5.29.16":
		return "X509v3 Private Key Usage Period"
	case "2.5.29.17":
		return "X509v3 Subject Alternative Name"
	case "2.5.29.18":
		return "X509v3 Issuer Alternative Name"
	case "2.5.29.19":
		return "X509v3 Basic Constraints"
	case "2.5.29.30":
		return "X509v3 Name Constraints"
	case "2.5.29.31":
		return "X509v3 CRL Distribution Points"
	case "2.5.29.32":
		return "X509v3 Certificate Policies"
	case "2.5.29.33":
		return "X509v3 Policy Mappings"
	case "2.5.29.35":
		return "X509v3 Authority Key Identifier"
	case "2.5.29.36":
		return "X509v3 Policy Constraints"
	case "2.5.29.37":
		return "X509v3 Extended Key Usage"
	case "2.5.29.46":
		return "X509v3 Freshest CRL"
	case "2.5.29.54":
		return "X509v3 Inhibit Any Policy"
	case "1.3.6.1.5.5.7.1.1":
		return "Authority Information Access"
	case "1.3.6.1.5.5.7.1.3":
		return "qcStatements"
	case "1.3.6.1.5.5.7.1.11":
		return "Subject Information Access"
	case "1.3.6.1.5.5.7.1.24":
		return "TLS Feature"
	case "1.3.6.1.5.5.7.48.1.5":
		return "OCSP No Check"
	case "1.3.6.1.4.1.11129.2.4.2":
		return "CT Precertificate SCTs"
	case "1.3.6.1.4.1.11129.2.4.3":
		return "CT Precertificate Poison"
	case "2.16.840.1.113730.1.1":
		return "Netscape Cert Type"
	case "2.16.840.1.113730.1.13":
		return "Netscape Comment"
	case "1.3.6.1.4.1.311.20.2":
		return "Microsoft Certificate Template Name"
	case "1.3.6.1.4.1.311.21.7":
		return "Microsoft Certificate Template"
	case "1.3.6.1.4.1.311.21.10":
		return "Microsoft Application Policies"
	}
	return oid
}

// keyUsageNames are OpenSSL's names of the KeyUsage bits (RFC 5280
// 4.2.1.3), in bit order.
func keyUsageNames() []string {
	return []string{"Digital Signature", "Non Repudiation", "Key Encipherment", "Data Encipherment",
		"Key Agreement", "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only"}
}

// netscapeCertTypeNames are OpenSSL's names of the Netscape Cert Type bits.
func netscapeCertTypeNames() []string {
	return []string{"SSL Client", "SSL Server", "S/MIME", "Object Signing", "Unused", "SSL CA", "S/MIME CA", "Object Signing CA"}
}

// reasonNames are OpenSSL's names of the ReasonFlags bits (RFC 5280
// 4.2.1.13).
func reasonNames() []string {
	return []string{"Unused", "Key Compromise", "CA Compromise", "Affiliation Changed", "Superseded",
		"Cessation Of Operation", "Certificate Hold", "Privilege Withdrawn", "AA Compromise"}
}

// extKeyUsageName is OpenSSL's long name of a key purpose, or the OID.
func extKeyUsageName(oid string) string {
	switch oid {
	case "2.5.29.37.0":
		return "Any Extended Key Usage"
	case "1.3.6.1.5.5.7.3.1":
		return "TLS Web Server Authentication"
	case "1.3.6.1.5.5.7.3.2":
		return "TLS Web Client Authentication"
	case "1.3.6.1.5.5.7.3.3":
		return "Code Signing"
	case "1.3.6.1.5.5.7.3.4":
		return "E-mail Protection"
	case "1.3.6.1.5.5.7.3.5":
		return "IPSec End System"
	case "1.3.6.1.5.5.7.3.6":
		return "IPSec Tunnel"
	case "1.3.6.1.5.5.7.3.7":
		return "IPSec User"
	case "1.3.6.1.5.5.7.3.8":
		return "Time Stamping"
	case "1.3.6.1.5.5.7.3.9":
		return "OCSP Signing"
	case "1.3.6.1.5.5.7.3.10":
		return "dvcs"
	case "1.3.6.1.5.5.7.3.17":
		return "ipsec Internet Key Exchange"
	case "1.3.6.1.5.5.7.3.21":
		return "SSH Client"
	case "1.3.6.1.5.5.7.3.22":
		return "SSH Server"
	case "1.3.6.1.4.1.311.2.1.21":
		return "Microsoft Individual Code Signing"
	case "1.3.6.1.4.1.311.2.1.22":
		return "Microsoft Commercial Code Signing"
	case "1.3.6.1.4.1.311.10.3.1":
		return "Microsoft Trust List Signing"
	case "1.3.6.1.4.1.311.10.3.3":
		return "Microsoft Server Gated Crypto"
	case "1.3.6.1.4.1.311.10.3.4":
		return "Microsoft Encrypted File System"
	case "1.3.6.1.4.1.311.20.2.2":
		return "Microsoft Smartcard Login"
	case "2.16.840.1.113730.4.1":
		return "Netscape Server Gated Crypto"
	case "1.3.6.1.5.2.3.4":
		return "PKINIT Client Auth"
	case "1.3.6.1.5.2.3.5":
		return "Signing KDC Response"
	}
	return oid
}

// accessMethodName is OpenSSL's name of an access method, or the OID.
func accessMethodName(oid string) string {
	switch oid {
	case "1.3.6.1.5.5.7.48.1":
		return "OCSP"
	case "1.3.6.1.5.5.7.48.2":
		return "CA Issuers"
	case "1.3.6.1.5.5.7.48.3":
		return "AD Time Stamping"
	case "1.3.6.1.5.5.7.48.5":
		return "CA Repository"
	}
	return oid
}
