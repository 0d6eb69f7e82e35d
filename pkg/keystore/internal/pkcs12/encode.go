package pkcs12

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"sort"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/internal/pkcs8"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/sync/errgroup"
)

// Profile says how Encode protects keys, certificates and integrity.
type Profile struct {
	// PBES2 selects PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for keys and
	// certificates; otherwise pbeWithSHAAnd3-KeyTripleDES-CBC.
	PBES2 bool
	// MACSHA256 selects an HMAC-SHA256 MAC; otherwise HMAC-SHA1.
	MACSHA256 bool
	// Iterations is used for every key derivation and for the MAC.
	Iterations int
}

// Modern is what keytool 17 writes: PBES2 AES-256-CBC with
// PBKDF2-HMAC-SHA256, an HMAC-SHA256 MAC, 10,000 iterations. Java 8u301
// and later, Java 11.0.12 and later, OpenSSL 1.1.1 and later read it.
func Modern() Profile { return Profile{PBES2: true, MACSHA256: true, Iterations: 10000} }

// Legacy is pbeWithSHAAnd3-KeyTripleDES-CBC for keys and certificates and
// an HMAC-SHA1 MAC, 10,000 iterations: readable by every JRE, including
// those before 8u301, and by OpenSSL without -legacy.
func Legacy() Profile { return Profile{Iterations: 10000} }

const (
	saltLen    = 20
	pbes2IVLen = 16
	des3IVLen  = 8
)

// Encode writes keys, secrets and certificates as one PKCS#12 file:
// certificates in an encrypted SafeContents; shrouded keys, then secret
// bags as Java writes them (see SecretBag), in a plain one; and a MAC. Key
// derivations run in parallel; rnd supplies every salt and IV
// (crypto/rand when nil), so the same rnd stream gives the same bytes.
func Encode(c *Contents, password string, p Profile, rnd io.Reader) ([]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if p.Iterations < 1 || p.Iterations > MaxIterations {
		return nil, newError(ErrIterationCount, nil, "profile iteration count %d (allowed 1 to %d)", p.Iterations, MaxIterations)
	}
	if !utf8.ValidString(password) {
		return nil, newError(ErrPasswordEncoding, nil, "the password is not valid UTF-8")
	}
	pw := newSecret(password)

	// Draw all randomness in a fixed order first, then derive in parallel.
	type job struct {
		plain, salt, iv []byte
		alg, ct         []byte
	}
	jobs := make([]*job, 0, len(c.Keys)+len(c.Secrets)+1)
	newJob := func(plain []byte) (*job, error) {
		j := &job{plain: plain, salt: make([]byte, saltLen)}
		if p.PBES2 {
			j.iv = make([]byte, pbes2IVLen)
		}
		if _, err := io.ReadFull(rnd, j.salt); err != nil {
			return nil, randomError(err)
		}
		if j.iv != nil {
			if _, err := io.ReadFull(rnd, j.iv); err != nil {
				return nil, randomError(err)
			}
		}
		jobs = append(jobs, j)
		return j, nil
	}
	keyJobs := make([]*job, len(c.Keys))
	for i, k := range c.Keys {
		if len(k.PKCS8) == 0 {
			return nil, malformed("key %d has no PKCS#8 encoding", i+1)
		}
		j, err := newJob(k.PKCS8)
		if err != nil {
			return nil, err
		}
		keyJobs[i] = j
	}
	secretJobs := make([]*job, len(c.Secrets))
	for i, sb := range c.Secrets {
		if _, ok := pkcs8.ParseInfo(sb.PKCS8); !ok {
			return nil, malformed("secret %d is not a PKCS#8 PrivateKeyInfo", i+1)
		}
		j, err := newJob(sb.PKCS8)
		if err != nil {
			return nil, err
		}
		secretJobs[i] = j
	}
	var certJob *job
	if len(c.Certs) > 0 {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, cb := range c.Certs {
				addCertBag(b, cb)
			}
		})
		plain, err := b.Bytes()
		if err != nil {
			return nil, encodingError(err)
		}
		if certJob, err = newJob(plain); err != nil {
			return nil, err
		}
	}
	macSalt := make([]byte, saltLen)
	if _, err := io.ReadFull(rnd, macSalt); err != nil {
		return nil, randomError(err)
	}

	dg := digests[0]
	if p.MACSHA256 {
		dg = digests[2]
	}
	// The MAC key depends only on the password and salt: derive it
	// alongside the bag encryptions.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	var macKey []byte
	g.Go(func() error {
		macKey = pkcs12KDF(dg, pw.bmp, macSalt, kdfMAC, p.Iterations, dg.size)
		return nil
	})
	for _, j := range jobs {
		g.Go(func() error {
			var err error
			j.alg, j.ct, err = encrypt(p, pw, j.salt, j.iv, j.plain)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	var as cryptobyte.Builder
	as.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if certJob != nil {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidEncryptedData)
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(0)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(oidData)
							b.AddBytes(certJob.alg)
							b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(certJob.ct)
							})
						})
					})
				})
			})
		}
		if len(c.Keys)+len(c.Secrets) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidData)
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							for i, k := range c.Keys {
								addShroudedKeyBag(b, keyJobs[i].alg, keyJobs[i].ct, k.Attrs)
							}
							for i, sb := range c.Secrets {
								addSecretBag(b, secretJobs[i].alg, secretJobs[i].ct, sb.Attrs)
							}
						})
					})
				})
			})
		}
	})
	authSafe, err := as.Bytes()
	if err != nil {
		return nil, encodingError(err)
	}

	m := hmac.New(dg.new, macKey)
	m.Write(authSafe)
	mac := m.Sum(nil)

	var pfx cryptobyte.Builder
	pfx.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(authSafe)
			})
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addAlgorithm(b, dg.oid, nil)
				b.AddASN1OctetString(mac)
			})
			b.AddASN1OctetString(macSalt)
			b.AddASN1Int64(int64(p.Iterations))
		})
	})
	out, err := pfx.Bytes()
	if err != nil {
		return nil, encodingError(err)
	}
	return out, nil
}

// randomError reports a failure of the salt and IV source.
func randomError(err error) error {
	return fmt.Errorf("reading random bytes for salts and IVs: %w", err)
}

// encodingError reports a structure the DER builder refused (a value
// larger than DER lengths allow); the builder's own text stays out.
func encodingError(err error) error {
	return newError(ErrUnsupported, err, "the PKCS#12 structure cannot be encoded (a value is too large)")
}

// encrypt returns the encoded AlgorithmIdentifier and the ciphertext.
func encrypt(p Profile, pw secret, salt, iv, plain []byte) ([]byte, []byte, error) {
	var b cryptobyte.Builder
	if p.PBES2 {
		addAlgorithm(&b, oidPBES2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addAlgorithm(b, oidPBKDF2, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(salt)
						b.AddASN1Int64(int64(p.Iterations))
						addAlgorithm(b, oidHMACWithSHA256, nil)
					})
				})
				addAlgorithm(b, oidAES256CBC, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(iv)
				})
			})
		})
	} else {
		addAlgorithm(&b, oidPBEWithSHAAnd3KeyTripleDES, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(salt)
				b.AddASN1Int64(int64(p.Iterations))
			})
		})
	}
	alg, err := b.Bytes()
	if err != nil {
		return nil, nil, encodingError(err)
	}
	s := cryptobyte.String(alg)
	ai, err := readAlgorithm(&s, "encryption")
	if err != nil {
		return nil, nil, err
	}
	pb, err := parsePBE(ai, MaxIterations)
	if err != nil {
		return nil, nil, err
	}
	blk, iv, err := pb.setup(pw)
	if err != nil {
		return nil, nil, err
	}
	return alg, encryptCBC(blk, iv, plain), nil
}

// addSecretBag writes a secret bag as Java's PKCS12 KeyStore does:
// secretTypeId pkcs8ShroudedKeyBag, and the DER EncryptedPrivateKeyInfo in
// an OCTET STRING as [0] EXPLICIT secretValue.
func addSecretBag(b *cryptobyte.Builder, alg, ct []byte, a Attributes) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSecretBag)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidShroudedKeyBag)
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(alg)
							b.AddASN1OctetString(ct)
						})
					})
				})
			})
		})
		addAttributes(b, a)
	})
}

func addShroudedKeyBag(b *cryptobyte.Builder, alg, ct []byte, a Attributes) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidShroudedKeyBag)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(alg)
				b.AddASN1OctetString(ct)
			})
		})
		addAttributes(b, a)
	})
}

func addCertBag(b *cryptobyte.Builder, cb CertBag) {
	der := cb.Raw
	if der == nil {
		der = cb.Cert.Raw
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidCertBag)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidCertTypeX509)
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(der)
				})
			})
		})
		addAttributes(b, cb.Attrs)
	})
}

// addAttributes writes the bag attributes as a DER SET OF (sorted).
func addAttributes(b *cryptobyte.Builder, a Attributes) {
	var encoded [][]byte
	add := func(f func(*cryptobyte.Builder)) {
		var ab cryptobyte.Builder
		ab.AddASN1(cbasn1.SEQUENCE, f)
		encoded = append(encoded, ab.BytesOrPanic())
	}
	if a.HasFriendlyName {
		add(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidFriendlyName)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(30), func(b *cryptobyte.Builder) {
					bmp := bmpPassword(a.FriendlyName)
					b.AddBytes(bmp[:len(bmp)-2])
				})
			})
		})
	}
	if a.LocalKeyID != nil {
		add(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidLocalKeyID)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(a.LocalKeyID)
			})
		})
	}
	if a.JavaTrusted {
		add(func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidJavaTrustedKeyUsge)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidAnyExtendedKeyUse)
			})
		})
	}
	if len(encoded) == 0 {
		return
	}
	sort.Slice(encoded, func(i, j int) bool { return bytes.Compare(encoded[i], encoded[j]) < 0 })
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, e := range encoded {
			b.AddBytes(e)
		}
	})
}
