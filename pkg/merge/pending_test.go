package merge

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/testpki"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/request"
	"github.com/uccert/uccert/pkg/secret"
)

var pendingNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// pendingInput is a pending key file as uccert request writes it and
// uccert merge reads it (encoded, decoded with its password).
func pendingInput(t *testing.T, name string, r *request.Request) Input {
	t.Helper()
	pw := secret.NewPassword("pending-pass")
	data, err := keystore.Encode(r.PendingStore(), keystore.EncodeOptions{Format: keystore.FormatPKCS12, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystore.Decode(data, keystore.DecodeOptions{Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: name, Store: s}
}

func newRequest(t *testing.T, host string) *request.Request {
	t.Helper()
	r, err := request.Generate(request.Options{Host: host, KeyType: request.ECP256, Now: pendingNow})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// issueFor has the fixtures' issuing CA sign r's request, copying the
// extensions it asks for, valid from pendingNow for days.
func issueFor(t *testing.T, r *request.Request, days int) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(r.CSR)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	return testpki.FixtureCA(t, "issuing").SignCSR(t, csr, serial.Int64(), pendingNow, pendingNow.AddDate(0, 0, days))
}

// certInput is a certificate file holding certs, as keystore.Decode
// reads it (DER for one certificate, PEM for several).
func certInput(t *testing.T, name string, certs ...*x509.Certificate) Input {
	t.Helper()
	data := certs[0].Raw
	if len(certs) > 1 {
		var b bytes.Buffer
		for _, c := range certs {
			pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		data = b.Bytes()
	}
	s, err := keystore.Decode(data, keystore.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: name, Store: s}
}

func chainSubjects(e *keystore.Entry) []string {
	var out []string
	for _, c := range e.Chain {
		out = append(out, certfile.SubjectDN(c))
	}
	return out
}

// noPlaceholder fails when any entry of s is pending or holds a
// placeholder certificate.
func noPlaceholder(t *testing.T, s *keystore.Store, placeholders ...*x509.Certificate) {
	t.Helper()
	for _, e := range s.Entries {
		if request.IsPending(e) {
			t.Errorf("entry %q is pending", e.Alias)
		}
		for _, c := range e.Chain {
			for _, p := range placeholders {
				if bytes.Equal(c.Raw, p.Raw) {
					t.Errorf("entry %q holds a placeholder", e.Alias)
				}
			}
		}
	}
}

var fullChain = []string{"CN=ucc.uc.example.com", "CN=UC Test Issuing CA,O=UC Example", "CN=UC Test Root CA,O=UC Example"}

func TestMergePairsPendingKey(t *testing.T) {
	r := newRequest(t, "ucc.uc.example.com")
	issued := issueFor(t, r, 365)
	chainP7B := in(t, "pki/chain.p7b", "")
	issuing, root := chainP7B.Store.Entries[0].Leaf(), chainP7B.Store.Entries[1].Leaf()
	if certfile.SubjectDN(issuing) != fullChain[1] {
		issuing, root = root, issuing
	}
	cases := []struct {
		name   string
		inputs func() []Input
		opts   Options
		want   []string // aliases
		chain  []string // of the paired entry
		notes  []string
	}{
		{"reply (DER) and the CA chain (PKCS#7)", func() []Input {
			return []Input{pendingInput(t, "pending.p12", r), certInput(t, "ucc.cer", issued), chainP7B}
		}, Options{}, []string{"key:ucc.uc.example.com"}, fullChain,
			[]string{`pending.p12: the placeholder of "pending: ucc.uc.example.com" is replaced by the certificate the CA issued (ucc.cer: CN=ucc.uc.example.com, issued by CN=UC Test Issuing CA,O=UC Example, valid until 2027-11-24; chain of 3)`}},
		{"reply with its chain (PEM), inputs in another order", func() []Input {
			return []Input{certInput(t, "ucc-full.pem", issued, issuing, root), pendingInput(t, "pending.p12", r)}
		}, Options{}, []string{"key:ucc.uc.example.com"}, fullChain, nil},
		{"reply alone: the chain stops at the leaf", func() []Input {
			return []Input{pendingInput(t, "pending.p12", r), certInput(t, "ucc.cer", issued)}
		}, Options{}, []string{"key:ucc.uc.example.com"}, fullChain[:1], nil},
		{"beside a Front End export, with an explicit alias", func() []Input {
			return []Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), pendingInput(t, "pending.p12", r), certInput(t, "ucc.cer", issued), chainP7B}
		}, Options{Aliases: []string{"fe1", "ucc"}}, []string{"key:fe1", "key:ucc"}, fullChain, nil},
		{"an unrelated CA file is noted", func() []Input {
			return []Input{pendingInput(t, "pending.p12", r), certInput(t, "ucc.cer", issued), chainP7B, in(t, "pki/other-root.cer", "")}
		}, Options{}, []string{"key:ucc.uc.example.com"}, fullChain,
			[]string{`pki/other-root.cer: ignored certificate "CN=Other Test Root CA`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inputs := c.inputs()
			c.opts.Format = keystore.FormatJKS
			c.opts.Now = pendingNow
			res, err := Merge(inputs, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := aliases(res); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("aliases %v, want %v", got, c.want)
			}
			e := res.Entries[len(res.Entries)-1].Entry
			if got := chainSubjects(e); !reflect.DeepEqual(got, c.chain) {
				t.Errorf("chain %v, want %v", got, c.chain)
			}
			if !bytes.Equal(e.Chain[0].Raw, issued.Raw) || !keystore.KeyMatchesCert(e.Key, r.Placeholder) || e.Usable() != nil {
				t.Errorf("the paired entry does not hold the issued certificate and the pending key")
			}
			if src := res.Entries[len(res.Entries)-1].Source; src != "pending.p12" {
				t.Errorf("source %q", src)
			}
			for _, n := range c.notes {
				if !hasNote(res, n) {
					t.Errorf("no note %q in %q", n, res.Notes)
				}
			}
			noPlaceholder(t, res.Store, r.Placeholder)
			// What Merge built is what a store can hold.
			if _, err := keystore.Encode(res.Store, keystore.EncodeOptions{Format: keystore.FormatJKS, Password: secret.NewPassword("changeit1")}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMergeRefusesUnpaired(t *testing.T) {
	r := newRequest(t, "ucc.uc.example.com")
	other := newRequest(t, "ucc.uc.example.com")
	issuedOther := issueFor(t, other, 365)
	cases := []struct {
		name                  string
		inputs                func() []Input
		base                  func() *keystore.Store
		replyMissing, keyMiss bool
		message               string
	}{
		{"pending key without its reply", func() []Input {
			return []Input{pendingInput(t, "pending.p12", r), in(t, "pki/chain.p7b", "")}
		}, nil, true, false,
			"the CA's reply for pending.p12 (CN=ucc.uc.example.com) is missing: add the certificate the CA issued for this request"},
		{"pending key without its reply, beside a Front End", func() []Input {
			return []Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), pendingInput(t, "pending.p12", r)}
		}, nil, true, false, "the CA's reply for pending.p12 (CN=ucc.uc.example.com) is missing"},
		{"reply without its pending key", func() []Input {
			return []Input{certInput(t, "ucc.cer", issuedOther), in(t, "pki/chain.p7b", "")}
		}, nil, false, true,
			"ucc.cer: the private key of CN=ucc.uc.example.com is in none of the inputs: add the pending key file of the request it answers (written by uccert request)"},
		{"reply without its key, beside a Front End", func() []Input {
			return []Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), certInput(t, "ucc.cer", issuedOther)}
		}, nil, false, true, "ucc.cer: the private key of CN=ucc.uc.example.com is in none of the inputs"},
		{"a reply for another key", func() []Input {
			return []Input{pendingInput(t, "pending.p12", r), certInput(t, "ucc.cer", issuedOther)}
		}, nil, true, true,
			"ucc.cer: CN=ucc.uc.example.com was issued for another key than the one pending in pending.p12 (CN=ucc.uc.example.com): add the pending key file of the request ucc.cer answers, or the certificate the CA issued for pending.p12"},
		{"appending to a store that holds a pending key, without its reply", func() []Input {
			return []Input{in(t, "exports/fe1-openssl.pfx", "fe1-export")}
		}, func() *keystore.Store { return pendingInput(t, "x", r).Store }, true, false,
			"the CA's reply for ucc-keys.p12 (CN=ucc.uc.example.com) is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Format: keystore.FormatPKCS12, BaseName: "ucc-keys.p12"}
			if c.base != nil {
				opts.Base = c.base()
			}
			res, err := Merge(c.inputs(), opts)
			var pe *PairError
			if res != nil || !errors.As(err, &pe) {
				t.Fatalf("%v, %v; want a *PairError", res, err)
			}
			if errors.Is(err, ErrReplyMissing) != c.replyMissing || errors.Is(err, ErrKeyMissing) != c.keyMiss {
				t.Errorf("%v: ErrReplyMissing %v, ErrKeyMissing %v", err, errors.Is(err, ErrReplyMissing), errors.Is(err, ErrKeyMissing))
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("error %q\nwant  %q", err, c.message)
			}
		})
	}
}

// The pending key may be the store appended to (keytool's -importcert of
// a reply, done by merge --append): its placeholder is replaced, and the
// entry named by the rule; other entries stay.
func TestMergePairsPendingKeyInBase(t *testing.T) {
	r := newRequest(t, "ucc.uc.example.com")
	issued := issueFor(t, r, 365)
	base := pendingInput(t, "pending.p12", r).Store
	base.Entries = append(base.Entries, in(t, "exports/fe1-openssl.pfx", "fe1-export").Store.Entries[0])
	base.Entries[1].Alias = "fe1.uc.example.com"
	res, err := Merge([]Input{certInput(t, "ucc.cer", issued), in(t, "pki/chain.p7b", "")},
		Options{Format: keystore.FormatPKCS12, Base: base, BaseName: "pending.p12", Now: pendingNow})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, p := range res.Entries {
		got[p.Entry.Alias] = chainSubjects(p.Entry)
	}
	if len(got) != 2 || !reflect.DeepEqual(got["ucc.uc.example.com"], fullChain) || len(got["fe1.uc.example.com"]) != 3 {
		t.Fatalf("entries %v", got)
	}
	noPlaceholder(t, res.Store, r.Placeholder)
}

// Two certificates for one pending key (the CA issued twice): the later
// one is taken, the other noted.
func TestMergeTwoRepliesForOneKey(t *testing.T) {
	r := newRequest(t, "ucc.uc.example.com")
	short, long := issueFor(t, r, 30), issueFor(t, r, 365)
	res, err := Merge([]Input{pendingInput(t, "pending.p12", r), certInput(t, "short.cer", short), certInput(t, "long.cer", long)},
		Options{Format: keystore.FormatJKS, Now: pendingNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 1 || !bytes.Equal(res.Entries[0].Entry.Leaf().Raw, long.Raw) {
		t.Fatalf("entries %v", aliases(res))
	}
	if !hasNote(res, `ignored certificate "CN=ucc.uc.example.com" from short.cer`) {
		t.Errorf("notes %q", res.Notes)
	}
}

// Without pending keys, certificate files are what they were: not merge
// inputs (the error points at uccert truststore).
func TestMergeCertificateFilesWithoutPendingKeys(t *testing.T) {
	_, err := Merge([]Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), in(t, "pki/chain.p7b", "")}, Options{Format: keystore.FormatJKS})
	if !errors.Is(err, ErrNoKeys) {
		t.Fatalf("%v, want ErrNoKeys", err)
	}
	// A Front End's own certificate beside its export is not a reply
	// without a key: its key is in the inputs.
	_, err = Merge([]Input{in(t, "exports/fe1-openssl.pfx", "fe1-export"), in(t, "pki/fe1.cer", "")}, Options{Format: keystore.FormatJKS})
	if !errors.Is(err, ErrNoKeys) || errors.Is(err, ErrKeyMissing) {
		t.Fatalf("%v, want ErrNoKeys", err)
	}
}

// A self-signed key entry that is not named pending (keytool
// -genkeypair) is an ordinary entry, merged as before.
func TestMergeSelfSignedIsNotPending(t *testing.T) {
	r := newRequest(t, "ucc.uc.example.com")
	s := r.PendingStore()
	s.Entries[0].Alias = "selfsigned"
	res, err := Merge([]Input{{Name: "self.p12", Store: s}}, Options{Format: keystore.FormatJKS})
	if err != nil || len(res.Entries) != 1 || res.Entries[0].Entry.Alias != "ucc.uc.example.com" {
		t.Fatalf("%v %v", res, err)
	}
}

func TestPairErrorText(t *testing.T) {
	e := &PairError{PendingFile: filepath.Join("a", "p.p12"), PendingSubject: "CN=x"}
	if errors.Is(e, ErrKeyMissing) || !errors.Is(e, ErrReplyMissing) || !strings.Contains(e.Error(), "CN=x") {
		t.Errorf("%v", e)
	}
}
