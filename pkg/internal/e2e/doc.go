// Package e2e holds end-to-end tests of the uccert command as shipped: the
// real binary, built by the tests, run the way an administrator runs it, and
// its output judged by the real consumers (keytool, Java's KeyStore, OpenSSL).
//
// wine_test.go builds the Windows binary (GOOS=windows GOARCH=amd64) and runs
// it under Wine with files below C:\Program Files\GCTI, paths with spaces and
// password files with Windows line endings (see judge.Wine in
// pkg/internal/judge/wine.go for the Wine prefix).
//
// The package has no code outside its tests; it exists because tests under
// cmd/uccert cannot import pkg/internal/judge.
package e2e
