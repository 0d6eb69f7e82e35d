// Package pkcs12 reads and writes multi-entry PKCS#12 files (RFC 7292): any
// number of private keys, certificates and Java secret keys, with their
// friendlyName, localKeyId and Java trusted-certificate attributes.
//
// Decode reads DER and BER (NSS), the PKCS#12 PBE schemes (3DES, RC2) and
// PBES2 (AES, 3DES with PBKDF2), and checks integrity with RFC 7292's HMAC
// or RFC 9579's PBMAC1. Hostile input is expected: iteration counts are
// capped, a file's key derivations are budgeted by their cost (cost.go)
// before any of them runs, and every error wraps one of the package's
// sentinels with a message in words. Keys Go cannot parse (DSA, GOST, ...)
// are kept as PKCS#8 bytes with an error instead of failing the file.
//
// Encode writes what keytool 17 writes (Modern) or what every JRE reads
// (Legacy); the real consumers (keytool, Java's KeyStore, OpenSSL) judge
// its output in the tests.
package pkcs12
