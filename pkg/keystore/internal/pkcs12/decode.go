package pkcs12

import (
	"crypto"
	"crypto/hmac"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unicode/utf16"

	"github.com/uccert/uccert/pkg/internal/ber"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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
	Key   crypto.PrivateKey
	PKCS8 []byte
	Attrs Attributes
}

// CertBag is an X.509 certificate with its attributes.
type CertBag struct {
	Cert  *x509.Certificate
	Attrs Attributes
}

// Contents is what a PKCS#12 file holds, in file order.
type Contents struct {
	Keys  []KeyBag
	Certs []CertBag
	// Skipped names the bags that were read but not used (CRL and secret
	// bags, non-X.509 certificates), so that callers can report them.
	Skipped []string
	// MAC describes the integrity protection ("HMAC-SHA-256, 10000
	// iterations"), empty when the file has no MAC.
	MAC string
}

// Decode parses a PKCS#12 file (DER or BER) and decrypts its bags with
// password. Iteration counts are checked against maxIterations (0 or
// more than MaxIterations mean MaxIterations) before any key derivation.
// Shrouded keys are decrypted in parallel.
func Decode(data []byte, password string, maxIterations int) (*Contents, error) {
	return decode(data, password, maxIterations, totalIterationFactor*MaxIterations)
}

// decode is Decode with the file's total iteration budget.
func decode(data []byte, password string, maxIterations int, budget int64) (*Contents, error) {
	der, err := ber.ToDER(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	in := cryptobyte.String(der)
	var pfx cryptobyte.String
	var version int64
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !in.Empty() || !pfx.ReadASN1Integer(&version) {
		return nil, fmt.Errorf("%w: not a PFX structure", ErrMalformed)
	}
	if version != 3 {
		return nil, fmt.Errorf("%w: PFX version %d (want 3)", ErrUnsupported, version)
	}
	oid, content, err := readContentInfo(&pfx)
	if err != nil {
		return nil, err
	}
	if !oid.Equal(oidData) {
		return nil, fmt.Errorf("%w: authSafe content type %s (only password integrity is supported)", ErrUnsupported, oid)
	}
	var authSafe []byte
	if !content.ReadASN1Bytes(&authSafe, cbasn1.OCTET_STRING) {
		return nil, fmt.Errorf("%w: authSafe is not an OCTET STRING", ErrMalformed)
	}

	c := &Contents{}
	forms := alternatives(password)
	macVerified := false
	macIterations := 0
	if !pfx.Empty() {
		form, desc, macIter, err := verifyMAC(&pfx, authSafe, forms, maxIterations)
		if err != nil {
			return nil, err
		}
		forms = []secret{form}
		c.MAC = desc
		macVerified = true
		macIterations = macIter
	}
	if !pfx.Empty() {
		return nil, fmt.Errorf("%w: trailing data after MacData", ErrMalformed)
	}

	d := decoder{c: c, forms: forms, macVerified: macVerified, limit: maxIterations, spent: int64(macIterations), budget: budget}
	inner, err := ber.ToDER(authSafe)
	if err != nil {
		return nil, fmt.Errorf("%w: authenticated safe: %w", ErrMalformed, err)
	}
	s := cryptobyte.String(inner)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, fmt.Errorf("%w: authenticated safe is not a SEQUENCE", ErrMalformed)
	}
	for !seq.Empty() {
		if err := d.readAuthSafeItem(&seq); err != nil {
			return nil, err
		}
	}
	if err := d.decryptKeys(); err != nil {
		return nil, err
	}
	return c, nil
}

func readContentInfo(s *cryptobyte.String) (asn1.ObjectIdentifier, cryptobyte.String, error) {
	var ci, content cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&oid) {
		return nil, nil, fmt.Errorf("%w: bad ContentInfo", ErrMalformed)
	}
	if ci.Empty() {
		return oid, nil, nil
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, nil, fmt.Errorf("%w: bad ContentInfo content", ErrMalformed)
	}
	return oid, content, nil
}

func verifyMAC(pfx *cryptobyte.String, authSafe []byte, forms []secret, limit int) (secret, string, int, error) {
	var macData, digestInfo, want, salt []byte
	var md cryptobyte.String
	if !pfx.ReadASN1((*cryptobyte.String)(&macData), cbasn1.SEQUENCE) {
		return secret{}, "", 0, fmt.Errorf("%w: bad MacData", ErrMalformed)
	}
	md = macData
	if !md.ReadASN1((*cryptobyte.String)(&digestInfo), cbasn1.SEQUENCE) {
		return secret{}, "", 0, fmt.Errorf("%w: bad MAC DigestInfo", ErrMalformed)
	}
	di := cryptobyte.String(digestInfo)
	alg, err := readAlgorithm(&di)
	if err != nil {
		return secret{}, "", 0, err
	}
	if !di.ReadASN1Bytes(&want, cbasn1.OCTET_STRING) || !md.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
		return secret{}, "", 0, fmt.Errorf("%w: bad MacData", ErrMalformed)
	}
	iter := 1
	if !md.Empty() {
		if iter, err = readIterations(&md, "MAC", limit); err != nil {
			return secret{}, "", 0, err
		}
	}
	if alg.oid.Equal(oidPBMAC1) {
		return secret{}, "", 0, fmt.Errorf("%w: PBMAC1 integrity (OpenSSL 3.4+ -pbmac1_pbkdf2); export without it", ErrUnsupported)
	}
	dg, err := digestByOID(alg.oid)
	if err != nil {
		return secret{}, "", 0, err
	}
	for _, f := range forms {
		key := pkcs12KDF(dg, f.bmp, salt, kdfMAC, iter, dg.size)
		m := hmac.New(dg.new, key)
		m.Write(authSafe)
		if hmac.Equal(m.Sum(nil), want) {
			return f, fmt.Sprintf("HMAC-%s, %d iterations", dg.name, iter), iter, nil
		}
	}
	return secret{}, "", 0, ErrIncorrectPassword
}

type decoder struct {
	c           *Contents
	forms       []secret
	macVerified bool
	limit       int
	// spent is the iteration work so far, against the file's budget.
	spent  int64
	budget int64
	bags   int
	// pending are shrouded keys, decrypted together (in parallel) once
	// the whole structure has been read.
	pending []pendingKey
}

type pendingKey struct {
	alg   algorithmIdentifier
	ct    []byte
	attrs Attributes
	// index orders keys as in the file, among the plain key bags too.
	index int
}

func (d *decoder) readAuthSafeItem(s *cryptobyte.String) error {
	oid, content, err := readContentInfo(s)
	if err != nil {
		return err
	}
	switch {
	case oid.Equal(oidData):
		var safe []byte
		if !content.ReadASN1Bytes(&safe, cbasn1.OCTET_STRING) {
			return fmt.Errorf("%w: data content is not an OCTET STRING", ErrMalformed)
		}
		return d.readSafeContents(safe, 0)
	case oid.Equal(oidEncryptedData):
		var ed, eci cryptobyte.String
		var version int64
		var ctype asn1.ObjectIdentifier
		if !content.ReadASN1(&ed, cbasn1.SEQUENCE) || !ed.ReadASN1Integer(&version) ||
			!ed.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&ctype) {
			return fmt.Errorf("%w: bad EncryptedData", ErrMalformed)
		}
		alg, err := readAlgorithm(&eci)
		if err != nil {
			return err
		}
		ct, err := readImplicitOctets(&eci)
		if err != nil {
			return err
		}
		if err := d.charge(alg); err != nil {
			return err
		}
		plain, err := d.decrypt(alg, ct)
		if err != nil {
			return err
		}
		return d.readSafeContents(plain, 0)
	default:
		return fmt.Errorf("%w: authenticated safe content type %s (public-key privacy mode)", ErrUnsupported, oid)
	}
}

// readImplicitOctets reads encryptedContent [0] IMPLICIT OCTET STRING, in
// its primitive form or (BER) as a constructed sequence of OCTET STRINGs.
func readImplicitOctets(s *cryptobyte.String) ([]byte, error) {
	var v cryptobyte.String
	switch {
	case s.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		if !s.ReadASN1(&v, cbasn1.Tag(0).ContextSpecific()) {
			break
		}
		return v, nil
	case s.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()):
		if !s.ReadASN1(&v, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			break
		}
		out, err := ber.JoinOctetStrings(v)
		if err != nil {
			return nil, fmt.Errorf("%w: encrypted content: %w", ErrMalformed, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: missing encrypted content", ErrMalformed)
}

// decrypt tries each password form; a wrong password is ErrIncorrectPassword.
func (d *decoder) decrypt(alg algorithmIdentifier, data []byte) ([]byte, error) {
	var err error
	for _, f := range d.forms {
		var out []byte
		if out, err = decrypt(alg, data, f, d.limit); err == nil {
			return out, nil
		}
		if !errors.Is(err, ErrIncorrectPassword) {
			return nil, err
		}
	}
	return nil, err
}

func (d *decoder) readSafeContents(data []byte, depth int) error {
	if depth > maxSafeContentsNesting {
		return fmt.Errorf("%w: safe contents nested deeper than %d", ErrMalformed, maxSafeContentsNesting)
	}
	der, err := ber.ToDER(data)
	if err != nil {
		if errors.Is(err, ber.ErrTruncated) || errors.Is(err, ber.ErrMalformed) {
			// Garbage after a decryption that passed the padding check by
			// chance (1 in 256) is a wrong password when nothing else
			// checked the password.
			if !d.macVerified {
				return ErrIncorrectPassword
			}
		}
		return fmt.Errorf("%w: safe contents: %w", ErrMalformed, err)
	}
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		if !d.macVerified {
			return ErrIncorrectPassword
		}
		return fmt.Errorf("%w: safe contents is not a SEQUENCE", ErrMalformed)
	}
	for !seq.Empty() {
		if err := d.readBag(&seq, depth); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) readBag(s *cryptobyte.String, depth int) error {
	if d.bags++; d.bags > MaxBags {
		return fmt.Errorf("%w: more than %d bags", ErrMalformed, MaxBags)
	}
	var bag, value cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&bag, cbasn1.SEQUENCE) || !bag.ReadASN1ObjectIdentifier(&oid) ||
		!bag.ReadASN1(&value, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return fmt.Errorf("%w: bad SafeBag", ErrMalformed)
	}
	var attrs Attributes
	if !bag.Empty() {
		var set cryptobyte.String
		if !bag.ReadASN1(&set, cbasn1.SET) || !bag.Empty() {
			return fmt.Errorf("%w: bad bag attributes", ErrMalformed)
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
			return fmt.Errorf("%w: bad key bag", ErrMalformed)
		}
		return d.addKey(pk, attrs)
	case oid.Equal(oidShroudedKeyBag):
		var epki cryptobyte.String
		var ct []byte
		if !value.ReadASN1(&epki, cbasn1.SEQUENCE) {
			return fmt.Errorf("%w: bad shrouded key bag", ErrMalformed)
		}
		alg, err := readAlgorithm(&epki)
		if err != nil {
			return err
		}
		if !epki.ReadASN1Bytes(&ct, cbasn1.OCTET_STRING) {
			return fmt.Errorf("%w: bad shrouded key bag", ErrMalformed)
		}
		// Check the iteration count now, derive later (in parallel).
		if err := d.charge(alg); err != nil {
			return err
		}
		d.pending = append(d.pending, pendingKey{alg: alg, ct: ct, attrs: attrs, index: len(d.c.Keys) + len(d.pending)})
		return nil
	case oid.Equal(oidCertBag):
		var cb cryptobyte.String
		var certType asn1.ObjectIdentifier
		var explicit cryptobyte.String
		var raw []byte
		if !value.ReadASN1(&cb, cbasn1.SEQUENCE) || !cb.ReadASN1ObjectIdentifier(&certType) ||
			!cb.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return fmt.Errorf("%w: bad certificate bag", ErrMalformed)
		}
		if !certType.Equal(oidCertTypeX509) {
			d.c.Skipped = append(d.c.Skipped, "certificate bag of type "+certType.String())
			return nil
		}
		if !explicit.ReadASN1Bytes(&raw, cbasn1.OCTET_STRING) {
			return fmt.Errorf("%w: bad certificate bag value", ErrMalformed)
		}
		cert, err := x509.ParseCertificate(raw)
		if err != nil {
			return fmt.Errorf("%w: certificate %d: %s", ErrMalformed, len(d.c.Certs)+1, err.Error())
		}
		d.c.Certs = append(d.c.Certs, CertBag{Cert: cert, Attrs: attrs})
		return nil
	case oid.Equal(oidSafeContentsBag):
		var inner cryptobyte.String
		var tag cbasn1.Tag
		if !value.ReadAnyASN1Element(&inner, &tag) {
			return fmt.Errorf("%w: bad safe contents bag", ErrMalformed)
		}
		return d.readSafeContents(inner, depth+1)
	case oid.Equal(oidCRLBag):
		d.c.Skipped = append(d.c.Skipped, "CRL bag")
		return nil
	case oid.Equal(oidSecretBag):
		d.c.Skipped = append(d.c.Skipped, "secret bag")
		return nil
	default:
		d.c.Skipped = append(d.c.Skipped, "bag of type "+oid.String())
		return nil
	}
}

// charge adds the iterations of alg to the file's work and refuses a
// file whose total exceeds its budget, before any derivation.
func (d *decoder) charge(alg algorithmIdentifier) error {
	n, err := setupLimitsOnly(alg, d.limit)
	if err != nil {
		return err
	}
	d.spent += int64(n) * int64(len(d.forms))
	if d.spent > d.budget {
		return fmt.Errorf("%w: the file's iteration counts add up to more than %d", ErrIterationCount, d.budget)
	}
	return nil
}

// decryptKeys decrypts the pending shrouded keys on all cores and adds
// them in file order.
func (d *decoder) decryptKeys() error {
	if len(d.pending) == 0 {
		return nil
	}
	plain := make([][]byte, len(d.pending))
	keys := make([]crypto.PrivateKey, len(d.pending))
	parseErrs := make([]error, len(d.pending))
	errs := make([]error, len(d.pending))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range d.pending {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			plain[i], errs[i] = d.decrypt(d.pending[i].alg, d.pending[i].ct)
			if errs[i] == nil {
				// Parsing (RSA keys are validated) is the other big cost.
				keys[i], parseErrs[i] = x509.ParsePKCS8PrivateKey(plain[i])
			}
		}(i)
	}
	wg.Wait()
	plainKeys := d.c.Keys
	d.c.Keys = nil
	next := 0
	for i, pk := range d.pending {
		for len(d.c.Keys) < pk.index && next < len(plainKeys) {
			d.c.Keys = append(d.c.Keys, plainKeys[next])
			next++
		}
		if errs[i] != nil {
			return errs[i]
		}
		if err := d.addParsedKey(keys[i], parseErrs[i], plain[i], pk.attrs); err != nil {
			return err
		}
	}
	d.c.Keys = append(d.c.Keys, plainKeys[next:]...)
	return nil
}

func (d *decoder) addKey(pkcs8 []byte, attrs Attributes) error {
	key, err := x509.ParsePKCS8PrivateKey(pkcs8)
	return d.addParsedKey(key, err, pkcs8, attrs)
}

func (d *decoder) addParsedKey(key crypto.PrivateKey, err error, pkcs8 []byte, attrs Attributes) error {
	if err != nil {
		if !d.macVerified {
			return ErrIncorrectPassword
		}
		return fmt.Errorf("%w: private key %d: %s", ErrMalformed, len(d.c.Keys)+1, err.Error())
	}
	d.c.Keys = append(d.c.Keys, KeyBag{Key: key, PKCS8: append([]byte(nil), pkcs8...), Attrs: attrs})
	return nil
}

func readAttributes(set cryptobyte.String) (Attributes, error) {
	var a Attributes
	for !set.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) {
			return a, fmt.Errorf("%w: bad bag attribute", ErrMalformed)
		}
		switch {
		case oid.Equal(oidFriendlyName):
			var bmp cryptobyte.String
			if !values.ReadASN1(&bmp, cbasn1.Tag(30)) {
				return a, fmt.Errorf("%w: friendlyName is not a BMPString", ErrMalformed)
			}
			name, err := decodeBMP(bmp)
			if err != nil {
				return a, err
			}
			a.FriendlyName, a.HasFriendlyName = name, true
		case oid.Equal(oidLocalKeyID):
			var id []byte
			if !values.ReadASN1Bytes(&id, cbasn1.OCTET_STRING) {
				return a, fmt.Errorf("%w: localKeyId is not an OCTET STRING", ErrMalformed)
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
		return "", fmt.Errorf("%w: odd-length BMPString", ErrMalformed)
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
