package preflight

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/uccert/uccert/pkg/certfile"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
)

func entrySubject(path string, e *keystore.Entry) string {
	if e.Alias == "" {
		return path
	}
	return path + "#" + e.Alias
}

// CheckKeyStore runs the checks of a store that holds the connector's
// keys (the cert store in mtls mode) named path: its keys, their
// certificates at opts.Now, their chains against trust (nil: not judged),
// and the identities opts.Host and opts.FEs.
func CheckKeyStore(path string, s, trust *keystore.Store, opts Options) []finding.Finding {
	c := &collector{}
	opts.Now = opts.now()
	checkKeyStore(c, path, s, trust, opts)
	return c.Findings
}

func checkKeyStore(c *collector, path string, s, trust *keystore.Store, opts Options) {
	if s == nil {
		return
	}
	var keys, certified []*keystore.Entry
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
		if e.Kind == keystore.KindKey {
			keys = append(keys, e)
			if e.Leaf() != nil {
				certified = append(certified, e)
			}
		}
	}
	if len(keys) == 0 {
		c.errorf(CheckHostIdentityMissing, path, "the mtls cert store holds the connector's key entries: build it with uccert merge",
			"the store has no key entry (%s)", finding.Count(len(s.Entries), "other entry", "other entries"))
		return
	}
	mark := c.since()
	for _, e := range keys {
		checkKey(c, path, e)
	}
	c.passed(mark, path, map[finding.Check]string{
		CheckKeyPasswordDiffers: fmt.Sprintf("every key (%d) opens with the store password", len(keys)),
		CheckKeyCertMismatch:    "every key matches its certificate",
		CheckKeyWeak:            "every key is strong enough (RSA ≥ 2048, EC ≥ P-256)",
	})
	mark = c.since()
	for _, e := range certified {
		checkCertificates(c, path, e, e.Chain, opts, true)
	}
	c.passed(mark, path, map[finding.Check]string{
		CheckCertExpired:       "no certificate has expired",
		CheckCertNotYetValid:   "every certificate is already valid",
		CheckCertExpiresSoon:   fmt.Sprintf("no certificate expires within %d days", warnDays(opts)),
		CheckCertWeakSignature: "no SHA-1 or MD5 signature",
		CheckCertEKU:           "extended key usage allows TLS server and client use",
		CheckCertMalformedName: "every subject alternative name is ASCII",
	})
	if hasTrusted(trust) { // an empty or unreadable trust store is reported on its own
		mark = c.since()
		for _, e := range certified {
			checkChain(c, entrySubject(path, e), e.Chain, trust)
		}
		c.passed(mark, path, map[finding.Check]string{
			CheckChainUntrusted:  "every chain leads to the trust store",
			CheckChainIncomplete: "every chain is complete in the store",
		})
	}
	// Identities are served by the entries TLS can use: a DSA or GOST
	// entry (key-weak) serves no name.
	serving := certified[:0:0]
	for _, e := range certified {
		if !errors.Is(e.Usable(), keystore.ErrKeyAlgorithm) {
			serving = append(serving, e)
		}
	}
	checkIdentity(c, path, serving, opts)
	checkDuplicates(c, path, serving, opts)
}

func checkKey(c *collector, path string, e *keystore.Entry) {
	subject := entrySubject(path, e)
	err := e.Usable()
	switch {
	case errors.Is(err, keystore.ErrKeyPassword):
		c.fail(CheckKeyPasswordDiffers, subject,
			"re-protect it with the store password: uccert merge -o fixed.jks --in-pass SRC --in-key-pass SRC "+path+" (or keytool -keypasswd)",
			err, "the key is not protected by the store password; Java's KeyManagerFactory fails with UnrecoverableKeyException (keytool -importkeystore without -destkeypass)")
		return
	case errors.Is(err, keystore.ErrNoCertificate):
		c.fail(CheckKeyCertMismatch, subject, "rebuild the entry from the key and its certificate", err, "the key entry has no certificate")
		return
	case errors.Is(err, keystore.ErrKeyMismatch):
		c.fail(CheckKeyCertMismatch, subject, "the certificate chain belongs to another key: re-export the Front End certificate with its private key and merge again",
			err, "the private key does not match the certificate %s", certfile.SubjectDN(e.Leaf()))
	case errors.Is(err, keystore.ErrKeyAlgorithm):
		// DSA, GOST R 34.10, Ed448...: read and kept, but no TLS peer
		// is ever served with it.
		c.fail(CheckKeyWeak, subject, weakKeyHint, err, "%s key: TLS 1.3 and Go's TLS cannot sign with it (the entry is kept, but serves no name)", e.KeyDescription())
		return
	case err != nil:
		c.fail(CheckKeyPasswordDiffers, subject, "rebuild the store with uccert merge", err, "the key cannot be recovered: %s", err.Error())
		return
	}
	if weak := weakKey(e.Leaf().PublicKey); weak != "" {
		c.errorf(CheckKeyWeak, subject, weakKeyHint, "%s", weak)
	}
}

const weakKeyHint = "request a new certificate with an RSA 2048 (or larger) or EC P-256 key"

// weakKey describes why a public key is too weak, or "".
func weakKey(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Sprintf("RSA key of %d bits (minimum 2048)", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return fmt.Sprintf("EC key on %s (minimum P-256)", k.Curve.Params().Name)
		}
	}
	return ""
}

func describeCert(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	return certfile.SubjectDN(c)
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

func hasTrusted(s *keystore.Store) bool {
	if s == nil {
		return false
	}
	for _, e := range s.Entries {
		if e == nil {
			continue
		}
		if e.Kind == keystore.KindTrusted {
			return true
		}
	}
	return false
}
