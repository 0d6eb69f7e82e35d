// Package request makes what the connector host sends to a certification
// authority instead of exporting a private key: a PKCS#10 certificate
// request for the host's FQDN, and the pending key that stays behind.
//
// Generate creates a new key and a request for it (PEM "CERTIFICATE
// REQUEST"): subject CN=FQDN (or a given distinguished name), the FQDN and
// any further DNS names as subject alternative names, the Server
// Authentication and Client Authentication purposes (mutual TLS uses
// both), key usage digitalSignature (plus keyEncipherment for RSA), signed
// with SHA-256. The extensions travel in the request's extensionRequest
// attribute, where CAs (AD CS, OpenSSL's copy_extensions) find them.
//
// The key is kept as keytool -genkeypair keeps one: a key entry whose
// certificate is a self-signed placeholder (subject = the request's
// subject, valid for PlaceholderValidity). Request.PendingStore is that
// entry, named PendingAlias(host) ("pending: ucc01.example.com"), for
// keystore.WriteFile. IsPending recognises such an entry by both marks,
// the name and the self-signed placeholder of the entry's own key, so
// that package merge can pair it with the certificate the CA issues and a
// placeholder never reaches a connector store.
//
// Request.INF is the same request in the words of Windows' certreq (a
// policy file with CRLF line ends), for the AD CS side.
//
// # Subject names
//
// Options.Subject is read in either of the two forms an administrator has
// at hand:
//   - RFC 4514, most specific first, as uccert and Windows print names and
//     certreq's Subject= takes them:
//     "CN=ucc01.example.com,OU=UC,O=Example\, Inc.,C=US". Blanks around
//     ',', '+' and '=' are allowed ("CN = x, O = y", as OpenSSL prints); a
//     value may be quoted whole (O="Example, Inc.") or escaped as RFC 4514
//     says (\, \+ \; \= \\ \< \> \# or \XX for a byte in hex).
//   - OpenSSL's -subj form, most general first:
//     "/C=US/O=Example, Inc./CN=ucc01.example.com" (',' is then part of a
//     value; \/ is a '/').
//
// '+' joins attributes into one multi-valued RDN in both forms. Attribute
// names, in any case: CN, OU, O, L, ST (or S), C, STREET, title (or T),
// serialNumber, DC, emailAddress (or E). The name holds exactly one CN.
// Values are not empty, hold no control character and no double quote,
// and fit RFC 5280's upper bounds (CN, O, OU, title: 64 characters); C is
// two letters, DC and emailAddress are ASCII. A subject is at most 1,024
// bytes and 32 attributes.
//
// The package prints nothing and keeps no state.
package request

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
)

// KeyType is the kind and size of the key Generate creates.
type KeyType int

// Key types. RSA2048 is the default: the deployment guide's Front End
// certificates are RSA, and a store that mixes RSA and EC key entries
// makes Java's key manager present the EC certificate to peers that ask
// for an RSA-certified name (TLS 1.3; uccert verify's
// mixed-key-algorithms).
const (
	RSA2048 KeyType = iota
	RSA3072
	ECP256
)

var keyTypeNames = [...]string{"rsa2048", "rsa3072", "ec-p256"}

// String returns the name ParseKeyType reads: "rsa2048", "rsa3072" or
// "ec-p256".
func (k KeyType) String() string {
	if k < 0 || int(k) >= len(keyTypeNames) {
		return fmt.Sprintf("KeyType(%d)", int(k))
	}
	return keyTypeNames[k]
}

// ParseKeyType parses "rsa2048", "rsa3072" or "ec-p256" (any case);
// anything else wraps ErrKeyType.
func ParseKeyType(s string) (KeyType, error) {
	for i, n := range keyTypeNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return KeyType(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want rsa2048, rsa3072 or ec-p256)", ErrKeyType, s)
}

// PlaceholderValidity is how long the placeholder certificate of a
// pending key is valid: keytool -genkeypair's default, time enough for a
// request that waits for a CA manager's approval. The placeholder serves
// nothing; it only holds the key's place until the CA's reply.
const PlaceholderValidity = 90 * 24 * time.Hour

// PendingPrefix starts the alias (PKCS#12 friendlyName) of a pending key
// entry.
const PendingPrefix = "pending: "

// PendingAlias is the alias of the pending key entry for host:
// "pending: " + host.
func PendingAlias(host string) string { return PendingPrefix + host }

// Sentinel errors. Errors of Generate wrap one of them.
var (
	// ErrHost: the host name or a further DNS name is not an FQDN (see
	// hostname.Normalize, which the error also wraps).
	ErrHost = errors.New("bad host name")
	// ErrSubject: the distinguished name cannot be used as the subject.
	ErrSubject = errors.New("bad subject name")
	// ErrKeyType: an unknown key type.
	ErrKeyType = errors.New("unknown key type")
)

// Options say what to request.
type Options struct {
	// Host is the connector host's FQDN: the first DNS name of the
	// request and, without Subject, its CN.
	Host string
	// DNSNames are further DNS names (FQDNs) the certificate must serve.
	DNSNames []string
	// Subject is the subject as a distinguished name (see Subject names
	// in the package documentation); "" means CN=Host.
	Subject string
	// KeyType is the key to create (RSA2048 when zero).
	KeyType KeyType
	// Rand supplies the placeholder's serial number and the signatures'
	// randomness; crypto/rand when nil. Keys always come from
	// crypto/rand.
	Rand io.Reader
	// Now is when the placeholder becomes valid; time.Now when zero.
	Now time.Time
}

// Request is a new key, its certificate request and its placeholder.
type Request struct {
	// Host is the FQDN, normalised (lower case, no final dot).
	Host string
	// DNSNames are the subject alternative names, Host first, each once.
	DNSNames []string
	// Subject is the subject as uccert prints names (RFC 4514, most
	// specific first: "CN=ucc01.example.com,O=Example").
	Subject string
	KeyType KeyType
	// CSR is the PKCS#10 request in PEM ("CERTIFICATE REQUEST").
	CSR []byte
	// Key is the new private key (*rsa.PrivateKey or *ecdsa.PrivateKey).
	Key crypto.Signer
	// Placeholder is the self-signed certificate that holds the key's
	// place in the pending store until the CA's reply replaces it.
	Placeholder *x509.Certificate

	name dn
}

// Object identifiers of the requested extensions.
var (
	oidKeyUsage    = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidServerAuth  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidClientAuth  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
)

// Generate validates opts, creates the key and returns the request. Names
// are checked before the key is made: a bad name costs no key generation.
//
// Errors wrap ErrHost, ErrSubject or ErrKeyType for bad options, and the
// cryptographic library's errors otherwise.
func Generate(opts Options) (*Request, error) {
	host, err := hostname.Normalize(opts.Host)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHost, err)
	}
	names := []string{host}
	seen := map[string]bool{host: true}
	for _, n := range opts.DNSNames {
		norm, err := hostname.Normalize(n)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrHost, err)
		}
		if !seen[norm] {
			seen[norm] = true
			names = append(names, norm)
		}
	}
	var name dn
	if opts.Subject == "" {
		if len(host) > maxCN {
			return nil, fmt.Errorf("%w: the FQDN %s has %d characters, more than the %d a CN may hold; give a subject with a shorter CN (the DNS names carry the FQDN)",
				ErrSubject, host, len(host), maxCN)
		}
		name = dn{{{typ: attrCN, value: host}}}
	} else if name, err = parseDN(opts.Subject); err != nil {
		return nil, err
	}
	rawSubject, err := name.der()
	if err != nil {
		return nil, err
	}
	if opts.KeyType < 0 || int(opts.KeyType) >= len(keyTypeNames) {
		return nil, fmt.Errorf("%w: %v", ErrKeyType, opts.KeyType)
	}
	random := opts.Rand
	if random == nil {
		random = rand.Reader
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}

	var key crypto.Signer
	var sigAlg x509.SignatureAlgorithm
	ku := asn1.BitString{Bytes: []byte{0x80}, BitLength: 1} // digitalSignature
	switch opts.KeyType {
	case RSA2048, RSA3072:
		bits := 2048
		if opts.KeyType == RSA3072 {
			bits = 3072
		}
		key, err = rsa.GenerateKey(rand.Reader, bits)
		sigAlg = x509.SHA256WithRSA
		ku = asn1.BitString{Bytes: []byte{0xa0}, BitLength: 3} // digitalSignature, keyEncipherment
	case ECP256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		sigAlg = x509.ECDSAWithSHA256
	}
	if err != nil {
		return nil, fmt.Errorf("generating the %v key: %w", opts.KeyType, err)
	}
	kuDER, err := asn1.Marshal(ku)
	if err != nil {
		return nil, err
	}
	ekuDER, err := asn1.Marshal([]asn1.ObjectIdentifier{oidServerAuth, oidClientAuth})
	if err != nil {
		return nil, err
	}
	csrDER, err := x509.CreateCertificateRequest(random, &x509.CertificateRequest{
		SignatureAlgorithm: sigAlg,
		RawSubject:         rawSubject,
		DNSNames:           names,
		ExtraExtensions: []pkix.Extension{
			{Id: oidKeyUsage, Critical: true, Value: kuDER},
			{Id: oidExtKeyUsage, Value: ekuDER},
		},
	}, key)
	if err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}

	serial, err := serialNumber(random)
	if err != nil {
		return nil, err
	}
	start := now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:       serial,
		SignatureAlgorithm: sigAlg,
		RawSubject:         rawSubject,
		NotBefore:          start,
		NotAfter:           start.Add(PlaceholderValidity),
	}
	certDER, err := x509.CreateCertificate(random, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("signing the placeholder certificate: %w", err)
	}
	placeholder, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("reading the placeholder certificate back: %w", err)
	}
	return &Request{
		Host:        host,
		DNSNames:    names,
		Subject:     certfile.DN(rawSubject),
		KeyType:     opts.KeyType,
		CSR:         pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER}),
		Key:         key,
		Placeholder: placeholder,
		name:        name,
	}, nil
}

// serialNumber is a positive random serial of at most 127 bits, as
// RFC 5280 allows (at most 20 octets, positive).
func serialNumber(random io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("random serial number: %w", err)
	}
	b[0] &= 0x7f
	n := new(big.Int).SetBytes(b)
	if n.Sign() == 0 {
		n.SetInt64(1)
	}
	return n, nil
}

// PendingStore is the pending key as a store with one key entry: the key
// and its placeholder, under PendingAlias(Host). Write it with
// keystore.WriteFile (PKCS#12).
func (r *Request) PendingStore() *keystore.Store {
	return &keystore.Store{Format: keystore.FormatPKCS12, Entries: []*keystore.Entry{{
		Alias: PendingAlias(r.Host),
		Kind:  keystore.KindKey,
		Key:   r.Key,
		Chain: []*x509.Certificate{r.Placeholder},
	}}}
}

// IsPending reports whether e is a pending key entry: a key entry named
// PendingPrefix + a name (case-insensitively: JKS folds aliases) whose
// certificate is self-signed by the entry's own key. Both marks are
// required. A key entry with the name whose certificate is not
// self-signed (a CA's reply imported by keytool) is an ordinary entry; a
// self-signed key entry without the name (a test certificate made with
// keytool -genkeypair, or a pending key whose name a conversion lost) is
// not taken for a pending key either.
func IsPending(e *keystore.Entry) bool {
	if e == nil || e.Kind != keystore.KindKey || e.Key == nil || len(e.Chain) == 0 {
		return false
	}
	if len(e.Alias) < len(PendingPrefix) || !strings.EqualFold(e.Alias[:len(PendingPrefix)], PendingPrefix) {
		return false
	}
	leaf := e.Chain[0]
	if leaf == nil || !bytes.Equal(leaf.RawSubject, leaf.RawIssuer) || !keystore.KeyMatchesCert(e.Key, leaf) {
		return false
	}
	return leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil
}

// PendingName is the name in a pending entry's alias: the host the
// request was made for ("" when e is not pending).
func PendingName(e *keystore.Entry) string {
	if !IsPending(e) {
		return ""
	}
	return strings.TrimSpace(e.Alias[len(PendingPrefix):])
}
