package pkcs12

import (
	"crypto/aes"
	"crypto/des"
	"crypto/pbkdf2"
	"errors"
	"fmt"
	"testing"

	"github.com/uccert/uccert/pkg/internal/rc2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// pbes2Alg encodes a PBES2 AlgorithmIdentifier (PBKDF2 with prf, iter
// iterations; cipher with a zero IV).
func pbes2Alg(prf digest, iter int, c blockCipher) []byte {
	var b cryptobyte.Builder
	addAlgorithm(&b, oidPBES2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addAlgorithm(b, oidPBKDF2, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(make([]byte, 16))
					b.AddASN1Int64(int64(iter))
					addAlgorithm(b, prf.hmac, nil)
				})
			})
			addAlgorithm(b, c.oid, func(b *cryptobyte.Builder) { b.AddASN1OctetString(make([]byte, c.blockSize)) })
		})
	})
	return b.BytesOrPanic()
}

// pkcs12Alg encodes one of RFC 7292's PBE AlgorithmIdentifiers.
func pkcs12Alg(c blockCipher, iter int) []byte {
	var b cryptobyte.Builder
	addAlgorithm(&b, c.oid, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(make([]byte, 20))
			b.AddASN1Int64(int64(iter))
		})
	})
	return b.BytesOrPanic()
}

func parsedPBE(t testing.TB, alg []byte) *pbe {
	t.Helper()
	s := cryptobyte.String(alg)
	ai, err := readAlgorithm(&s, "test")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsePBE(ai, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// craftedPFX is a PFX without a MAC whose plain SafeContents holds n
// shrouded keys encrypted with alg (the ciphertext is not a real key:
// the file must be refused before anything is decrypted).
func craftedPFX(n int, alg []byte) []byte {
	var safe cryptobyte.Builder
	safe.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for range n {
			addShroudedKeyBag(b, alg, make([]byte, 48), Attributes{})
		}
	})
	var pfx cryptobyte.Builder
	pfx.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(oidData)
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddASN1OctetString(safe.BytesOrPanic())
							})
						})
					})
				})
			})
		})
	})
	return pfx.BytesOrPanic()
}

// The weights: iterations × blocks × the cost of one iteration of the
// hash; PKCS#12 schemes derive the IV too and try both forms of an empty
// password, PBES2 derives once.
func TestDerivationCost(t *testing.T) {
	sha1, sha256, sha512 := digestNamed(t, "SHA-1"), digestNamed(t, "SHA-256"), digestNamed(t, "SHA-512")
	aes128, aes256 := pbes2Ciphers[0], pbes2Ciphers[2]
	tests := []struct {
		name  string
		alg   []byte
		forms int
		want  int64
	}{
		{"PBES2 AES-256, HMAC-SHA-256", pbes2Alg(sha256, 1000, aes256), 1, 1000 * costPBKDF2SHA256},
		{"PBES2 AES-256, HMAC-SHA-1: 2 blocks", pbes2Alg(sha1, 1000, aes256), 1, 2 * 1000 * costPBKDF2SHA1},
		{"PBES2 AES-128, HMAC-SHA-1", pbes2Alg(sha1, 1000, aes128), 1, 1000 * costPBKDF2SHA1},
		{"PBES2 AES-256, HMAC-SHA-512", pbes2Alg(sha512, 1000, aes256), 1, 1000 * costPBKDF2SHA512},
		{"PBES2, empty password: derived once", pbes2Alg(sha256, 1000, aes256), 2, 1000 * costPBKDF2SHA256},
		{"3DES: key (2 blocks) and IV", pkcs12Alg(pkcs12PBEs[0], 1000), 1, 3 * 1000 * costKDFSHA1},
		{"3DES, empty password: both forms", pkcs12Alg(pkcs12PBEs[0], 1000), 2, 2 * 3 * 1000 * costKDFSHA1},
		{"RC2-40: key and IV", pkcs12Alg(pkcs12PBEs[3], 1000), 1, 2 * 1000 * costKDFSHA1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parsedPBE(t, tt.alg).cost(tt.forms); got != tt.want {
				t.Errorf("cost %d, want %d", got, tt.want)
			}
		})
	}
}

// The budget admits what real tools write, a 60-key NSS export included,
// and refuses files whose derivations would cost more, before deriving.
func TestDerivationBudget(t *testing.T) {
	// NSS's own export: MAC, certificate safe and key at 600,000.
	_, st, err := decode(fixture(t, "exports/fe3-nss.p12"), "nss-export", 0, derivationBudget)
	if err != nil {
		t.Fatal(err)
	}
	macCost, bagCost := int64(600000*costKDFSHA256), int64(600000*costPBKDF2SHA256)
	if st.cost != macCost+2*bagCost || st.derivations != 3 {
		t.Fatalf("NSS fixture: cost %d in %d derivations, want %d in 3", st.cost, st.derivations, macCost+2*bagCost)
	}
	if nss60 := macCost + 61*bagCost; nss60 > derivationBudget {
		t.Errorf("a 60-key NSS export costs %d, over the budget %d", nss60, derivationBudget)
	}

	sha256, sha512 := digestNamed(t, "SHA-256"), digestNamed(t, "SHA-512")
	aes256 := pbes2Ciphers[2]
	atCap512 := pbes2Alg(sha512, MaxIterations, aes256)
	atCap256 := pbes2Alg(sha256, MaxIterations, aes256)
	if c := parsedPBE(t, atCap512).cost(1); c > derivationBudget || 2*c <= derivationBudget {
		t.Errorf("one SHA-512 derivation at the cap costs %d: one must fit the budget %d, two must not", c, derivationBudget)
	}
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"2 SHA-512 keys at the cap", craftedPFX(2, atCap512)},
		{"4 SHA-512 keys at the cap", craftedPFX(4, atCap512)},
		{"5 SHA-256 keys at the cap", craftedPFX(5, atCap256)},
		{"50 SHA-256 keys at 1,000,000", craftedPFX(50, pbes2Alg(sha256, 1_000_000, aes256))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, st, err := decode(tt.data, "pw", 0, derivationBudget)
			if !errors.Is(err, ErrIterationCount) {
				t.Fatalf("got %v, want ErrIterationCount", err)
			}
			if st.derivations != 0 {
				t.Errorf("%d derivations before refusing", st.derivations)
			}
		})
	}
}

// BenchmarkIteration measures the per-iteration costs behind cost.go's
// constants (ns/iteration) and the cipher set-ups that are not counted.
func BenchmarkIteration(b *testing.B) {
	const n = 10000
	for _, name := range []string{"SHA-1", "SHA-256", "SHA-512"} {
		d := digestNamed(b, name)
		b.Run("PBKDF2-HMAC-"+name, func(b *testing.B) {
			for b.Loop() {
				if _, err := pbkdf2.Key(d.new, "password", []byte("saltsaltsalt"), n, d.size); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/iteration")
		})
		b.Run("PKCS12KDF-"+name, func(b *testing.B) {
			for b.Loop() {
				pkcs12KDF(d, bmpPassword("password"), []byte("saltsaltsalt"), kdfMAC, n, d.size)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/iteration")
		})
	}
	key := make([]byte, 32)
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"setup-AES-256", func() error { _, err := aes.NewCipher(key); return err }},
		{"setup-3DES", func() error { _, err := des.NewTripleDESCipher(key[:24]); return err }},
		{"setup-RC2-40", func() error { _, err := rc2.New(key[:5], 40); return err }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeOverBudget: a file of SHA-512 bags at the cap is refused
// in microseconds, where deriving its keys would take seconds each.
func BenchmarkDecodeOverBudget(b *testing.B) {
	data := craftedPFX(4, pbes2Alg(digestNamed(b, "SHA-512"), MaxIterations, pbes2Ciphers[2]))
	for b.Loop() {
		if _, err := Decode(data, "pw", 0); !errors.Is(err, ErrIterationCount) {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeNSS: NSS's 600,000-iteration export (three derivations,
// the certificate safe alongside the MAC, then the key).
func BenchmarkDecodeNSS(b *testing.B) {
	data := fixture(b, "exports/fe3-nss.p12")
	for b.Loop() {
		if _, err := Decode(data, "nss-export", 0); err != nil {
			b.Fatal(fmt.Errorf("decode: %w", err))
		}
	}
}
