package pkcs8

import "encoding/asn1"

// Object identifiers of the key algorithms this package names.
var (
	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidDSA         = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
)

// names are the words for key algorithms and elliptic curves.
var names = []struct {
	oid  asn1.ObjectIdentifier
	name string
	gost bool
}{
	{oid: oidRSA, name: "RSA"},
	{oid: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}, name: "RSA-PSS"},
	{oid: oidECPublicKey, name: "EC"},
	{oid: oidDSA, name: "DSA"},
	{oid: asn1.ObjectIdentifier{1, 3, 101, 110}, name: "X25519"},
	{oid: asn1.ObjectIdentifier{1, 3, 101, 111}, name: "X448"},
	{oid: asn1.ObjectIdentifier{1, 3, 101, 112}, name: "Ed25519"},
	{oid: asn1.ObjectIdentifier{1, 3, 101, 113}, name: "Ed448"},
	{oid: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 3, 1}, name: "Diffie-Hellman (PKCS#3)"},
	{oid: asn1.ObjectIdentifier{1, 2, 840, 10046, 2, 1}, name: "Diffie-Hellman (X9.42)"},
	{oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}, name: "GOST R 34.10-2001", gost: true},
	{oid: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 20}, name: "GOST R 34.10-94", gost: true},
	{oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}, name: "GOST R 34.10-2012 (256-bit)", gost: true},
	{oid: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}, name: "GOST R 34.10-2012 (512-bit)", gost: true},
	{oid: asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}, name: "SM2"},
	// Elliptic curves.
	{oid: asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 1}, name: "P-192"},
	{oid: asn1.ObjectIdentifier{1, 3, 132, 0, 33}, name: "P-224"},
	{oid: asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, name: "P-256"},
	{oid: asn1.ObjectIdentifier{1, 3, 132, 0, 34}, name: "P-384"},
	{oid: asn1.ObjectIdentifier{1, 3, 132, 0, 35}, name: "P-521"},
	{oid: asn1.ObjectIdentifier{1, 3, 132, 0, 10}, name: "secp256k1"},
	{oid: asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}, name: "brainpoolP256r1"},
	{oid: asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11}, name: "brainpoolP384r1"},
	{oid: asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13}, name: "brainpoolP512r1"},
}

// Name returns the name of a key algorithm or elliptic curve ("DSA",
// "GOST R 34.10-2001", "Ed448", "P-256", ...), or "" when it has none here.
func Name(oid asn1.ObjectIdentifier) string {
	for _, n := range names {
		if n.oid.Equal(oid) {
			return n.name
		}
	}
	return ""
}

// isGOST reports whether oid is a GOST R 34.10 key algorithm.
func isGOST(oid asn1.ObjectIdentifier) bool {
	for _, n := range names {
		if n.gost && n.oid.Equal(oid) {
			return true
		}
	}
	return false
}
