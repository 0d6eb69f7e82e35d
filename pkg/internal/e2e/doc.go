// Package e2e holds end-to-end tests of the uccert command as shipped: the
// real binary, built by the tests, run the way an administrator runs it, and
// its output judged by the real consumers (keytool, Java's KeyStore, OpenSSL).
//
// wine_test.go builds the Windows binary (GOOS=windows GOARCH=amd64) and runs
// it under Wine with files below C:\Program Files\GCTI, paths with spaces and
// password files with Windows line endings (see judge.Wine in
// pkg/internal/judge/wine.go for the Wine prefix).
//
// host_test.go builds the same command for the host (the machine's own
// GOOS/GOARCH), once per test process; inspect_text_test.go runs it as
// `uccert inspect --text` on the fixture certificates and on certificates
// OpenSSL makes for the test, and compares the text field by field with
// `openssl x509 -noout -text`. renew_test.go renews a Front End with
// `uccert merge --append --replace` and removes an expired one with
// `uccert remove --expired`, judged by keytool -list, Java's
// KeyStore.load and getKey, and the certificate a JSSE server presents.
// prometheus_test.go runs it as `uccert verify --format prometheus` and
// compares every x509_cert_* series with the stores as `keytool -list
// -rfc` and `openssl x509` read them.
//
// rotation_test.go runs the daemon's certificate rotation under load: a Go
// TLS server on connector.Watch, a Go client and a Java (JSSE) client
// (judge's TLSLoop) making mutual-TLS handshakes without pause while the
// host build's `uccert merge --force` replaces the store 50 times, bad
// rotations included.
//
// The package has no code outside its tests; it exists because tests under
// cmd/uccert cannot import pkg/internal/judge.
package e2e
