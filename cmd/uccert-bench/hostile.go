//go:build !windows

package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// hostileInputs are the inputs of the scenarios that bound the work a
// hostile file can cause (issue 13): a key with 1,200 look-alike CA
// certificates in one PEM file, and 8,000 certificates with one CN.
type hostileInputs struct {
	lookAlike, sameName string
	lookAlikeSize       int64
	sameNameSize        int64
}

// makeHostile writes the inputs: the look-alike CAs are named A and B,
// each issued by the other, with no key identifiers, so that every link by
// name is a candidate only a signature check refutes.
func makeHostile(dir string) (*hostileInputs, error) {
	// RSA 2048 as AD CS issues them: 1,200 such CA certificates are about
	// 1 MB of PEM.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	cert := func(serial int64, subject, issuer string, ca bool, pub any, signer crypto.Signer) ([]byte, error) {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: subject},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
			IsCA: ca, BasicConstraintsValid: ca}
		if ca {
			tmpl.KeyUsage = x509.KeyUsageCertSign
		} else {
			tmpl.DNSNames = []string{subject}
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		}
		return x509.CreateCertificate(rand.Reader, tmpl, &x509.Certificate{Subject: pkix.Name{CommonName: issuer}}, pub, signer)
	}
	in := &hostileInputs{lookAlike: filepath.Join(dir, "look-alike.pem"), sameName: filepath.Join(dir, "same-name.pem")}
	// One key, its leaf issued by "A" under another key, and 1,200
	// look-alike CA certificates.
	f, err := os.Create(in.lookAlike)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	der, err := x509.MarshalPKCS8PrivateKey(other)
	if err != nil {
		return nil, err
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		return nil, err
	}
	if der, err = cert(1, "fe9.uc.example.com", "Look-alike CA A", false, &other.PublicKey, key); err != nil {
		return nil, err
	}
	if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
		return nil, err
	}
	for i := range 1200 {
		a, b := "Look-alike CA A", "Look-alike CA B"
		if i%2 == 1 {
			a, b = b, a
		}
		if der, err = cert(int64(i+2), a, b, true, &key.PublicKey, key); err != nil {
			return nil, err
		}
		if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
			return nil, err
		}
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	// 8,000 CA certificates with one CN, for a trust store: aliases
	// uc-corp-ca, uc-corp-ca-2, ... uc-corp-ca-8000.
	g, err := os.Create(in.sameName)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	for i := range 8000 {
		if der, err = cert(int64(i+1), "UC Corp CA", "UC Corp CA", true, &key.PublicKey, key); err != nil {
			return nil, err
		}
		if err := pem.Encode(g, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
			return nil, err
		}
	}
	if err := g.Close(); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		path string
		size *int64
	}{{in.lookAlike, &in.lookAlikeSize}, {in.sameName, &in.sameNameSize}} {
		fi, err := os.Stat(p.path)
		if err != nil {
			return nil, err
		}
		*p.size = fi.Size()
	}
	return in, nil
}

// scenarioHostile is one bound of issue 13: argv must finish within
// limit; the report adds its peak RSS beside that of `uccert --version`
// and the input size (the bound: growth within 10× the input).
func scenarioHostile(r *runner, id int, title, uccert string, argv []string, dir string, input int64, limit time.Duration) *scenario {
	s := &scenario{
		id:     id,
		title:  title,
		target: fmt.Sprintf("uccert < %v, memory growth ≤ 10× the input", limit),
		cheap:  true,
		a:      processSide(r, "uccert", outDir(dir), argv),
	}
	var growth int64
	s.before = func() error {
		if err := s.a.reset(); err != nil {
			return err
		}
		base, err := peakRSS([]string{uccert, "--version"})
		if err != nil {
			return err
		}
		peak, err := peakRSS(argv)
		if err != nil {
			return err
		}
		growth = peak - base
		s.notes = append(s.notes, fmt.Sprintf("Peak RSS %.1f MB against %.1f MB for `uccert --version`: growth %.1f MB for %.1f MB of input (%.1f×).",
			float64(peak)/1e6, float64(base)/1e6, float64(growth)/1e6, float64(input)/1e6, float64(growth)/float64(input)))
		return nil
	}
	s.judge = func(a stats, _ *stats) (string, bool) {
		return fmt.Sprintf("RSS growth %.1f× the input", float64(growth)/float64(input)), a.median < limit && growth <= 10*input
	}
	return s
}
