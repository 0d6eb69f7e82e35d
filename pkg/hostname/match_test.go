package hostname_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/hostname"
)

var (
	sanFE1      = certSpec{cn: "fe1.uc.example.com", dns: []string{"fe1.uc.example.com", "pool.uc.example.com"}}
	sanWildcard = certSpec{cn: "*.uc.example.com", dns: []string{"*.uc.example.com"}}
	cnOnly      = certSpec{cn: "cnonly.uc.example.com"}
)

// matchCases is the Match table. goDiffers, when set, says why Go's
// Certificate.VerifyHostname deliberately decides otherwise; in every other
// case the test requires Go to agree (served ⇔ VerifyHostname succeeds).
var matchCases = []struct {
	name      string
	cert      certSpec
	host      string
	want      hostname.MatchKind
	goDiffers string
}{
	// Exact DNS SANs.
	{name: "san exact", cert: sanFE1, host: "fe1.uc.example.com", want: hostname.MatchSAN},
	{name: "san second", cert: sanFE1, host: "pool.uc.example.com", want: hostname.MatchSAN},
	{name: "san other host", cert: sanFE1, host: "fe2.uc.example.com", want: hostname.NoMatch},
	{name: "san parent domain", cert: sanFE1, host: "uc.example.com", want: hostname.NoMatch},
	{name: "san subdomain", cert: sanFE1, host: "x.fe1.uc.example.com", want: hostname.NoMatch},
	{name: "san short name", cert: sanFE1, host: "fe1", want: hostname.NoMatch},
	{name: "san empty name", cert: sanFE1, host: "", want: hostname.NoMatch},
	{name: "name uppercase", cert: sanFE1, host: "FE1.UC.Example.COM", want: hostname.MatchSAN},
	{name: "san uppercase", cert: certSpec{dns: []string{"FE1.UC.Example.COM"}}, host: "fe1.uc.example.com", want: hostname.MatchSAN},
	{name: "name trailing dot", cert: sanFE1, host: "fe1.uc.example.com.", want: hostname.MatchSAN},
	{name: "name two trailing dots", cert: sanFE1, host: "fe1.uc.example.com..", want: hostname.NoMatch},
	{name: "name leading dot", cert: sanFE1, host: ".fe1.uc.example.com", want: hostname.NoMatch},
	{name: "san trailing dot", cert: certSpec{dns: []string{"fe1.uc.example.com."}}, host: "fe1.uc.example.com", want: hostname.NoMatch},
	{name: "san and name trailing dot", cert: certSpec{dns: []string{"fe1.uc.example.com."}}, host: "fe1.uc.example.com.", want: hostname.MatchSAN},
	{name: "san and uppercase name trailing dot", cert: certSpec{dns: []string{"fe1.uc.example.com."}}, host: "FE1.UC.example.com.", want: hostname.MatchSAN},
	{name: "wildcard san trailing dot", cert: certSpec{dns: []string{"*.uc.example.com."}}, host: "fe9.uc.example.com.", want: hostname.NoMatch},
	{name: "san trailing dot other name", cert: certSpec{dns: []string{"fe1.uc.example.com."}}, host: "fe2.uc.example.com.", want: hostname.NoMatch},
	{name: "san with underscore", cert: certSpec{dns: []string{"ucc_01.uc.example.com"}}, host: "ucc_01.uc.example.com", want: hostname.MatchSAN},

	// SAN present: the CN is ignored.
	{name: "cn ignored when san", cert: certSpec{cn: "fe2.uc.example.com", dns: []string{"fe1.uc.example.com"}}, host: "fe2.uc.example.com", want: hostname.NoMatch},
	{name: "san used when cn differs", cert: certSpec{cn: "fe2.uc.example.com", dns: []string{"fe1.uc.example.com"}}, host: "fe1.uc.example.com", want: hostname.MatchSAN},

	// Wildcards.
	{name: "wildcard one label", cert: sanWildcard, host: "fe9.uc.example.com", want: hostname.MatchWildcard},
	{name: "wildcard uppercase trailing dot", cert: sanWildcard, host: "FE9.UC.EXAMPLE.COM.", want: hostname.MatchWildcard},
	{name: "wildcard not the bare domain", cert: sanWildcard, host: "uc.example.com", want: hostname.NoMatch},
	{name: "wildcard not two labels", cert: sanWildcard, host: "a.b.uc.example.com", want: hostname.NoMatch},
	{name: "wildcard not other domain", cert: sanWildcard, host: "fe9.ucx.example.com", want: hostname.NoMatch},
	{name: "wildcard empty label", cert: sanWildcard, host: ".uc.example.com", want: hostname.NoMatch},
	{name: "wildcard literal name", cert: sanWildcard, host: "*.uc.example.com", want: hostname.MatchSAN},
	{name: "wildcard three labels", cert: certSpec{dns: []string{"*.example.com"}}, host: "fe1.example.com", want: hostname.MatchWildcard},
	{name: "exact preferred to wildcard", cert: certSpec{dns: []string{"*.uc.example.com", "fe1.uc.example.com"}}, host: "fe1.uc.example.com", want: hostname.MatchSAN},
	{name: "wildcard and exact other", cert: certSpec{dns: []string{"fe1.uc.example.com", "*.uc.example.com"}}, host: "fe2.uc.example.com", want: hostname.MatchWildcard},
	{name: "wildcard two labels", cert: certSpec{dns: []string{"*.example"}}, host: "uc.example", want: hostname.NoMatch,
		goDiffers: "Go accepts wildcards over any number of labels; we refuse public-suffix-like positions"},
	{name: "wildcard tld", cert: certSpec{dns: []string{"*.com"}}, host: "example.com", want: hostname.NoMatch,
		goDiffers: "Go accepts wildcards over any number of labels; we refuse public-suffix-like positions"},
	{name: "bare wildcard", cert: certSpec{dns: []string{"*"}}, host: "localhost", want: hostname.NoMatch},
	{name: "partial wildcard suffix", cert: certSpec{dns: []string{"fe*.uc.example.com"}}, host: "fe1.uc.example.com", want: hostname.NoMatch},
	{name: "partial wildcard prefix", cert: certSpec{dns: []string{"*1.uc.example.com"}}, host: "fe1.uc.example.com", want: hostname.NoMatch},
	{name: "partial wildcard middle", cert: certSpec{dns: []string{"f*1.uc.example.com"}}, host: "fe1.uc.example.com", want: hostname.NoMatch},
	{name: "wildcard not left-most", cert: certSpec{dns: []string{"fe1.*.example.com"}}, host: "fe1.uc.example.com", want: hostname.NoMatch},
	{name: "double wildcard", cert: certSpec{dns: []string{"*.*.example.com"}}, host: "a.b.example.com", want: hostname.NoMatch},
	{name: "wildcard vs IP", cert: certSpec{dns: []string{"*.0.2.10"}}, host: "192.0.2.10", want: hostname.NoMatch},

	// IP addresses.
	{name: "ip san v4", cert: certSpec{dns: []string{"fe1.uc.example.com"}, ips: []string{"192.0.2.10"}}, host: "192.0.2.10", want: hostname.MatchSAN},
	{name: "ip san v6 brackets", cert: certSpec{ips: []string{"2001:db8::1"}}, host: "[2001:DB8::1]", want: hostname.MatchSAN},
	{name: "ip with trailing dot is a name", cert: certSpec{ips: []string{"192.0.2.10"}}, host: "192.0.2.10.", want: hostname.NoMatch},
	{name: "ip san other", cert: certSpec{ips: []string{"192.0.2.10"}}, host: "192.0.2.11", want: hostname.NoMatch},
	{name: "ip in dns san", cert: certSpec{dns: []string{"192.0.2.10"}}, host: "192.0.2.10", want: hostname.NoMatch},
	{name: "ip in cn", cert: certSpec{cn: "192.0.2.10"}, host: "192.0.2.10", want: hostname.NoMatch},
	{name: "ip san does not serve names", cert: certSpec{ips: []string{"192.0.2.10"}, dns: []string{"fe1.uc.example.com"}}, host: "fe2.uc.example.com", want: hostname.NoMatch},

	// CN fallback: only without DNS SANs. Go refuses the CN altogether.
	{name: "cn only", cert: cnOnly, host: "cnonly.uc.example.com", want: hostname.MatchCN, goDiffers: "Go ignores the CN"},
	{name: "cn only uppercase name", cert: cnOnly, host: "CNONLY.uc.example.com.", want: hostname.MatchCN, goDiffers: "Go ignores the CN"},
	{name: "cn only uppercase cn", cert: certSpec{cn: "CNOnly.UC.Example.com"}, host: "cnonly.uc.example.com", want: hostname.MatchCN, goDiffers: "Go ignores the CN"},
	{name: "cn only other name", cert: cnOnly, host: "fe1.uc.example.com", want: hostname.NoMatch},
	{name: "cn with only ip sans", cert: certSpec{cn: "cnonly.uc.example.com", ips: []string{"192.0.2.10"}}, host: "cnonly.uc.example.com", want: hostname.MatchCN, goDiffers: "Go ignores the CN"},
	{name: "cn wildcard", cert: certSpec{cn: "*.uc.example.com"}, host: "fe9.uc.example.com", want: hostname.MatchCN, goDiffers: "Go ignores the CN"},
	{name: "cn wildcard two labels", cert: certSpec{cn: "*.uc.example.com"}, host: "a.b.uc.example.com", want: hostname.NoMatch},
	{name: "cn not a host name", cert: certSpec{cn: "UC Connector"}, host: "uc connector", want: hostname.NoMatch},
	{name: "no names at all", cert: certSpec{}, host: "fe1.uc.example.com", want: hostname.NoMatch},

	// Internationalised names compare in punycode (as Java's IDN.toASCII does).
	{name: "idn name vs punycode san", cert: certSpec{dns: []string{"xn--bcher-kva.uc.example.com"}}, host: "bücher.uc.example.com", want: hostname.MatchSAN,
		goDiffers: "Go does not convert names to punycode"},
	{name: "idn uppercase name", cert: certSpec{dns: []string{"xn--bcher-kva.uc.example.com"}}, host: "BÜCHER.uc.example.com", want: hostname.MatchSAN,
		goDiffers: "Go does not convert names to punycode"},
	{name: "punycode name", cert: certSpec{dns: []string{"xn--bcher-kva.uc.example.com"}}, host: "XN--BCHER-KVA.uc.example.com", want: hostname.MatchSAN},
	{name: "idn name vs wildcard", cert: sanWildcard, host: "bücher.uc.example.com", want: hostname.MatchWildcard,
		goDiffers: "Go does not convert names to punycode"},
	{name: "idn cn", cert: certSpec{cn: "bücher.uc.example.com"}, host: "xn--bcher-kva.uc.example.com", want: hostname.MatchCN, goDiffers: "Go ignores the CN"},
	{name: "invalid idn name", cert: sanFE1, host: "fe1\ufffd.uc.example.com", want: hostname.NoMatch},
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases {
		t.Run(tc.name, func(t *testing.T) {
			cert := newCert(t, tc.cert)
			got := hostname.Match(cert, tc.host)
			if got != tc.want {
				t.Fatalf("Match(%+v, %q) = %v, want %v", tc.cert, tc.host, got, tc.want)
			}
			served := got != hostname.NoMatch
			goErr := cert.VerifyHostname(tc.host)
			goServed := goErr == nil
			if tc.goDiffers == "" && served != goServed {
				t.Errorf("Match says served=%v, Go's VerifyHostname(%q) says %v (err %v)", served, tc.host, goServed, goErr)
			}
			if tc.goDiffers != "" && served == goServed {
				t.Errorf("case documents a difference from Go (%s), but both say served=%v", tc.goDiffers, served)
			}
		})
	}
}

func TestMatchNil(t *testing.T) {
	if got := hostname.Match(nil, "fe1.uc.example.com"); got != hostname.NoMatch {
		t.Errorf("Match(nil) = %v", got)
	}
	if got := hostname.Names(nil); got != nil {
		t.Errorf("Names(nil) = %q", got)
	}
}

func TestMatchKindString(t *testing.T) {
	for k, want := range map[hostname.MatchKind]string{
		hostname.NoMatch:       "none",
		hostname.MatchSAN:      "san",
		hostname.MatchWildcard: "wildcard",
		hostname.MatchCN:       "cn",
		hostname.MatchKind(42): "MatchKind(42)",
	} {
		if got := k.String(); got != want {
			t.Errorf("MatchKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		cert certSpec
		want []string
	}{
		{"sans", sanFE1, []string{"fe1.uc.example.com", "pool.uc.example.com"}},
		{"sans lower-cased and deduplicated", certSpec{cn: "x.example.com", dns: []string{"FE1.uc.example.com", "fe1.UC.example.com", "*.UC.example.com"}},
			[]string{"fe1.uc.example.com", "*.uc.example.com"}},
		{"ip sans not listed", certSpec{dns: []string{"fe1.uc.example.com"}, ips: []string{"192.0.2.1"}}, []string{"fe1.uc.example.com"}},
		{"cn only", certSpec{cn: "CNOnly.uc.example.com"}, []string{"cnonly.uc.example.com"}},
		{"cn with only ip sans", certSpec{cn: "cnonly.uc.example.com", ips: []string{"192.0.2.1"}}, []string{"cnonly.uc.example.com"}},
		{"cn wildcard", certSpec{cn: "*.uc.example.com"}, []string{"*.uc.example.com"}},
		{"cn idn", certSpec{cn: "bücher.uc.example.com"}, []string{"xn--bcher-kva.uc.example.com"}},
		{"cn not a host name", certSpec{cn: "UC Connector"}, nil},
		{"cn single label", certSpec{cn: "ucc01"}, nil},
		{"nothing", certSpec{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := hostname.Names(newCert(t, tc.cert))
			if !slices.Equal(got, tc.want) {
				t.Errorf("Names = %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzMatch: Match never panics, and its kinds are consistent with the
// certificate's content.
func FuzzMatch(f *testing.F) {
	f.Add("fe1.uc.example.com", "*.uc.example.com", "cnonly.uc.example.com", true)
	f.Add("FE9.uc.example.com.", "fe*.uc.example.com", "", false)
	f.Add("bücher.uc.example.com", "xn--bcher-kva.uc.example.com", "*.com", true)
	f.Add("[2001:db8::1]", "192.0.2.1", "", false)
	cert := newCert(f, certSpec{})
	f.Fuzz(func(t *testing.T, name, san, cn string, withSAN bool) {
		c := *cert
		c.Subject.CommonName = cn
		c.DNSNames = nil
		if withSAN {
			c.DNSNames = []string{san}
		}
		k := hostname.Match(&c, name)
		switch {
		case k == hostname.MatchCN && withSAN:
			t.Fatalf("MatchCN with a DNS SAN (%q, %q, %q)", name, san, cn)
		case (k == hostname.MatchSAN || k == hostname.MatchWildcard) && !withSAN:
			t.Fatalf("%v without a DNS SAN (%q, %q)", k, name, cn)
		case k == hostname.MatchWildcard && !strings.HasPrefix(san, "*."):
			t.Fatalf("MatchWildcard for SAN %q (%q)", san, name)
		}
		// Names leaves out single-label CNs, which no FQDN matches.
		if k != hostname.NoMatch && hostname.IsFQDN(name) && len(hostname.Names(&c)) == 0 {
			t.Fatalf("%q served (%v) by a certificate without names (%q, %q)", name, k, san, cn)
		}
		// The index agrees with Match.
		if got := indexKind(&c, name); got != k {
			t.Fatalf("Index says %v, Match %v (%q, san %q, cn %q)", got, k, name, san, cn)
		}
	})
}

// indexKind is what a one-certificate Index says of name.
func indexKind(c *x509.Certificate, name string) hostname.MatchKind {
	hits := hostname.NewIndex([]*x509.Certificate{c}).Lookup(name)
	if len(hits) == 0 {
		return hostname.NoMatch
	}
	return hits[0].Kind
}

// The index gives Match's answer for every case of the Match table, and
// finds each certificate of a large set by its names.
func TestIndexAgreesWithMatch(t *testing.T) {
	var certs []*x509.Certificate
	for _, tc := range matchCases {
		c := newCert(t, tc.cert)
		certs = append(certs, c)
		if got := indexKind(c, tc.host); got != tc.want {
			t.Errorf("%s: Index says %v, want %v", tc.name, got, tc.want)
		}
	}
	ix := hostname.NewIndex(append(certs, nil))
	for _, tc := range matchCases {
		var want []hostname.Hit
		for i, c := range certs {
			if k := hostname.Match(c, tc.host); k != hostname.NoMatch {
				want = append(want, hostname.Hit{Pos: i, Kind: k})
			}
		}
		if got := ix.Lookup(tc.host); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Lookup(%q) = %v, want %v", tc.host, got, want)
		}
	}
	if (*hostname.Index)(nil).Lookup("fe1.uc.example.com") != nil {
		t.Error("a nil index serves a name")
	}
}

// TestMatchFixtures checks the committed fixtures (fixtures/README.md).
func TestMatchFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "pki")
	load := func(t *testing.T, file string) *x509.Certificate {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, file))
		if os.IsNotExist(err) {
			t.Skipf("fixture %s not present", file)
		}
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(data)
		if block == nil || block.Type != "CERTIFICATE" {
			t.Fatalf("%s: no PEM certificate", file)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return cert
	}
	tests := []struct {
		file string
		host string
		want hostname.MatchKind
	}{
		{"fe1.pem", "fe1.uc.example.com", hostname.MatchSAN},
		{"fe1.pem", "pool.uc.example.com", hostname.MatchSAN},
		{"fe1.pem", "fe2.uc.example.com", hostname.NoMatch},
		{"wildcard.pem", "fe9.uc.example.com", hostname.MatchWildcard},
		{"wildcard.pem", "uc.example.com", hostname.NoMatch},
		{"wildcard.pem", "a.b.uc.example.com", hostname.NoMatch},
		{"cnonly.pem", "cnonly.uc.example.com", hostname.MatchCN},
		{"cnonly.pem", "fe1.uc.example.com", hostname.NoMatch},
		{"wronghost.pem", "fe1.uc.example.com", hostname.NoMatch},
		{"wronghost.pem", "other.example.net", hostname.MatchSAN},
		{"ucc-dot.pem", "ucc.uc.example.com.", hostname.MatchSAN},
		{"ucc-dot.pem", "UCC.uc.example.com.", hostname.MatchSAN},
		{"ucc-dot.pem", "ucc.uc.example.com", hostname.NoMatch}, // as Go's VerifyHostname
	}
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".pem")+"/"+tc.host, func(t *testing.T) {
			cert := load(t, tc.file)
			if got := hostname.Match(cert, tc.host); got != tc.want {
				t.Errorf("Match(%s, %q) = %v, want %v (names %q)", tc.file, tc.host, got, tc.want, hostname.Names(cert))
			}
		})
	}
}

func TestNearest(t *testing.T) {
	names := []string{"*.uc.example.com", "fe1.uc.example.com", "ucc01.uc.example.com", "UCC.lab.example.com", "sip.uc.example.net"}
	cases := []struct {
		name, want string
	}{
		{"ucc.uc.example.com", "ucc01.uc.example.com"},     // distance 2
		{"fe1.uc.example.com.", "fe1.uc.example.com"},      // the dot alone: distance 1
		{"fe2.uc.example.com", "fe1.uc.example.com"},       // distance 1
		{"ucc.uc.example.com.", "UCC.lab.example.com"},     // distance 3; the same host in another domain
		{"ucc.corp.example.com", "UCC.lab.example.com"},    // one label different, as written in the certificate
		{"sip.uc.example.org", "sip.uc.example.net"},       // one label different (the last)
		{"fe1.lab.example.com.", "fe1.uc.example.com"},     // the same host, one other label different
		{"mail.uc.example.com", ""},                        // another host of the domain is no near miss
		{"FE1.UC.EXAMPLE.COM", ""},                         // equal: nothing to suggest
		{"mail.other.org", ""},                             // nothing near
		{"ucc", ""},                                        // one label: no label rule
		{"fe1.uc.example.com\x00", "fe1.uc.example.com"},   // distance 1 even with junk
		{"x.y.uc.example.com", ""},                         // wildcards are never suggested
		{"b\u00fccher.uc.example.com", ""},                 // punycode form is far from every name
		{strings.Repeat("a", 300) + ".uc.example.com", ""}, // long input: cheap, nothing near
	}
	for _, c := range cases {
		got, ok := hostname.Nearest(c.name, names)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("Nearest(%q) = %q, %v; want %q", c.name, got, ok, c.want)
		}
	}
	if got, ok := hostname.Nearest("ucc.uc.example.com", []string{"ucc.uc.example.com."}); !ok || got != "ucc.uc.example.com." {
		t.Errorf("trailing-dot certificate name: %q %v", got, ok)
	}
}
