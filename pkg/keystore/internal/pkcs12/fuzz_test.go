package pkcs12

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/fixtures"

	"github.com/uccert/uccert/pkg/internal/ber"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// fuzzMaxIterations is the iteration limit of the fuzz target: without
// it the fuzzer soon raises a count towards MaxIterations and spends
// seconds per input deriving keys. The cap itself is tested by
// TestIterationLimitBeforeDerivation.
const fuzzMaxIterations = 20000

// fuzzBudget is the derivation budget of the fuzz target (cost.go units,
// nanoseconds): 0.1 s, so that inputs with many bags near
// fuzzMaxIterations do not take seconds each. The real budget is tested by
// TestDerivationBudget.
const fuzzBudget = 100_000_000

const fixturesDir = "../../../../fixtures"

// fixtureSeeds returns the PKCS#12 fixtures (and the hostile ones) with
// their passwords from expected.json.
func fixtureSeeds(tb testing.TB) map[string]string {
	tb.Helper()
	seeds := map[string]string{}
	for _, f := range fixtures.Load(tb) {
		if f.Type != "pkcs12" && !strings.HasSuffix(f.File, ".pfx") && !strings.HasSuffix(f.File, ".p12") {
			continue
		}
		seeds[f.File] = ""
		if f.Password != nil {
			seeds[f.File] = *f.Password
		}
	}
	if len(seeds) < 10 {
		tb.Fatalf("expected.json lists %d PKCS#12 files", len(seeds))
	}
	return seeds
}

// remac recomputes the MAC of a PFX with password, so that mutations of
// the authenticated safe get past the integrity check and reach the
// decryption and bag parsers. It returns data unchanged when data is not
// a PFX with a MAC this package computes within fuzzMaxIterations.
func remac(data []byte, password string) []byte {
	der, err := ber.ToDER(data)
	if err != nil {
		return data
	}
	in := cryptobyte.String(der)
	var pfx, version, authSafe, macData, digestInfo cryptobyte.String
	var tag cbasn1.Tag
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadAnyASN1Element(&version, &tag) ||
		!pfx.ReadASN1Element(&authSafe, cbasn1.SEQUENCE) ||
		!pfx.ReadASN1(&macData, cbasn1.SEQUENCE) || !macData.ReadASN1(&digestInfo, cbasn1.SEQUENCE) {
		return data
	}
	ci := authSafe
	_, content, err := readContentInfo(&ci, "authenticated safe")
	var safe []byte
	if err != nil || !content.ReadASN1Bytes(&safe, cbasn1.OCTET_STRING) {
		return data
	}
	alg, err := readAlgorithm(&digestInfo, "MAC")
	if err != nil {
		return data
	}
	dg, err := digestByOID(alg.oid)
	var salt []byte
	if err != nil || !macData.ReadASN1Bytes(&salt, cbasn1.OCTET_STRING) {
		return data
	}
	iter := 1
	if !macData.Empty() {
		var n int64
		if !macData.ReadASN1Integer(&n) || n < 1 || n > fuzzMaxIterations {
			return data
		}
		iter = int(n)
	}
	m := hmac.New(dg.new, pkcs12KDF(dg, bmpPassword(password), salt, kdfMAC, iter, dg.size))
	m.Write(safe)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(version)
		b.AddBytes(authSafe)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addAlgorithm(b, dg.oid, nil)
				b.AddASN1OctetString(m.Sum(nil))
			})
			b.AddASN1OctetString(salt)
			b.AddASN1Int64(int64(iter))
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return data
	}
	return out
}

// FuzzPKCS12Decode: the container parser on its own. With fixMAC the
// harness recomputes the MAC (remac), so that the fuzzer gets past it.
// No panic, only declared errors, and well-formed contents.
func FuzzPKCS12Decode(f *testing.F) {
	for name, pw := range fixtureSeeds(f) {
		data, err := os.ReadFile(filepath.Join(fixturesDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, pw, false)
		f.Add(data, pw, true)
		if len(data) > 1 {
			f.Add(data[:len(data)/2], pw, false)
			f.Add(data[:len(data)-1], pw, false)
		}
	}
	for name, pw := range map[string]string{
		"rfc9579-a1.b64": "1234", "rfc9579-a3.b64": "1234", "rfc9579-a6.b64": "1234",
		"secretkeys-keytool.p12": "secret-pass", "dsa-openssl.p12": "key-export", "ed448-openssl.p12": "key-export",
	} {
		data := testdata(f, name)
		f.Add(data, pw, false)
		f.Add(data, pw, true)
		f.Add(append(data, 0, 0, 0), pw, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, password string, fixMAC bool) {
		if fixMAC {
			data = remac(data, password)
		}
		orig := bytes.Clone(data)
		start := time.Now()
		c, _, err := decode(data, password, fuzzMaxIterations, fuzzBudget)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Decode took %v", d)
		}
		if !bytes.Equal(data, orig) {
			t.Fatal("Decode modified its input")
		}
		if err != nil {
			if c != nil {
				t.Fatalf("contents with the error %v", err)
			}
			for _, d := range []error{ErrMalformed, ErrUnsupported, ErrIncorrectPassword, ErrIterationCount, ErrPasswordEncoding} {
				if errors.Is(err, d) {
					return
				}
			}
			t.Fatalf("undeclared error %v", err)
		}
		for i, k := range c.Keys {
			if (k.Key == nil) == (k.Err == nil) || len(k.PKCS8) == 0 {
				t.Fatalf("key %d: %+v", i, k)
			}
			if k.Err != nil && !errors.Is(k.Err, ErrUnsupported) {
				t.Fatalf("key %d: undeclared error %v", i, k.Err)
			}
		}
		for i, s := range c.Secrets {
			if s.Algorithm == nil || s.AlgorithmName == "" {
				t.Fatalf("secret %d: %+v", i, s)
			}
			if _, err := s.Key(); err != nil {
				t.Fatalf("secret %d: %v", i, err)
			}
		}
		for i, cb := range c.Certs {
			if cb.Cert == nil || len(cb.Cert.Raw) == 0 {
				t.Fatalf("certificate %d is empty", i)
			}
		}
	})
}

// The harness's fix-up must leave a real file decodable: remac of a
// fixture decodes, and so does remac of a file whose MAC was broken.
func TestRemacKeepsFixturesDecodable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixturesDir, "exports", "fe1-openssl.pfx"))
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Clone(data)
	broken[len(broken)-30] ^= 1 // inside the MAC value
	if _, err := Decode(broken, "fe1-export", 0); !errors.Is(err, ErrIncorrectPassword) {
		t.Fatalf("broken MAC: %v", err)
	}
	for _, in := range [][]byte{data, broken} {
		if _, err := Decode(remac(in, "fe1-export"), "fe1-export", 0); err != nil {
			t.Fatal(err)
		}
	}
}
