package preflight

import (
	"context"

	"github.com/uccert/uccert/pkg/keystore"
)

// checkTLSHandshakes performs a mutual-TLS handshake with every target,
// presenting the key store's identity and verifying the server against
// the trust store (tls-handshake).
func checkTLSHandshakes(ctx context.Context, c *collector, keys, trust *keystore.Store, opts Options) {
	// TODO(issue 5): implemented by the live TLS work.
}
