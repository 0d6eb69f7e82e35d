package preflight

import (
	"crypto/x509"
	"errors"

	"github.com/uccert/uccert/pkg/certfile"

	"github.com/uccert/uccert/pkg/chain"
	"github.com/uccert/uccert/pkg/keystore"
)

// checkChain reports chain-untrusted when no path leads from the leaf to
// a trusted certificate of the trust store, and chain-incomplete (warn)
// when the path needs a certificate that only the trust store holds
// (the peer, which has only the chain the connector sends, may lack it).
func checkChain(c *collector, subject string, entryChain []*x509.Certificate, trust *keystore.Store) {
	anchors := chain.NewPool()
	for _, e := range trust.Entries {
		if e == nil {
			continue
		}
		if e.Kind == keystore.KindTrusted && e.Leaf() != nil {
			anchors.Add(e.Leaf())
		}
	}
	if anchors.Len() == 0 {
		return // truststore-empty says so
	}
	sent := chain.NewPool(entryChain...)
	res := chain.Build(entryChain[0], chain.Options{Pool: sent, Anchors: anchors, Verify: true})
	if !res.Anchored {
		c.fail(CheckChainUntrusted, subject,
			"add the issuing CA and root to the trust store (uccert truststore --append ... CA.cer), or merge the certificate with its full chain",
			res.Problem, "no path to a certificate of the trust store: %s", linkProblem(res))
		return
	}
	for _, cert := range res.Chain[1:] {
		if !sent.Contains(cert) && !chain.SelfIssued(cert) {
			c.warnf(CheckChainIncomplete, subject,
				"merge the export again with its full chain (uccert merge completes chains from the export's certificates) so peers get "+describeCert(cert)+" too",
				"the store's chain lacks %s; only the trust store completes it", describeCert(cert))
		}
	}
}

// linkProblem says in words why a chain does not reach the trust store.
func linkProblem(res chain.Result) string {
	var le *chain.LinkError
	if !errors.As(res.Problem, &le) {
		if res.Problem != nil {
			return res.Problem.Error()
		}
		last := res.Chain[len(res.Chain)-1]
		if chain.SelfIssued(last) {
			return "the chain ends at the self-signed " + describeCert(last) + ", which the trust store does not hold"
		}
		return "the chain ends at " + describeCert(last)
	}
	switch {
	case errors.Is(le.Err, chain.ErrNotCA):
		return describeCert(le.Candidate) + " issued " + describeCert(le.Cert) + " but is not a CA certificate"
	case errors.Is(le.Err, chain.ErrBadSignature):
		return "the signature of " + describeCert(le.Cert) + " does not verify with its issuer's key (a different CA of the same name?)"
	case errors.Is(le.Err, chain.ErrNoIssuer):
		return "neither the store nor the trust store holds " + certfile.IssuerDN(le.Cert) + ", the issuer of " + describeCert(le.Cert)
	case errors.Is(le.Err, chain.ErrTooLong):
		return "the chain is longer than 16 certificates"
	}
	return le.Err.Error()
}
