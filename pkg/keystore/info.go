package keystore

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
)

// EntryInfo is the printable description of an entry, shared by
// `uccert inspect`, `merge` and `truststore` (JSON field names are part of
// the product contract).
type EntryInfo struct {
	Alias     string    `json:"alias"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Key       string    `json:"key"`
	ChainLen  int       `json:"chain_len"`
	SHA256    string    `json:"sha256"`
	// KeyProblem says why a key entry's key could not be recovered
	// (omitted when it could).
	KeyProblem string `json:"key_problem,omitempty"`
}

// Describe returns the EntryInfo of e.
func Describe(e *Entry) EntryInfo {
	info := EntryInfo{Alias: e.Alias, Kind: e.Kind.String(), ChainLen: len(e.Chain), DNSNames: []string{}}
	if leaf := e.Leaf(); leaf != nil {
		info.Subject = leaf.Subject.String()
		info.Issuer = leaf.Issuer.String()
		if leaf.DNSNames != nil {
			info.DNSNames = leaf.DNSNames
		}
		info.NotBefore = leaf.NotBefore.UTC()
		info.NotAfter = leaf.NotAfter.UTC()
		info.Key = PublicKeyDescription(leaf.PublicKey)
		info.SHA256 = certfile.Fingerprint(leaf)
	}
	if e.KeyErr != nil {
		info.KeyProblem = e.KeyErr.Error()
	}
	return info
}

// PublicKeyDescription reads like "RSA 2048", "EC P-256" or "Ed25519".
func PublicKeyDescription(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", pub), "*")
}
