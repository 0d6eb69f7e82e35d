// Older Windows CAs issued certificates with negative serial numbers;
// OpenSSL and Java read them, and crypto/x509 does with this setting
// (package certfile documents it).

//go:debug x509negativeserial=1

// Command uccert prepares and checks the TLS/MTLS and Kerberos material a
// UC Connector needs: it inspects, merges and verifies Java keystores and
// PKCS#12 files and prints the connector's command-line arguments.
package main

import "os"

// version is set at build time with -ldflags "-X main.version=v0.1.0".
var version = "dev"

func main() {
	os.Exit(runMain(os.Args, newSystemEnv()))
}
