package archtest

import (
	"context"
	"crypto/x509"
	"errors"
	"runtime/debug"
	"testing"

	"github.com/uccert/uccert/pkg/chain"
	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/tlsconf"
	"github.com/uccert/uccert/pkg/verify"
)

// Exported functions given nil or half-filled values return errors or
// empty results; none panics.
func TestNilAndHalfFilledInputs(t *testing.T) {
	// Entries without certificates, or without keys, as a caller might
	// build them by hand.
	hollow := &keystore.Store{Format: keystore.FormatJKS, Entries: []*keystore.Entry{
		{Alias: "k", Kind: keystore.KindKey},
		{Alias: "t", Kind: keystore.KindTrusted},
		{Alias: "c", Kind: keystore.KindCert, Chain: []*x509.Certificate{nil}},
		nil,
	}}
	withNil := &keystore.Store{Format: keystore.FormatJKS, Entries: []*keystore.Entry{nil}}
	cases := map[string]func() error{
		"connector.Load(nil)": func() error {
			_, err := connector.Load(nil, connector.LoadOptions{})
			return err
		},
		"connector.Load(empty)": func() error {
			_, err := connector.Load(&connector.Args{}, connector.LoadOptions{})
			return err
		},
		"connector.Check(nil)": func() error {
			_, r := connector.Check(nil, connector.CheckOptions{})
			return failed(r)
		},
		"connector.Resolve(nil)": func() error {
			_, _, err := connector.Resolve(nil, connector.CheckOptions{})
			return err
		},
		"verify.Run(nil)": func() error {
			return failed(verify.Run(context.Background(), nil, verify.Options{Connect: []verify.Target{{Host: "x", Port: "1"}}}))
		},
		"tlsconf.New(hollow)": func() error {
			_, err := tlsconf.New(hollow, hollow, tlsconf.Options{})
			return err
		},
		"tlsconf.Pool(hollow)": func() error {
			_, err := tlsconf.Pool(hollow)
			return err
		},
		"tlsconf.New(nil, hollow)": func() error {
			_, err := tlsconf.New(nil, hollow, tlsconf.Options{})
			return err
		},
		"tlsconf.Certificates(nil)": func() error {
			_, err := tlsconf.Certificates(nil, nil)
			return err
		},
		"keystore.Encode(nil)": func() error {
			_, err := keystore.Encode(nil, keystore.EncodeOptions{Format: keystore.FormatJKS})
			return err
		},
		"keystore.Encode(hollow)": func() error {
			_, err := keystore.Encode(hollow, keystore.EncodeOptions{Format: keystore.FormatPKCS12})
			return err
		},
		"keystore.Encode(nil entry)": func() error {
			_, err := keystore.Encode(withNil, keystore.EncodeOptions{Format: keystore.FormatJKS})
			return err
		},
		"keystore.Decode(nil)": func() error {
			_, err := keystore.Decode(nil, keystore.DecodeOptions{})
			return err
		},
		"merge.Merge(nil store)": func() error {
			_, err := merge.Merge([]merge.Input{{Name: "x"}}, merge.Options{})
			return err
		},
		"merge.Merge(hollow)": func() error {
			_, err := merge.Merge([]merge.Input{{Name: "x", Store: hollow}}, merge.Options{})
			return err
		},
		"merge.TrustStore(hollow)": func() error {
			_, err := merge.TrustStore([]merge.Input{{Name: "x", Store: hollow}, {Name: "y"}}, merge.TrustOptions{})
			return err
		},
		"preflight checks on hollow stores": func() error {
			fs := preflight.CheckKeyStore("h", hollow, hollow, preflight.Options{Host: "a.example.com", FEs: []string{"b.example.com"}})
			fs = append(fs, preflight.CheckTrustStore("h", hollow, preflight.Options{})...)
			fs = append(fs, preflight.CheckKeyStore("n", nil, nil, preflight.Options{})...)
			r := &finding.Report{Findings: fs}
			return failed(r)
		},
		"preflight.Run(zero)": func() error {
			preflight.Run(preflight.Options{})
			return errors.New("ran")
		},
		"chain.Build(nil)": func() error {
			if r := chain.Build(nil, chain.Options{}); r.Problem != nil {
				return r.Problem
			}
			return nil
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panic: %v\n%s", p, debug.Stack())
				}
			}()
			if err := f(); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// failed turns a report's errors into an error (nil when none).
func failed(r *finding.Report) error {
	if errs := r.Errors(); len(errs) > 0 {
		return &finding.Failed{Findings: errs}
	}
	return nil
}
