// Package hostname decides whether a certificate serves a host name: the
// connector host's FQDN, a Front End server's FQDN or a pool FQDN.
//
// The rules are those of RFC 6125 as Java's HTTPS endpoint identification
// (sun.security.util.HostnameChecker) and Go's crypto/x509
// (Certificate.VerifyHostname) apply them. Where the two differ the
// stricter rule wins, so that a certificate judged to serve a name (other
// than by its CN) is accepted by both; for wildcards the rule is stricter
// than either, as RFC 6125 6.4.3 and the CA/Browser Forum ask:
//
//   - names compare case-insensitively, in their ASCII (punycode) form, and
//     a trailing dot on the name asked about is ignored — except against a
//     certificate name written with a final dot ("ucc.uc.example.com."),
//     which, as in crypto/x509, serves only that name asked for with the
//     dot (Go's TLS client sends and checks the name as configured);
//   - a DNS subjectAltName serves a name when it equals it ([MatchSAN]) or
//     is a wildcard whose complete left-most label is "*" covering exactly
//     one label ([MatchWildcard]): "*.uc.example.com" serves
//     "fe9.uc.example.com" but neither "uc.example.com" nor
//     "a.b.uc.example.com". Partial-label wildcards ("fe*.uc.example.com"),
//     wildcards in other labels, and wildcard patterns of fewer than three
//     labels ("*.com", "*.example") serve nothing. (Java accepts partial
//     wildcards, and wildcards over a public suffix for private CAs; Go
//     accepts "*.com".)
//   - an IP address is served only by an equal IP address subjectAltName
//     (reported as [MatchSAN]), never by a wildcard or the CN;
//   - the subject CN counts only when the certificate has no DNS
//     subjectAltName at all ([MatchCN]). Java still accepts such
//     certificates, Go does not: callers report this as "fqdn-cn-only".
//
// [Normalize] and [IsFQDN] check names given on the command line, [Names]
// lists the names a certificate is for, [LocalFQDN] finds this machine's
// FQDN as Windows and Java administrators mean it, and [Domain] gives the
// DNS domain of an FQDN (for krb5.conf domain_realm checks).
//
// The package keeps no global state; LocalFQDN takes the host name
// function and the resolver as arguments so that it can be tested without
// a network.
package hostname
