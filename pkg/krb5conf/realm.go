package krb5conf

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DefaultRealm returns the value of the first default_realm in
// [libdefaults] (the one MIT krb5 and Java use; gokrb5 uses the last), or
// "" when there is none.
func DefaultRealm(f *File) string {
	if f == nil {
		return ""
	}
	r, _ := f.LibDefault("default_realm")
	return r.Value
}

// RealmForHost returns the realm MIT krb5 and Java map host to, and how
// it was found:
//
//  1. the [domain_realm] entry for the host name itself;
//  2. for each parent domain, longest first, the entry ".domain", then the
//     entry "domain" (so ".uc.example.com" beats ".example.com");
//  3. otherwise MIT krb5's fallback, the upper-cased parent domain of the
//     host (the default realm for a single-label name).
//
// Host names and entries are compared case-insensitively and a trailing
// dot is ignored. gokrb5's own Config.ResolveRealm differs: it ignores
// parent-domain entries without a leading dot and has no fallback. An IP
// address or an empty host yields "".
func RealmForHost(f *File, host string) (realm, how string) {
	realm, how, _ = resolveHost(f, host)
	return realm, how
}

// resolveHost is RealmForHost plus the line of the [domain_realm] entry
// used (0 for the fallback).
func resolveHost(f *File, host string) (realm, how string, line int) {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if f == nil || host == "" {
		return "", "", 0
	}
	if net.ParseIP(host) != nil {
		return "", "an IP address maps to no realm", 0
	}
	lookup := func(key string) (Mapping, bool) {
		for _, m := range f.DomainRealm {
			if strings.ToLower(m.Domain) == key {
				return m, true
			}
		}
		return Mapping{}, false
	}
	by := func(m Mapping) (string, string, int) {
		return m.Realm, fmt.Sprintf("by the [domain_realm] entry %s on line %d", m.Domain, m.Line), m.Line
	}
	if m, ok := lookup(host); ok {
		return by(m)
	}
	for rest := host; ; {
		i := strings.IndexByte(rest, '.')
		if i < 0 || i == len(rest)-1 {
			break
		}
		if m, ok := lookup(rest[i:]); ok {
			return by(m)
		}
		rest = rest[i+1:]
		if m, ok := lookup(rest); ok {
			return by(m)
		}
	}
	if i := strings.IndexByte(host, '.'); i >= 0 && i < len(host)-1 {
		return strings.ToUpper(host[i+1:]), "by MIT krb5's fallback, the upper-cased parent domain, as no [domain_realm] entry matches", 0
	}
	if dr := DefaultRealm(f); dr != "" {
		return dr, "the default realm, as the host name has a single label", 0
	}
	return "", "no realm: the host name has a single label and there is no default realm", 0
}

// KDC is one kdc relation of a realm.
type KDC struct {
	Realm string
	// Host is the name or address to resolve, without port, brackets or
	// URL parts.
	Host string
	// Port is the port given, else 88 (443 or 80 for an MS-KKDCP
	// https:// or http:// URL); 0 when the port given is not a number.
	Port int
	Line int
}

// KDCHosts lists every kdc of every realm, in file order, for the caller
// to resolve (the live check krb5-kdc-unresolvable).
func KDCHosts(f *File) []KDC {
	if f == nil {
		return nil
	}
	var out []KDC
	for _, r := range f.Realms {
		for _, rel := range r.Values("kdc") {
			host, port := splitKDC(rel.Value)
			if host == "" {
				continue
			}
			out = append(out, KDC{Realm: r.Name, Host: host, Port: port, Line: rel.Line})
		}
	}
	return out
}

// splitKDC splits a kdc value: host, host:port, [v6]:port, bare IPv6,
// tcp/ or udp/ prefixes, MS-KKDCP URLs, and gokrb5's final marker '*'.
func splitKDC(v string) (string, int) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "*"))
	lower := strings.ToLower(v)
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		u, err := url.Parse(v)
		if err != nil {
			return "", 0
		}
		def := 443
		if strings.HasPrefix(lower, "http://") {
			def = 80
		}
		return u.Hostname(), portOr(u.Port(), def)
	}
	if strings.HasPrefix(lower, "tcp/") || strings.HasPrefix(lower, "udp/") {
		v = v[4:]
	}
	if strings.HasPrefix(v, "[") {
		if h, p, err := net.SplitHostPort(v); err == nil {
			return h, portOr(p, 88)
		}
		return strings.Trim(v, "[]"), 88
	}
	if strings.Count(v, ":") == 1 {
		h, p, _ := strings.Cut(v, ":")
		return h, portOr(p, 88)
	}
	return v, 88
}

func portOr(p string, def int) int {
	if p == "" {
		return def
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0
	}
	return n
}
