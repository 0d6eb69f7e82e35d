// Package archtest holds tests (and only tests) of rules that span the
// whole code base: what the daemon's packages link, that nothing below
// cmd/ prints or exits, that library errors keep their identity and never
// name a CLI flag, that passwords do not print, that every exported
// package is documented with examples, and that exported functions given
// nil or half-filled values return errors instead of panicking. See
// docs/architecture.md.
package archtest
