package pkcs12

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"unicode/utf16"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/ber"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/sync/errgroup"
)

// Attributes are the bag attributes uccert reads and writes.
type Attributes struct {
	FriendlyName    string
	HasFriendlyName bool
	LocalKeyID      []byte
	// JavaTrusted is Java's trusted-certificate attribute
	// (2.16.840.1.113894.746875.1.1): Java lists such a certificate as a
	// trustedCertEntry.
	JavaTrusted bool
	// CSPName is the Microsoft CSP name attribute that Windows exports carry.
	CSPName string
}

// KeyBag is a private key with its attributes.
type KeyBag struct {
	// Key is the parsed key (package pkcs8: what Go's crypto parses, and
	// *dsa.PrivateKey); nil when it cannot be used (see Err).
	Key crypto.PrivateKey
	// PKCS8 is the PrivateKeyInfo, which Encode writes back (so a key Go
	// cannot parse survives a round trip).
	PKCS8 []byte
	Attrs Attributes
	// Algorithm is the PrivateKeyInfo's algorithm (set by Decode).
	Algorithm asn1.ObjectIdentifier
	// Err, set by Decode when Key is nil, wraps ErrUnsupported and says
	// which key it is ("GOST R 34.10-2001 key", "Ed448 key (not supported
	// by Go's crypto)", "key algorithm OID x.y.z", ...), or ErrMalformed
	// for a broken key inside a well-formed PrivateKeyInfo.
	Err error
}

// CertBag is an X.509 certificate with its attributes.
type CertBag struct {
	// Cert is the parsed certificate; nil from DecodeRaw, and ignored by
	// Encode when Raw is set.
	Cert *x509.Certificate
	// Raw is the certificate's DER, as the file holds it (set by Decode
	// and DecodeRaw).
	Raw   []byte
	Attrs Attributes
}

// Contents is what a PKCS#12 file holds, in file order.
type Contents struct {
	Keys    []KeyBag
	Certs   []CertBag
	Secrets []SecretBag
	// Skipped names the bags that were read but not used (CRL bags,
	// non-X.509 certificates, secret bags of other kinds), so that callers
	// can report them.
	Skipped []string
	// Notes are other things worth telling about the file ("3 zero bytes
	// after the PKCS#12 structure ignored").
	Notes []string
	// MAC describes the integrity protection ("HMAC-SHA-256, 10000
	// iterations"), empty when the file has no MAC.
	MAC string
	// Legacy says that nothing in the file needs more than JREs before
	// 8u301 read: no PBES2 encryption, and an HMAC-SHA-1 MAC or none
	// (OpenSSL 1.1's, Windows' and keytool 8's files).
	Legacy bool
}

// Decode parses a PKCS#12 file (DER or BER) and decrypts its bags with
// password. Each iteration count is checked against maxIterations (0 or
// more than MaxIterations mean MaxIterations), and the file's key
// derivations together against a budget weighted by each hash's cost
// (cost.go), before they are run. The encrypted safes (alongside the MAC)
// and then the shrouded keys and secrets are decrypted in parallel.
//
// Bytes after the PKCS#12 structure are ignored, with a note, when they
// are all zero (Windows and .NET tools pad files) or when the MAC
// verifies; other trailing bytes make the file malformed.
func Decode(data []byte, password string, maxIterations int) (*Contents, error) {
	c, _, err := decode(data, password, maxIterations, derivationBudget)
	return c, err
}

// DecodeRaw is Decode without parsing what the bags hold, for a caller
// that compares bytes (the read-back of a file just written): every
// check of the container is made (structure, iteration counts and
// budget, the MAC, every decryption), but certificates are kept as their
// DER (CertBag.Raw; Cert is nil) and keys as their decrypted PKCS#8
// PrivateKeyInfo (KeyBag.PKCS8 and Algorithm; Key and Err are nil), which
// takes a fraction of the memory and time of parsed certificates and
// keys.
func DecodeRaw(data []byte, password string, maxIterations int) (*Contents, error) {
	d := &decoder{forms: alternatives(password), limit: maxIterations, budget: derivationBudget, raw: true}
	c, err := d.run(data)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// decodeStats is what tests learn about a decode's work.
type decodeStats struct {
	derivations int64 // key derivations run (one per password form tried)
	cost        int64 // their estimated cost (cost.go), counted before
}

// decode is Decode with the file's derivation budget.
func decode(data []byte, password string, limit int, budget int64) (*Contents, decodeStats, error) {
	d := &decoder{forms: alternatives(password), limit: limit, budget: budget}
	c, err := d.run(data)
	if err != nil {
		c = nil
	}
	return c, decodeStats{derivations: d.derived.Load(), cost: d.spent}, err
}

type decoder struct {
	forms       []secret
	macVerified bool
	// raw keeps certificates and keys unparsed (DecodeRaw).
	raw   bool
	limit int
	// spent is the estimated derivation cost so far, against budget.
	spent   int64
	budget  int64
	derived atomic.Int64
	// pbes2 is set once any PBES2 encryption was seen (Contents.Legacy).
	pbes2 atomic.Bool
	bags  int
	keys  int // key bags seen, to number them in messages
	certs int // certificate bags seen, likewise
	// pending are shrouded keys and secrets, decrypted together (in
	// parallel) once every safe has been read.
	pending []*pendingBag
}

// part holds the bags of one item of the authenticated safe, so that the
// items can be read out of order and the contents still come out in file
// order.
type part struct {
	keys    []KeyBag
	certs   []CertBag
	secrets []SecretBag
	skipped []string
}

// pendingBag is a shrouded key or secret whose slot in its part is filled
// once it has been decrypted.
type pendingBag struct {
	p      *pbe
	ct     []byte
	part   *part
	slot   int
	secret bool
	number int // for messages: "private key 3"
	// Results of the parallel phase.
	plain []byte
	kb    KeyBag
	ok    bool
	err   error
}

// authItem is one ContentInfo of the authenticated safe.
type authItem struct {
	encrypted bool
	data      []byte // the SafeContents, or its ciphertext
	p         *pbe
	part      *part
	plain     []byte
	err       error
}

func (d *decoder) run(data []byte) (*Contents, error) {
	der, n, err := ber.ToDERPrefix(data)
	if err != nil {
		return nil, berError("the PKCS#12 structure", err)
	}
	trailing := data[n:]
	in := cryptobyte.String(der)
	var pfx cryptobyte.String
	var version int64
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) {
		return nil, malformed("not a PKCS#12 (PFX) structure")
	}
	if version != 3 {
		return nil, unsupported("PFX version %d (PKCS#12 files are version 3)", version)
	}
	oid, content, err := readContentInfo(&pfx, "authenticated safe")
	if err != nil {
		return nil, err
	}
	if !oid.Equal(oidData) {
		return nil, unsupported("%s as the authenticated safe (only password integrity is supported)", algorithmName(oid))
	}
	var authSafe []byte
	if !content.ReadASN1Bytes(&authSafe, cbasn1.OCTET_STRING) {
		return nil, malformed("the authenticated safe is not an OCTET STRING")
	}
	var mac *macSpec
	if !pfx.Empty() {
		if mac, err = parseMacData(&pfx, d.limit); err != nil {
			return nil, err
		}
		if !pfx.Empty() {
			return nil, malformed("unexpected data after the MAC")
		}
	}
	zeros := allZero(trailing)
	if len(trailing) > 0 && !zeros && mac == nil {
		return nil, malformed("%d bytes of other data follow the PKCS#12 structure, and the file has no MAC to show that the structure itself is intact", len(trailing))
	}
	items, err := d.readAuthSafe(authSafe)
	if err != nil {
		return nil, err
	}

	// Count the work that can be seen without deriving anything: the MAC,
	// the encrypted safes, and the shrouded bags of the plain safes.
	if mac != nil {
		if err := d.charge(mac.cost(len(d.forms))); err != nil {
			return nil, err
		}
	}
	for _, it := range items {
		if !it.encrypted {
			if err := d.readSafeContents(it.part, it.data, 0, false); err != nil {
				return nil, err
			}
			continue
		}
		if err := d.charge(it.p.cost(len(d.forms))); err != nil {
			return nil, err
		}
	}

	// The MAC and the encrypted safes, in parallel.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	var form secret
	var macOK bool
	var macErr error
	if mac != nil {
		g.Go(func() error {
			form, macOK, macErr = mac.verify(authSafe, d.forms, &d.derived)
			return nil
		})
	}
	for _, it := range items {
		if it.encrypted {
			g.Go(func() error {
				it.plain, it.err = it.p.decrypt(it.data, d.forms, &d.derived)
				return nil
			})
		}
	}
	_ = g.Wait() // errors are kept per task, and judged in file order below

	c := &Contents{}
	if mac != nil {
		switch {
		case macErr != nil:
			return nil, macErr
		case !macOK && len(trailing) > 0 && !zeros:
			return nil, newError(ErrIncorrectPassword, nil, "the MAC does not verify, and %d bytes of other data follow the PKCS#12 structure", len(trailing))
		case !macOK:
			return nil, ErrIncorrectPassword
		}
		d.macVerified = true
		if !mac.pbmac1 {
			d.forms = []secret{form}
		}
		c.MAC = mac.describe()
	}
	switch {
	case len(trailing) > 0 && zeros:
		c.Notes = append(c.Notes, fmt.Sprintf("%d zero bytes after the PKCS#12 structure ignored", len(trailing)))
	case len(trailing) > 0:
		c.Notes = append(c.Notes, fmt.Sprintf("%d bytes of other data after the PKCS#12 structure ignored (the MAC verifies the structure)", len(trailing)))
	}
	for _, it := range items {
		if !it.encrypted {
			continue
		}
		if it.err != nil {
			return nil, it.err
		}
		if err := d.readSafeContents(it.part, it.plain, 0, true); err != nil {
			return nil, err
		}
	}
	if err := d.decryptPending(); err != nil {
		return nil, err
	}
	for _, it := range items {
		c.Keys = append(c.Keys, it.part.keys...)
		c.Certs = append(c.Certs, it.part.certs...)
		c.Secrets = append(c.Secrets, it.part.secrets...)
		c.Skipped = append(c.Skipped, it.part.skipped...)
	}
	c.Legacy = !d.pbes2.Load() && (mac == nil || !mac.pbmac1 && mac.md.name == "SHA-1")
	return c, nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// readAuthSafe splits the authenticated safe into its items and parses
// (without deriving anything) the encryption of the encrypted ones.
func (d *decoder) readAuthSafe(authSafe []byte) ([]*authItem, error) {
	inner, err := ber.ToDER(authSafe)
	if err != nil {
		return nil, berError("the authenticated safe", err)
	}
	s := cryptobyte.String(inner)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, malformed("the authenticated safe is not a SEQUENCE")
	}
	var items []*authItem
	for !seq.Empty() {
		oid, content, err := readContentInfo(&seq, "authenticated safe item")
		if err != nil {
			return nil, err
		}
		it := &authItem{part: &part{}}
		switch {
		case oid.Equal(oidData):
			if !content.ReadASN1Bytes(&it.data, cbasn1.OCTET_STRING) {
				return nil, malformed("a data item of the authenticated safe is not an OCTET STRING")
			}
		case oid.Equal(oidEncryptedData):
			var ed, eci cryptobyte.String
			var version int64
			var ctype asn1.ObjectIdentifier
			if !content.ReadASN1(&ed, cbasn1.SEQUENCE) || !ed.ReadASN1Integer(&version) ||
				!ed.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&ctype) {
				return nil, malformed("an encrypted item of the authenticated safe is not a valid EncryptedData")
			}
			alg, err := readAlgorithm(&eci, "safe encryption")
			if err != nil {
				return nil, err
			}
			if it.data, err = readImplicitOctets(&eci); err != nil {
				return nil, err
			}
			it.encrypted = true
			if it.p, err = parsePBE(alg, d.limit); err != nil {
				return nil, err
			}
			if it.p.pbes2 {
				d.pbes2.Store(true)
			}
		case oid.Equal(oidPKCS7Enveloped):
			return nil, unsupported("public-key privacy mode (an enveloped item in the authenticated safe)")
		default:
			return nil, unsupported("authenticated safe item of type %s", algorithmName(oid))
		}
		items = append(items, it)
	}
	return items, nil
}

func readContentInfo(s *cryptobyte.String, what string) (asn1.ObjectIdentifier, cryptobyte.String, error) {
	var ci, content cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&oid) {
		return nil, nil, malformed("the %s is not a valid ContentInfo", what)
	}
	if ci.Empty() {
		return oid, nil, nil
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, nil, malformed("the %s has bad content", what)
	}
	return oid, content, nil
}

// readImplicitOctets reads encryptedContent [0] IMPLICIT OCTET STRING, in
// its primitive form or (BER) as a constructed sequence of OCTET STRINGs.
func readImplicitOctets(s *cryptobyte.String) ([]byte, error) {
	var v cryptobyte.String
	switch {
	case s.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		if s.ReadASN1(&v, cbasn1.Tag(0).ContextSpecific()) {
			return v, nil
		}
	case s.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()):
		if !s.ReadASN1(&v, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			break
		}
		out, err := ber.JoinOctetStrings(v)
		if err != nil {
			return nil, newError(ErrMalformed, err, "the encrypted content is split into pieces that are not OCTET STRINGs")
		}
		return out, nil
	}
	return nil, malformed("an encrypted item has no encrypted content")
}

// charge adds cost to the file's work and refuses a file whose total
// exceeds its budget, before the derivation is run.
func (d *decoder) charge(cost int64) error {
	d.spent += cost
	if d.spent > d.budget {
		return newError(ErrIterationCount, nil, "the file's key derivations add up to about %.1f s of work, more than the %.1f s a file may take (too many encrypted bags with high iteration counts)",
			float64(d.spent)/1e9, float64(d.budget)/1e9)
	}
	return nil
}

// readSafeContents reads the bags of a SafeContents into p. decrypted says
// that data came out of a decryption: when nothing else checked the
// password, garbage there means a wrong password.
func (d *decoder) readSafeContents(p *part, data []byte, depth int, decrypted bool) error {
	if depth > maxSafeContentsNesting {
		return malformed("safe contents nested deeper than %d", maxSafeContentsNesting)
	}
	der, err := ber.ToDER(data)
	if err != nil {
		if decrypted && !d.macVerified {
			// A decryption that passed the padding check by chance (1 in
			// 256) gives garbage.
			return ErrIncorrectPassword
		}
		return berError("a SafeContents", err)
	}
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		if decrypted && !d.macVerified {
			return ErrIncorrectPassword
		}
		return malformed("a SafeContents is not a SEQUENCE")
	}
	for !seq.Empty() {
		if err := d.readBag(p, &seq, depth, decrypted); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) readBag(p *part, s *cryptobyte.String, depth int, decrypted bool) error {
	if d.bags++; d.bags > MaxBags {
		return malformed("more than %d bags", MaxBags)
	}
	var bag, value cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&bag, cbasn1.SEQUENCE) || !bag.ReadASN1ObjectIdentifier(&oid) ||
		!bag.ReadASN1(&value, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return malformed("bag %d is not a valid SafeBag", d.bags)
	}
	var attrs Attributes
	if !bag.Empty() {
		var set cryptobyte.String
		if !bag.ReadASN1(&set, cbasn1.SET) || !bag.Empty() {
			return malformed("the attributes of bag %d are not a SET", d.bags)
		}
		var err error
		if attrs, err = readAttributes(set); err != nil {
			return err
		}
	}
	switch {
	case oid.Equal(oidKeyBag):
		var pk cryptobyte.String
		var tag cbasn1.Tag
		if !value.ReadAnyASN1Element(&pk, &tag) {
			return malformed("a key bag is empty")
		}
		d.keys++
		kb, ok := d.key(pk, attrs)
		if !ok {
			return malformed("private key %d is not a PKCS#8 PrivateKeyInfo", d.keys)
		}
		p.keys = append(p.keys, kb)
		return nil
	case oid.Equal(oidShroudedKeyBag):
		d.keys++
		return d.addShrouded(p, value, attrs, false)
	case oid.Equal(oidCertBag):
		return d.readCertBag(p, value, attrs)
	case oid.Equal(oidSafeContentsBag):
		var inner cryptobyte.String
		var tag cbasn1.Tag
		if !value.ReadAnyASN1Element(&inner, &tag) {
			return malformed("a safe contents bag is empty")
		}
		return d.readSafeContents(p, inner, depth+1, decrypted)
	case oid.Equal(oidCRLBag):
		p.skipped = append(p.skipped, "CRL bag")
		return nil
	case oid.Equal(oidSecretBag):
		return d.readSecretBag(p, value, attrs)
	default:
		p.skipped = append(p.skipped, "bag of type "+algorithmName(oid))
		return nil
	}
}

// addShrouded reads an EncryptedPrivateKeyInfo, counts its derivation and
// leaves it for decryptPending.
func (d *decoder) addShrouded(p *part, value cryptobyte.String, attrs Attributes, secret bool) error {
	what := fmt.Sprintf("private key %d", d.keys)
	if secret {
		what = fmt.Sprintf("secret key %d", len(p.secrets)+1)
	}
	var epki cryptobyte.String
	var ct []byte
	if !value.ReadASN1(&epki, cbasn1.SEQUENCE) {
		return malformed("%s is not an EncryptedPrivateKeyInfo", what)
	}
	alg, err := readAlgorithm(&epki, what+" encryption")
	if err != nil {
		return err
	}
	if !epki.ReadASN1Bytes(&ct, cbasn1.OCTET_STRING) {
		return malformed("the encrypted data of %s is not an OCTET STRING", what)
	}
	pb, err := parsePBE(alg, d.limit)
	if err != nil {
		return err
	}
	if pb.pbes2 {
		d.pbes2.Store(true)
	}
	if err := d.charge(pb.cost(len(d.forms))); err != nil {
		return err
	}
	pend := &pendingBag{p: pb, ct: ct, part: p, secret: secret, number: d.keys}
	if secret {
		pend.slot = len(p.secrets)
		p.secrets = append(p.secrets, SecretBag{Attrs: attrs})
	} else {
		pend.slot = len(p.keys)
		p.keys = append(p.keys, KeyBag{Attrs: attrs})
	}
	d.pending = append(d.pending, pend)
	return nil
}

// readSecretBag reads a SecretBag (RFC 7292 section 4.2.5). Java writes
// secretTypeId pkcs8ShroudedKeyBag and the EncryptedPrivateKeyInfo, DER
// encoded, in an OCTET STRING as [0] EXPLICIT secretValue.
func (d *decoder) readSecretBag(p *part, value cryptobyte.String, attrs Attributes) error {
	var sb, explicit cryptobyte.String
	var typ asn1.ObjectIdentifier
	if !value.ReadASN1(&sb, cbasn1.SEQUENCE) || !sb.ReadASN1ObjectIdentifier(&typ) ||
		!sb.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !sb.Empty() {
		return malformed("a secret bag is not a valid SecretBag")
	}
	inner := explicit
	if explicit.PeekASN1Tag(cbasn1.OCTET_STRING) {
		var b []byte
		if !explicit.ReadASN1Bytes(&b, cbasn1.OCTET_STRING) || !explicit.Empty() {
			return malformed("the value of a secret bag is not an OCTET STRING")
		}
		inner = b
	}
	switch {
	case typ.Equal(oidShroudedKeyBag):
		return d.addShrouded(p, inner, attrs, true)
	case typ.Equal(oidKeyBag):
		var pk cryptobyte.String
		var tag cbasn1.Tag
		if !inner.ReadAnyASN1Element(&pk, &tag) {
			return malformed("a secret bag is empty")
		}
		s, ok := newSecretBag(pk, attrs)
		if !ok {
			return malformed("secret key %d is not a PKCS#8 PrivateKeyInfo", len(p.secrets)+1)
		}
		p.secrets = append(p.secrets, s)
		return nil
	}
	p.skipped = append(p.skipped, "secret bag of type "+algorithmName(typ))
	return nil
}

func (d *decoder) readCertBag(p *part, value cryptobyte.String, attrs Attributes) error {
	var cb, explicit cryptobyte.String
	var certType asn1.ObjectIdentifier
	var raw []byte
	if !value.ReadASN1(&cb, cbasn1.SEQUENCE) || !cb.ReadASN1ObjectIdentifier(&certType) ||
		!cb.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return malformed("a certificate bag is not a valid CertBag")
	}
	if !certType.Equal(oidCertTypeX509) {
		p.skipped = append(p.skipped, "certificate bag of type "+algorithmName(certType))
		return nil
	}
	if !explicit.ReadASN1Bytes(&raw, cbasn1.OCTET_STRING) {
		return malformed("the value of a certificate bag is not an OCTET STRING")
	}
	d.certs++
	if d.raw {
		p.certs = append(p.certs, CertBag{Raw: raw, Attrs: attrs})
		return nil
	}
	cert, err := certfile.ParseCertificate(raw)
	if err != nil {
		kind := ErrMalformed
		if errors.Is(err, certfile.ErrNegativeSerial) {
			kind = ErrUnsupported
		}
		return newError(kind, err, "certificate %d: %v", d.certs, err)
	}
	p.certs = append(p.certs, CertBag{Cert: cert, Raw: cert.Raw, Attrs: attrs})
	return nil
}

// decryptPending decrypts the pending shrouded keys and secrets on all
// cores (parsing too: RSA keys are validated, the other big cost) and puts
// each in its slot; the first failure in file order is the error.
func (d *decoder) decryptPending() error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, pb := range d.pending {
		g.Go(func() error {
			pb.plain, pb.err = pb.p.decrypt(pb.ct, d.forms, &d.derived)
			if pb.err == nil && !pb.secret {
				pb.kb, pb.ok = d.key(pb.plain, pb.part.keys[pb.slot].Attrs)
			}
			return nil
		})
	}
	_ = g.Wait() // errors are kept per bag, and judged in file order below
	for _, pb := range d.pending {
		if pb.err != nil {
			return pb.err
		}
		if pb.secret {
			s, ok := newSecretBag(pb.plain, pb.part.secrets[pb.slot].Attrs)
			if !ok {
				return d.notPrivateKeyInfo("a secret key")
			}
			pb.part.secrets[pb.slot] = s
			continue
		}
		if !pb.ok {
			return d.notPrivateKeyInfo(fmt.Sprintf("private key %d", pb.number))
		}
		pb.part.keys[pb.slot] = pb.kb
	}
	return nil
}

// notPrivateKeyInfo reports a decrypted key that is not a PrivateKeyInfo:
// a wrong password unless the MAC vouched for it.
func (d *decoder) notPrivateKeyInfo(what string) error {
	if !d.macVerified {
		return ErrIncorrectPassword
	}
	return malformed("%s does not decrypt to a PKCS#8 PrivateKeyInfo", what)
}

func readAttributes(set cryptobyte.String) (Attributes, error) {
	var a Attributes
	for !set.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) {
			return a, malformed("a bag attribute is not a valid Attribute")
		}
		switch {
		case oid.Equal(oidFriendlyName):
			var bmp cryptobyte.String
			if !values.ReadASN1(&bmp, cbasn1.Tag(30)) {
				return a, malformed("a friendlyName is not a BMPString")
			}
			name, err := decodeBMP(bmp)
			if err != nil {
				return a, err
			}
			a.FriendlyName, a.HasFriendlyName = name, true
		case oid.Equal(oidLocalKeyID):
			var id []byte
			if !values.ReadASN1Bytes(&id, cbasn1.OCTET_STRING) {
				return a, malformed("a localKeyId is not an OCTET STRING")
			}
			a.LocalKeyID = id
		case oid.Equal(oidMicrosoftCSPName):
			var bmp cryptobyte.String
			if values.ReadASN1(&bmp, cbasn1.Tag(30)) {
				a.CSPName, _ = decodeBMP(bmp)
			}
		case oid.Equal(oidJavaTrustedKeyUsge):
			a.JavaTrusted = true
		}
	}
	return a, nil
}

func decodeBMP(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", malformed("a BMPString has an odd number of bytes")
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	// Some producers include the terminating zero of the KDF form.
	for len(u) > 0 && u[len(u)-1] == 0 {
		u = u[:len(u)-1]
	}
	return string(utf16.Decode(u)), nil
}
