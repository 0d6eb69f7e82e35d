// Package krb5conf lints a krb5.conf the way the UC Connector needs it:
// syntax with line numbers first, then semantic checks (default realm,
// realms and their KDCs, [domain_realm], the connector host's realm, weak
// encryption and checksum types).
//
// [Parse] runs its own line-aware pass over the file, modelled on MIT
// krb5's profile parser (which Java's and gokrb5's readers approximate):
// every syntax problem becomes a [Finding] with check "krb5-syntax" and the
// line where it is. It then loads the same bytes with gokrb5's
// config package (the model the connector daemon uses, in [File.Config])
// and reports, with a line, what gokrb5 rejects or silently gets wrong:
//
//   - a realm whose '{' is never closed (gokrb5 silently drops the realm),
//   - a comment after a value (part of the value for MIT krb5 and Java, a
//     comment for gokrb5),
//   - a UTF-8 byte-order mark before the first section header (gokrb5
//     then ignores that section),
//   - a [libdefaults] tag set twice with different values (MIT krb5 and
//     Java use the first, gokrb5 the last),
//   - anything else gokrb5 refuses to load (for example a checksum type
//     given by name, `REALM =` with '{' on the next line, or a nested
//     block inside a realm, on which gokrb5 v8.4.4 panics; the panic is
//     recovered). This is reported only when the line pass found no
//     error, as it is almost always the same problem.
//
// [Check] then runs the semantic checks on the line-aware model, which is
// what MIT krb5 and Java read; gokrb5's model can be missing realms that
// are still in the file, and missing altogether when gokrb5 fails.
//
// Check names are those of `uccert verify`: krb5-syntax,
// krb5-no-default-realm, krb5-default-realm-undefined, krb5-realm-no-kdc,
// krb5-realm-lowercase, krb5-domain-realm-undefined,
// krb5-host-realm-mismatch, krb5-weak-enctype and krb5-weak-checksum.
// krb5-kdc-unresolvable is a live check left to the caller, which gets the
// names to resolve from [KDCHosts].
//
// Limits: input up to [MaxSize]; at most 100 findings per check; the
// model keeps at most 10,000 relations and gokrb5 is given at most 4,096
// lines of settings (it compiles regular expressions for every line).
//
// The package prints nothing and keeps no global state.
package krb5conf
