package preflight

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
)

// nearestName returns the name, among those of the key entries'
// certificates, that name was most likely meant to be, and the alias of
// an entry that has it.
func nearestName(keys []*keystore.Entry, name string) (near, alias string) {
	var names, aliases []string
	for _, e := range keys {
		for _, n := range hostname.Names(e.Leaf()) {
			names = append(names, n)
			aliases = append(aliases, e.Alias)
		}
	}
	near, ok := hostname.Nearest(name, names)
	if !ok {
		return "", ""
	}
	for i, n := range names {
		if n == near {
			return near, aliases[i]
		}
	}
	return near, ""
}

// checkIdentity checks that the connector host and every Front End have
// a key entry whose certificate names them, and warns about CN-only
// names, entries nobody asked for, and RSA and EC keys in one store.
func checkIdentity(c *collector, path string, keys []*keystore.Entry, opts Options) {
	find := func(name string) (*keystore.Entry, hostname.MatchKind) {
		var best *keystore.Entry
		kind := hostname.NoMatch
		for _, e := range keys {
			if m := hostname.Match(e.Leaf(), name); m != hostname.NoMatch && (kind == hostname.NoMatch || m < kind) {
				best, kind = e, m
			}
		}
		return best, kind
	}
	cnOnly := map[*keystore.Entry]bool{}
	report := func(check finding.Check, name, role string) {
		e, kind := find(name)
		if e == nil {
			fix := fmt.Sprintf("merge a certificate issued for %s (Request-CsCertificate ... -ComputerFQDN %s) into the store", name, name)
			near, alias := nearestName(keys, name)
			switch {
			case near == "":
				c.errorf(check, path, fix, "no key entry's certificate names %s %s", role, name)
			case strings.TrimSuffix(near, ".") == strings.TrimSuffix(name, "."):
				c.errorf(check, path, fmt.Sprintf("give the name with its final dot (%s), as clients must, or request the certificate with the name %s", near, strings.TrimSuffix(near, ".")),
					"no key entry's certificate names %s %s: entry %q names %s with a final dot, which Go's TLS accepts only for that name asked for with the dot", role, name, alias, near)
			default:
				c.errorf(check, path, fix+"; or, if the name was mistyped, give "+near,
					"no key entry's certificate names %s %s; did you mean %s (entry %q)?", role, name, near, alias)
			}
			return
		}
		msg := fmt.Sprintf("%s %s is served by entry %q (%s)", role, name, e.Alias, kind)
		c.add(check, finding.OK, entrySubject(path, e), msg, "")
		if kind == hostname.MatchCN {
			cnOnly[e] = true
		}
	}
	if opts.Host != "" {
		report(CheckHostIdentityMissing, opts.Host, "the connector host")
	} else {
		c.add(CheckHostIdentityMissing, finding.Info, path, "no connector host FQDN known: host identity not checked", "give --host FQDN")
	}
	for _, fe := range opts.FEs {
		report(CheckFEIdentityMissing, fe, "Front End")
	}
	for _, e := range keys {
		if cnOnly[e] {
			c.warnf(CheckFQDNCNOnly, entrySubject(path, e), "request the certificate with the FQDN as a DNS subject alternative name; Java still accepts the CN, Go clients and browsers do not",
				"the certificate names its host only in the subject CN (%s), with no DNS subject alternative name", e.Leaf().Subject.CommonName)
		}
	}
	if len(opts.FEs) > 0 || opts.NamesComplete && opts.Host != "" {
		var wanted []string
		if opts.Host != "" {
			wanted = append(wanted, opts.Host)
		}
		wanted = append(wanted, opts.FEs...)
		unexpected := 0
		for _, e := range keys {
			match := false
			for _, n := range wanted {
				match = match || hostname.Match(e.Leaf(), n) != hostname.NoMatch
			}
			if !match {
				unexpected++
				c.warnf(CheckFQDNUnexpected, entrySubject(path, e), "remove the entry, or give its name with --fe if it is a Front End",
					"the entry's names (%s) match neither the connector host nor any Front End given", joinNames(hostname.Names(e.Leaf())))
			}
		}
		if unexpected == 0 {
			c.add(CheckFQDNUnexpected, finding.OK, path, "every key entry is for the connector host or a Front End", "")
		}
	}
	var rsaKeys, ecKeys []string
	for _, e := range keys {
		switch e.Leaf().PublicKey.(type) {
		case *rsa.PublicKey:
			rsaKeys = append(rsaKeys, e.Alias)
		case *ecdsa.PublicKey:
			ecKeys = append(ecKeys, e.Alias)
		}
	}
	if len(rsaKeys) > 0 && len(ecKeys) > 0 {
		c.warnf(CheckMixedKeyAlgorithms, path, "keep one key algorithm per store (re-issue the EC certificates as RSA, or the other way round); the uccert Go package chooses by SNI correctly",
			"RSA entries (%s) and EC entries (%s) in one store: with TLS 1.3 Java's key manager presents an EC certificate even when SNI names an RSA-certified host", joinNames(rsaKeys), joinNames(ecKeys))
	} else {
		c.add(CheckMixedKeyAlgorithms, finding.OK, path, "one key algorithm in the store", "")
	}
}
