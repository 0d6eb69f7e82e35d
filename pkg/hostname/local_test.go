package hostname_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/hostname"
)

// fakeDNS is a Lookuper with canned answers; a missing entry answers
// "no such host". It records the queries it gets.
type fakeDNS struct {
	cname map[string]string
	hosts map[string][]string
	addrs map[string][]string
	calls []string
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f *fakeDNS) LookupCNAME(ctx context.Context, host string) (string, error) {
	f.calls = append(f.calls, "cname "+host)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if c, ok := f.cname[host]; ok {
		return c, nil
	}
	return "", notFound(host)
}

func (f *fakeDNS) LookupHost(ctx context.Context, host string) ([]string, error) {
	f.calls = append(f.calls, "host "+host)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if a, ok := f.hosts[host]; ok {
		return a, nil
	}
	return nil, notFound(host)
}

func (f *fakeDNS) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	f.calls = append(f.calls, "addr "+addr)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n, ok := f.addrs[addr]; ok {
		return n, nil
	}
	return nil, notFound(addr)
}

func fixedName(name string) func() (string, error) {
	return func() (string, error) { return name, nil }
}

func TestLocalFQDN(t *testing.T) {
	errHostname := errors.New("hostname unavailable")
	tests := []struct {
		name      string
		host      func() (string, error)
		dns       fakeDNS
		cancel    bool
		want      string
		wantErr   []error // errors.Is must hold for each
		wantText  []string
		wantCalls []string // when not nil, the exact lookups made
	}{
		{
			name:      "dotted hostname, no lookups",
			host:      fixedName("UCC01.UC.Example.COM."),
			want:      "ucc01.uc.example.com",
			wantCalls: []string{},
		},
		{
			name:      "short name resolved by CNAME",
			host:      fixedName("UCC01"),
			dns:       fakeDNS{cname: map[string]string{"ucc01": "ucc01.uc.example.com."}},
			want:      "ucc01.uc.example.com",
			wantCalls: []string{"cname ucc01"},
		},
		{
			name: "CNAME to another host ignored, reverse lookup used",
			host: fixedName("ucc01"),
			dns: fakeDNS{
				cname: map[string]string{"ucc01": "srv42.example.net."},
				hosts: map[string][]string{"ucc01": {"fe80::1", "192.0.2.5"}},
				addrs: map[string][]string{
					"fe80::1":   {"localhost."},
					"192.0.2.5": {"ucc01-old.uc.example.com.", "UCC01.uc.example.com."},
				},
			},
			want:      "ucc01.uc.example.com",
			wantCalls: []string{"cname ucc01", "host ucc01", "addr fe80::1", "addr 192.0.2.5"},
		},
		{
			name: "short name resolved by reverse lookup after CNAME failure",
			host: fixedName("ucc01"),
			dns: fakeDNS{
				hosts: map[string][]string{"ucc01": {"192.0.2.5"}},
				addrs: map[string][]string{"192.0.2.5": {"ucc01.uc.example.com"}},
			},
			want:      "ucc01.uc.example.com",
			wantCalls: []string{"cname ucc01", "host ucc01", "addr 192.0.2.5"},
		},
		{
			name:      "unresolvable",
			host:      fixedName("ucc01"),
			wantErr:   []error{hostname.ErrNotFQDN},
			wantText:  []string{`"ucc01"`, "no such host"},
			wantCalls: []string{"cname ucc01", "host ucc01"},
		},
		{
			name: "CNAME is the short name itself",
			host: fixedName("ucc01"),
			dns: fakeDNS{
				cname: map[string]string{"ucc01": "ucc01."},
				hosts: map[string][]string{"ucc01": {"192.0.2.5"}},
				addrs: map[string][]string{"192.0.2.5": {"ucc01."}},
			},
			wantErr:  []error{hostname.ErrNotFQDN},
			wantText: []string{`"ucc01"`},
		},
		{
			name:      "context cancelled",
			host:      fixedName("ucc01"),
			dns:       fakeDNS{cname: map[string]string{"ucc01": "ucc01.uc.example.com."}},
			cancel:    true,
			wantErr:   []error{hostname.ErrNotFQDN, context.Canceled},
			wantText:  []string{"context canceled"},
			wantCalls: []string{"cname ucc01"},
		},
		{
			name:     "hostname fails",
			host:     func() (string, error) { return "", errHostname },
			wantErr:  []error{errHostname},
			wantText: []string{"host name"},
		},
		{
			name:    "empty hostname",
			host:    fixedName(" "),
			wantErr: []error{hostname.ErrEmpty},
		},
		{
			name:    "invalid dotted hostname",
			host:    fixedName("ucc_01.uc.example.com"),
			wantErr: []error{hostname.ErrInvalid},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			dns := tc.dns
			got, err := hostname.LocalFQDN(ctx, tc.host, &dns)
			if tc.wantErr == nil {
				if err != nil || got != tc.want {
					t.Fatalf("LocalFQDN = %q, %v; want %q", got, err, tc.want)
				}
			} else {
				if err == nil {
					t.Fatalf("LocalFQDN = %q, want an error", got)
				}
				for _, want := range tc.wantErr {
					if !errors.Is(err, want) {
						t.Errorf("error %q is not %v", err, want)
					}
				}
				for _, s := range tc.wantText {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q spans lines", err)
				}
			}
			if tc.wantCalls != nil && !slices.Equal(dns.calls, tc.wantCalls) {
				t.Errorf("lookups %q, want %q", dns.calls, tc.wantCalls)
			}
		})
	}
}
