package keystore

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/uccert/uccert/pkg/internal/testfs"

	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/internal/ber"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// fuzzMaxIterations is DecodeOptions.MaxIterations in the fuzz targets.
// The fuzzer would otherwise soon raise an iteration count towards the
// 10,000,000 that Decode accepts and spend seconds per input deriving
// keys, which finds nothing and starves the search. That the cap holds,
// and that a refused count fails before any derivation, is tested by
// TestHostileFiles and pkcs12.TestIterationLimitBeforeDerivation. The
// fixtures use at most 10,000 (fe3-nss.p12: 600,000, refused here with
// ErrLimit unless the fuzzer lowers its counts).
const fuzzMaxIterations = 20000

// fuzzSlow flags an input as a hang. With fuzzMaxIterations no input of
// the sizes the fuzzer makes needs more than a few tens of milliseconds.
const fuzzSlow = 5 * time.Second

// fuzzKeyPasswords are the extra JKS key passwords tried (trap.jks keeps
// its key under fe1-export).
var fuzzKeyPasswords = []secret.Password{secretPW("fe1-export")}

// declaredDecodeErrors are the sentinels Decode may return (errors.go).
var declaredDecodeErrors = []error{ErrIncorrectPassword, ErrMalformed, ErrUnknownFormat, ErrUnsupported, ErrTooLarge, ErrLimit, ErrPasswordEncoding}

// checkDecoded says what is wrong with the result of a Decode of data (nil
// when nothing): an error must be a declared one, show no library text and
// not be a recovered panic (Decode turns panics into ErrMalformed "internal
// error"); a store must be well-formed.
func checkDecoded(s *Store, err error, data []byte) error {
	if err != nil {
		if s != nil {
			return fmt.Errorf("a store with the error %v", err)
		}
		if raw := fixtures.LibraryText(err, data); raw != "" {
			return fmt.Errorf("library text %q in the error %q", raw, err)
		}
		if strings.Contains(err.Error(), "internal error") {
			return fmt.Errorf("recovered panic: %v", err)
		}
		for _, d := range declaredDecodeErrors {
			if errors.Is(err, d) {
				return nil
			}
		}
		return fmt.Errorf("undeclared error %v", err)
	}
	if s == nil {
		return errors.New("neither store nor error")
	}
	return checkStore(s, data)
}

// checkStore checks that every entry is well-formed: a key entry has its
// key or says why not, certificates are present, and Describe works.
func checkStore(s *Store, data []byte) error {
	if s.Format == FormatUnknown {
		return errors.New("store of unknown format")
	}
	for i, e := range s.Entries {
		if e == nil {
			return fmt.Errorf("entry %d is nil", i)
		}
		for j, c := range e.Chain {
			if c == nil || len(c.Raw) == 0 {
				return fmt.Errorf("entry %d: certificate %d is nil", i, j)
			}
		}
		switch e.Kind {
		case KindKey:
			if (e.Key == nil) == (e.KeyErr == nil) {
				return fmt.Errorf("entry %d: key %v and key error %v", i, e.Key != nil, e.KeyErr)
			}
			if e.KeyErr != nil && !errors.Is(e.KeyErr, ErrKeyPassword) && !errors.Is(e.KeyErr, ErrUnsupported) && !errors.Is(e.KeyErr, ErrMalformed) {
				return fmt.Errorf("entry %d: undeclared key error %v", i, e.KeyErr)
			}
			if raw := fixtures.LibraryText(e.KeyErr, data); raw != "" {
				return fmt.Errorf("entry %d: library text %q in the key error %q", i, raw, e.KeyErr)
			}
			if errors.Is(e.KeyErr, ErrKeyAlgorithm) && len(e.PKCS8) == 0 {
				return fmt.Errorf("entry %d: a key Go cannot use, not kept: %v", i, e.KeyErr)
			}
		case KindTrusted, KindCert:
			if len(e.Chain) != 1 || e.Key != nil || e.KeyErr != nil {
				return fmt.Errorf("%v entry %d: %d certificates, key %v, key error %v", e.Kind, i, len(e.Chain), e.Key != nil, e.KeyErr)
			}
		case KindSecret:
			if len(e.Chain) != 0 || e.Key != nil || e.KeyErr != nil || len(e.PKCS8) == 0 || e.KeyDescription() == "" {
				return fmt.Errorf("secret entry %d: %d certificates, key %v, key error %v, %d bytes, %q", i, len(e.Chain), e.Key != nil, e.KeyErr, len(e.PKCS8), e.KeyDescription())
			}
		default:
			return fmt.Errorf("entry %d: kind %v", i, e.Kind)
		}
		if leaf := e.Leaf(); leaf != nil && (PublicKeyDescription(leaf.PublicKey) == "" || e.KeyDescription() == "") {
			return fmt.Errorf("entry %d: no key description", i)
		}
	}
	return nil
}

// checkRoundTrip encodes a decoded JKS or PKCS#12 store in its own format
// with the same password and checks that it decodes to the same entries.
// Stores that cannot be written as they are (a key that was not
// recovered, a key without certificate) are skipped, and so are stores of
// more than 3 keys: Encode spends 10,000 iterations on each key.
func checkRoundTrip(t *testing.T, s *Store, password string) {
	t.Helper()
	if !s.Format.IsStore() {
		return
	}
	keys := 0
	for _, e := range s.Entries {
		switch {
		case e.Kind == KindKey && e.Writable() != nil:
			return
		case e.Kind == KindCert && s.Format == FormatJKS:
			return
		case e.Kind == KindKey:
			keys++
		}
	}
	if keys > 3 {
		return
	}
	// Give entries without an alias (or with one that Encode would refuse
	// as a duplicate) a fresh one first.
	taken := map[string]bool{}
	for _, e := range s.Entries {
		taken[strings.ToLower(e.Alias)] = true
	}
	want := &Store{Format: s.Format}
	seen := map[string]bool{}
	n := 0
	for _, e := range s.Entries {
		c := *e
		if c.Alias == "" || seen[strings.ToLower(c.Alias)] {
			for {
				n++
				c.Alias = fmt.Sprintf("fuzz-entry-%d", n)
				if !taken[c.Alias] {
					break
				}
			}
		}
		seen[strings.ToLower(c.Alias)] = true
		want.Entries = append(want.Entries, &c)
	}
	out, err := Encode(want, EncodeOptions{Format: s.Format, Password: secretPW(password)})
	if errors.Is(err, ErrPasswordEncoding) {
		return
	}
	if err != nil {
		t.Fatalf("decoded %v store does not encode: %v", s.Format, err)
	}
	got, err := Decode(out, DecodeOptions{Password: secretPW(password)})
	if err != nil {
		t.Fatalf("encoded %v store does not decode: %v", s.Format, err)
	}
	if err := Compare(want, got); err != nil {
		t.Fatalf("%v round trip: %v", s.Format, err)
	}
}

// fuzzSeed is a fixture and the password it was made with.
type fuzzSeed struct {
	name     string
	data     []byte
	password string
}

// fixtureSeeds reads the fixtures matching the patterns (relative to
// fixtures/) with their passwords from expected.json ("" when none).
func fixtureSeeds(tb testing.TB, patterns ...string) []fuzzSeed {
	tb.Helper()
	passwords := fixtures.Passwords(tb)
	var seeds []fuzzSeed
	for _, p := range patterns {
		files, err := filepath.Glob(filepath.Join(fixturesDir, p))
		if err != nil || len(files) == 0 {
			tb.Fatalf("no fixtures match %s", p)
		}
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				tb.Fatal(err)
			}
			rel, _ := filepath.Rel(fixturesDir, path)
			rel = filepath.ToSlash(rel)
			seeds = append(seeds, fuzzSeed{name: rel, data: data, password: passwords[rel]})
		}
	}
	return seeds
}

// truncations returns data cut at a few telling lengths.
func truncations(data []byte) [][]byte {
	var out [][]byte
	for _, n := range []int{len(data) / 2, len(data) - 1, len(data) - sha1.Size - 1, 64} {
		if n > 0 && n < len(data) {
			out = append(out, data[:n])
		}
	}
	return out
}

// fixJKSDigest replaces the integrity digest at the end of a JKS image
// with the one password gives, so that mutations of the body reach the
// parsers behind the digest check: SHA-1 of the password as Java chars
// (UTF-16 big-endian), "Mighty Aphrodite" and the body. It returns data
// unchanged when data is too short.
func fixJKSDigest(data []byte, password string) []byte {
	if len(data) < 4+sha1.Size {
		return data
	}
	h := sha1.New()
	for _, u := range utf16.Encode([]rune(password)) {
		h.Write([]byte{byte(u >> 8), byte(u)})
	}
	h.Write([]byte("Mighty Aphrodite"))
	body := data[:len(data)-sha1.Size]
	h.Write(body)
	return h.Sum(bytes.Clone(body))
}

// stripMAC removes the MacData of a PKCS#12 file (converting it to DER),
// so that mutations of the authenticated safe reach the decryption and
// the bag parsers: Decode accepts files without a MAC, as OpenSSL does
// (-nomac). It returns nil when data is not a PFX with a MAC.
func stripMAC(data []byte) []byte {
	der, err := ber.ToDER(data)
	if err != nil {
		return nil
	}
	in := cryptobyte.String(der)
	var pfx cryptobyte.String
	var version, authSafe cryptobyte.String
	var tag cbasn1.Tag
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadAnyASN1Element(&version, &tag) ||
		!pfx.ReadAnyASN1Element(&authSafe, &tag) || pfx.Empty() {
		return nil
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(version)
		b.AddBytes(authSafe)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil
	}
	return out
}

// decodeTimed runs decode and fails the test when it takes longer than
// fuzzSlow.
func decodeTimed(t *testing.T, decode func() (*Store, error)) (*Store, error) {
	t.Helper()
	start := time.Now()
	s, err := decode()
	if d := time.Since(start); d > fuzzSlow {
		t.Fatalf("decode took %v", d)
	}
	return s, err
}

// FuzzDecodeJKS: the JKS reader, our structural pass (scanJKS) and then
// keystore-go. When fixDigest is set, the harness recomputes the
// integrity digest with password so that the fuzzer gets past it.
func FuzzDecodeJKS(f *testing.F) {
	for _, s := range fixtureSeeds(f, "stores/*.jks", "hostile/*.jks") {
		f.Add(s.data, s.password, false)
		f.Add(s.data, "wrong-password", false)
		for _, tr := range truncations(s.data) {
			f.Add(tr, s.password, false)
			f.Add(tr, s.password, true)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, password string, fixDigest bool) {
		if fixDigest {
			data = fixJKSDigest(data, password)
		}
		opts := DecodeOptions{Password: secretPW(password), KeyPasswords: fuzzKeyPasswords, MaxIterations: fuzzMaxIterations}
		s, err := decodeTimed(t, func() (*Store, error) { return decodeJKS(data, opts) })
		if err := checkDecoded(s, err, data); err != nil {
			t.Fatal(err)
		}
		if err == nil {
			if s.Format != FormatJKS {
				t.Fatalf("format %v", s.Format)
			}
			checkRoundTrip(t, s, password)
		}
	})
}

// FuzzDecodePKCS12: the PKCS#12 reader (BER conversion, MAC, decryption,
// bags) and the pairing of keys with certificates. The seeds include the
// fixtures without their MAC, which lets mutations of the authenticated
// safe reach the decryption and the bag parsers.
func FuzzDecodePKCS12(f *testing.F) {
	for _, s := range fixtureSeeds(f, "exports/*", "stores/*.p12", "hostile/*.pfx", "hostile/*.p12") {
		f.Add(s.data, s.password)
		for _, tr := range truncations(s.data) {
			f.Add(tr, s.password)
		}
		if nomac := stripMAC(s.data); nomac != nil {
			f.Add(nomac, s.password)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		opts := DecodeOptions{Password: secretPW(password), MaxIterations: fuzzMaxIterations}
		s, err := decodeTimed(t, func() (*Store, error) { return decodePKCS12(data, opts) })
		if err := checkDecoded(s, err, data); err != nil {
			t.Fatal(err)
		}
		if err == nil {
			if s.Format != FormatPKCS12 {
				t.Fatalf("format %v", s.Format)
			}
			checkRoundTrip(t, s, password)
		}
	})
}

// FuzzDecode: any input through Decode (format detection, size limit,
// panic recovery, and every reader behind them).
func FuzzDecode(f *testing.F) {
	for _, s := range fixtureSeeds(f, "stores/*", "exports/*", "hostile/*", "pki/*", "pem/*") {
		if strings.HasPrefix(s.name, "pem/") {
			s.password = "pem-export1" // fixtures/README.md, pem/
		}
		f.Add(s.data, s.password)
		if len(s.data) > 0 {
			f.Add(s.data[:len(s.data)/2], s.password)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		opts := DecodeOptions{Password: secretPW(password), KeyPasswords: fuzzKeyPasswords, MaxIterations: fuzzMaxIterations}
		orig := bytes.Clone(data)
		s, err := decodeTimed(t, func() (*Store, error) { return Decode(data, opts) })
		if !bytes.Equal(data, orig) {
			t.Fatal("Decode modified its input")
		}
		if err := checkDecoded(s, err, data); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			return
		}
		if f := Detect(data); f != s.Format {
			t.Fatalf("Detect says %v, Decode %v", f, s.Format)
		}
		checkRoundTrip(t, s, password)
	})
}

// The harness's fix-ups must keep real files decodable, or the fuzzer
// would never get past the integrity checks.
func TestFuzzFixupsKeepFixturesDecodable(t *testing.T) {
	jks := testfs.ReadFile(t, filepath.Join(fixturesDir, "stores", "frontends.jks"))
	if !bytes.Equal(fixJKSDigest(jks, "changeit1"), jks) {
		t.Fatal("fixJKSDigest changes a correct digest")
	}
	body := bytes.Clone(jks)
	body[len(body)-sha1.Size-1] ^= 1 // the last byte of the last certificate
	if _, err := Decode(body, DecodeOptions{Password: secretPW("changeit1")}); !errors.Is(err, ErrIncorrectPassword) {
		t.Fatalf("changed body: %v", err)
	}
	// (a signature bit: the certificate still parses)
	if _, err := Decode(fixJKSDigest(body, "changeit1"), DecodeOptions{Password: secretPW("changeit1")}); err != nil {
		t.Fatalf("changed body with its digest fixed: %v", err)
	}
	for _, name := range []string{"exports/fe1-openssl.pfx", "exports/fe2-legacy.pfx", "stores/frontends.p12"} {
		p12 := testfs.ReadFile(t, filepath.Join(fixturesDir, name))
		nomac := stripMAC(p12)
		if nomac == nil || len(nomac) >= len(p12) {
			t.Fatalf("%s: stripMAC did nothing", name)
		}
		pw := map[string]string{"exports/fe1-openssl.pfx": "fe1-export", "exports/fe2-legacy.pfx": "fe2-export"}[name]
		if pw == "" {
			pw = "changeit1"
		}
		s, err := Decode(nomac, DecodeOptions{Password: secretPW(pw)})
		if err != nil || s.Protection != "" || len(s.Entries) == 0 {
			t.Fatalf("%s without MAC: %v", name, err)
		}
	}
}
