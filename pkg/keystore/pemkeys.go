package keystore

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/keystore/internal/pkcs12"
)

// decryptPEMKeys decrypts the encrypted PEM private keys of cf with
// opts.Password, the input's password, as openssl asks for it:
//   - a PKCS#8 EncryptedPrivateKeyInfo ("ENCRYPTED PRIVATE KEY") as the
//     PKCS#12 container decrypts the shrouded key bags of one file (PBES2
//     or a PKCS#12 PBE scheme, within opts.MaxIterations and one file's
//     derivation budget);
//   - OpenSSL's traditional "Proc-Type: 4,ENCRYPTED" blocks with
//     crypto/x509 (DEK-Info: AES or 3DES, the key derived from the
//     password with MD5: read, never written).
//
// Errors name the PEM block; a wrong password wraps ErrIncorrectPassword.
func decryptPEMKeys(cf *certfile.File, opts DecodeOptions) ([]crypto.PrivateKey, error) {
	var out []crypto.PrivateKey
	var pkcs8 *pkcs12.KeyDecrypter // one per file: its derivations share a budget
	for _, k := range cf.Encrypted {
		where := fmt.Sprintf("PEM block %d (%s)", k.Block, k.PEM.Type)
		if k.PEM.Type != "ENCRYPTED PRIVATE KEY" {
			where = fmt.Sprintf("PEM block %d (%s, encrypted)", k.Block, k.PEM.Type)
		}
		wrong := fmt.Errorf("%w: %s: the password does not decrypt the private key", ErrIncorrectPassword, where)
		label, der, err := "PRIVATE KEY", []byte(nil), error(nil)
		if k.PEM.Type == "ENCRYPTED PRIVATE KEY" {
			if pkcs8 == nil {
				pkcs8 = pkcs12.NewKeyDecrypter(opts.Password.Reveal(), opts.MaxIterations)
			}
			der, err = pkcs8.Decrypt(k.PEM.Bytes)
			switch {
			case errors.Is(err, pkcs12.ErrIncorrectPassword):
				return nil, wrong
			case err != nil:
				return nil, p12Error(fmt.Errorf("%s: %w", where, err))
			}
		} else {
			label = k.PEM.Type
			//lint:ignore SA1019 OpenSSL's traditional encrypted PEM is read as it is, never written
			der, err = x509.DecryptPEMBlock(k.PEM, []byte(opts.Password.Reveal())) //nolint:staticcheck
			switch {
			case errors.Is(err, x509.IncorrectPasswordError):
				return nil, wrong
			case err != nil:
				return nil, wrapKind(ErrUnsupported, fmt.Errorf("%s: %w: DEK-Info %q is not AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC; convert the key with openssl pkcs8 -topk8",
					where, certfile.ErrEncryptedKey, k.PEM.Headers["DEK-Info"]))
			}
		}
		key, err := certfile.ParseKey(label, der)
		if err != nil {
			// What decrypts with a wrong password passes the padding
			// check now and then, and is no key.
			return nil, wrong
		}
		out = append(out, key)
	}
	return out, nil
}

// NeedsPassword reports whether reading data needs a password: a JKS or
// PKCS#12 store, or a PEM file holding an encrypted private key.
func NeedsPassword(data []byte) bool {
	switch Detect(data) {
	case FormatJKS, FormatPKCS12:
		return true
	case FormatPEM:
		cf, err := certfile.Decode(data)
		return err == nil && len(cf.Encrypted) > 0
	}
	return false
}
