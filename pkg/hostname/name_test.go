package hostname_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/hostname"
)

func TestNormalize(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	long := strings.Repeat(label63+".", 3) + strings.Repeat("b", 61) // 253 characters
	tests := []struct {
		in      string
		want    string
		wantErr error
		hint    string // must appear in the error text
	}{
		{in: "fe1.uc.example.com", want: "fe1.uc.example.com"},
		{in: "FE1.UC.Example.COM", want: "fe1.uc.example.com"},
		{in: "fe1.uc.example.com.", want: "fe1.uc.example.com"},
		{in: "a-b.example.com", want: "a-b.example.com"},
		{in: "1fe.example.com", want: "1fe.example.com"},
		{in: "xn--bcher-kva.example.com", want: "xn--bcher-kva.example.com"},
		{in: "Bücher.example.com", want: "xn--bcher-kva.example.com"},
		{in: label63 + ".example.com", want: label63 + ".example.com"},
		{in: long, want: long},
		{in: long + ".", want: long},

		{in: "", wantErr: hostname.ErrEmpty},
		{in: ".", wantErr: hostname.ErrEmpty},
		{in: "ucc01", wantErr: hostname.ErrNotFQDN, hint: "Request-CsCertificate -ComputerFQDN"},
		{in: "UCC01.", wantErr: hostname.ErrNotFQDN, hint: "ucc01.<DNS domain>"},
		{in: "192.0.2.1", wantErr: hostname.ErrNotFQDN, hint: "IP address"},
		{in: "2001:db8::1", wantErr: hostname.ErrNotFQDN, hint: "IP address"},
		{in: "[2001:db8::1]", wantErr: hostname.ErrNotFQDN, hint: "IP address"},
		{in: "fe1.uc.example.com..", wantErr: hostname.ErrInvalid, hint: "empty label"},
		{in: ".fe1.example.com", wantErr: hostname.ErrInvalid, hint: "empty label"},
		{in: "fe1..example.com", wantErr: hostname.ErrInvalid, hint: "empty label"},
		{in: "-fe1.example.com", wantErr: hostname.ErrInvalid, hint: "'-'"},
		{in: "fe1-.example.com", wantErr: hostname.ErrInvalid, hint: "'-'"},
		{in: "fe_1.example.com", wantErr: hostname.ErrInvalid, hint: `'_'`},
		{in: "*.uc.example.com", wantErr: hostname.ErrInvalid, hint: `'*'`},
		{in: "fe1 .example.com", wantErr: hostname.ErrInvalid},
		{in: " fe1.example.com", wantErr: hostname.ErrInvalid},
		{in: label63 + "a.example.com", wantErr: hostname.ErrInvalid, hint: "64 characters"},
		{in: long + "b", wantErr: hostname.ErrInvalid, hint: "254 characters"},
		{in: "fe1.example.123", wantErr: hostname.ErrInvalid, hint: "all digits"},
		{in: "fe1\ufffd.example.com", wantErr: hostname.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := hostname.Normalize(tc.in)
			if tc.wantErr == nil {
				if err != nil || got != tc.want {
					t.Fatalf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
				}
				if !hostname.IsFQDN(tc.in) {
					t.Errorf("IsFQDN(%q) = false", tc.in)
				}
				if again, err := hostname.Normalize(got); again != got || err != nil {
					t.Errorf("Normalize not idempotent: %q → %q, %v", got, again, err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Normalize(%q) = %q, %v; want error %v", tc.in, got, err, tc.wantErr)
			}
			if got != "" {
				t.Errorf("Normalize(%q) returned %q with an error", tc.in, got)
			}
			if !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("error %q lacks %q", err, tc.hint)
			}
			if hostname.IsFQDN(tc.in) {
				t.Errorf("IsFQDN(%q) = true", tc.in)
			}
		})
	}
}

func TestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"fe1.uc.example.com":  "uc.example.com",
		"FE1.UC.Example.COM.": "uc.example.com",
		"*.uc.example.com":    "uc.example.com",
		"example.com":         "com",
		"ucc01":               "",
		"":                    "",
	} {
		if got := hostname.Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNormalize: every error is a declared one, results are canonical, and
// a certificate for the result serves the input.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"fe1.uc.example.com", "UCC01", "fe1.uc.example.com.", "Bücher.example.com", "192.0.2.1", "a..b", "-a.b", "*.a.b", ""} {
		f.Add(s)
	}
	cert := newCert(f, certSpec{})
	f.Fuzz(func(t *testing.T, in string) {
		got, err := hostname.Normalize(in)
		if err != nil {
			if !errors.Is(err, hostname.ErrEmpty) && !errors.Is(err, hostname.ErrNotFQDN) && !errors.Is(err, hostname.ErrInvalid) {
				t.Fatalf("Normalize(%q): undeclared error %v", in, err)
			}
			return
		}
		if again, err := hostname.Normalize(got); again != got || err != nil {
			t.Fatalf("Normalize(%q) = %q, not canonical: %q, %v", in, got, again, err)
		}
		if hostname.Domain(got) == "" {
			t.Fatalf("Normalize(%q) = %q has no domain", in, got)
		}
		c := *cert
		c.DNSNames = []string{got}
		if k := hostname.Match(&c, in); k != hostname.MatchSAN {
			t.Fatalf("certificate for %q does not serve %q: %v", got, in, k)
		}
	})
}
