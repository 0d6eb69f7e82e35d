package hostname

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
)

// Lookuper is the part of a DNS resolver LocalFQDN uses. *net.Resolver
// satisfies it; tests pass a fake.
type Lookuper interface {
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

var _ Lookuper = (*net.Resolver)(nil)

// LocalFQDN returns this machine's FQDN, lower-cased and without a
// trailing dot, as Windows and Java administrators mean it (the name its
// certificate is requested for).
//
// It takes the host name from hostname (os.Hostname when nil). A name
// with a dot is the FQDN already. A short name such as "ucc01" is
// resolved with lookup (net.DefaultResolver when nil): first its CNAME
// (the canonical name, found through the DNS search list), then the
// reverse names of each of its addresses; the first answer of the form
// "ucc01.<domain>" wins. When none is found the error wraps ErrNotFQDN,
// names the short name and suggests --host; it also wraps the lookup
// errors, and ctx.Err() when ctx ended, which bounds all lookups.
func LocalFQDN(ctx context.Context, hostname func() (string, error), lookup Lookuper) (string, error) {
	if hostname == nil {
		hostname = os.Hostname
	}
	if lookup == nil {
		lookup = net.DefaultResolver
	}
	h, err := hostname()
	if err != nil {
		return "", fmt.Errorf("reading this machine's host name: %w", err)
	}
	h = strings.TrimSuffix(lowerASCII(strings.TrimSpace(h)), ".")
	if h == "" {
		return "", fmt.Errorf("this machine's host name: %w", ErrEmpty)
	}
	if strings.Contains(h, ".") {
		fqdn, err := Normalize(h)
		if err != nil {
			return "", fmt.Errorf("this machine's host name: %w", err)
		}
		return fqdn, nil
	}

	var errs []error
	pick := func(answer string) (string, bool) {
		a := strings.TrimSuffix(lowerASCII(answer), ".")
		if !strings.HasPrefix(a, h+".") {
			return "", false
		}
		fqdn, err := Normalize(a)
		return fqdn, err == nil
	}

	if cname, err := lookup.LookupCNAME(ctx, h); err != nil {
		errs = append(errs, err)
	} else if fqdn, ok := pick(cname); ok {
		return fqdn, nil
	}
	if ctx.Err() == nil {
		addrs, err := lookup.LookupHost(ctx, h)
		if err != nil {
			errs = append(errs, err)
		}
		for _, addr := range addrs {
			if ctx.Err() != nil {
				break
			}
			names, err := lookup.LookupAddr(ctx, addr)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, n := range names {
				if fqdn, ok := pick(n); ok {
					return fqdn, nil
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}

	msg := fmt.Errorf("this machine's host name %q: %w, and DNS (CNAME, reverse lookup) gave no %s.<domain> name for it", h, ErrNotFQDN, h)
	if len(errs) == 0 {
		return "", msg
	}
	return "", fmt.Errorf("%w (%w)", msg, causes(errs))
}

// causes is a list of lookup errors shown on one line; errors.Is and
// errors.As see each of them.
type causes []error

func (c causes) Error() string {
	var b strings.Builder
	seen := make(map[string]bool)
	for _, err := range c {
		s := err.Error()
		if seen[s] {
			continue
		}
		seen[s] = true
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s)
	}
	return b.String()
}

func (c causes) Unwrap() []error { return c }
