package main

import (
	"crypto/x509"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/keystore"
)

// entryInfo is the printable description of an entry, shared by
// `uccert inspect`, `merge` and `truststore` (its JSON field names are
// part of the product contract).
type entryInfo struct {
	Alias     string    `json:"alias"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names"`
	NotBefore time.Time `json:"not_before,omitzero"` // omitted for entries without a certificate
	NotAfter  time.Time `json:"not_after,omitzero"`
	Key       string    `json:"key"`
	ChainLen  int       `json:"chain_len"`
	SHA256    string    `json:"sha256"`
	// KeyProblem says why a key entry's key cannot be used (omitted when
	// it can).
	KeyProblem string `json:"key_problem,omitempty"`
	// malformed are the DNS names that are not ASCII
	// (certfile.MalformedNames), which human output shows escaped.
	malformed map[string]bool
}

// describe returns the entryInfo of e.
func describe(e *keystore.Entry) entryInfo {
	info := entryInfo{Alias: e.Alias, Kind: e.Kind.String(), ChainLen: len(e.Chain), DNSNames: []string{}, Key: e.KeyDescription()}
	if leaf := e.Leaf(); leaf != nil {
		info.Subject = certfile.SubjectDN(leaf)
		info.Issuer = certfile.IssuerDN(leaf)
		if leaf.DNSNames != nil {
			info.DNSNames = leaf.DNSNames
		}
		info.NotBefore = leaf.NotBefore.UTC()
		info.NotAfter = leaf.NotAfter.UTC()
		info.SHA256 = certfile.Fingerprint(leaf)
		for _, n := range certfile.MalformedNames(leaf) {
			if info.malformed == nil {
				info.malformed = map[string]bool{}
			}
			info.malformed[n.Value] = true
		}
	}
	if e.Kind == keystore.KindKey {
		// Why the connector could not use the key: not recovered, no
		// certificate, not matching it, an algorithm TLS cannot use.
		if err := e.Usable(); err != nil {
			info.KeyProblem = err.Error()
		}
	}
	return info
}

// serialText is a certificate's serial number as keytool -list -v and
// openssl x509 -serial show it: hexadecimal (lower case here), "-" before
// a negative one.
func serialText(c *x509.Certificate) string {
	if c.SerialNumber == nil {
		return ""
	}
	return c.SerialNumber.Text(16)
}

// escName shows a name that is not ASCII with every other byte escaped
// (\u00fc, or \xNN for bytes that are not UTF-8), the way the certificate
// stores it, so that look-alike letters cannot pass for ASCII ones.
func escName(s string) string {
	return escapeRunes(s, func(r rune) bool { return r > 0x7f })
}
