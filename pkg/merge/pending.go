package merge

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/chain"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/request"
)

// Pending keys and the CA's replies.
//
// uccert request leaves a pending key: a key entry whose certificate is a
// self-signed placeholder, named "pending: FQDN" (request.IsPending
// recognises it by both marks). Merge pairs it with the certificate the
// CA issued for it, found among the certificates of all inputs by its
// public key: the placeholder is replaced by the issued certificate and
// its chain (completed from the certificates of all inputs, package
// chain), and the entry becomes an ordinary key entry, named by the usual
// alias rule. Inputs that hold nothing but certificates (the CA's reply as
// DER, PEM or PKCS#7, the CA's chain) are then used up by the pairing.
//
// A placeholder never reaches the result: a pending key without its reply
// (in the inputs, or in Options.Base when appending) stops the merge with
// ErrReplyMissing; an end-entity certificate of a certificate file whose
// key is in no input stops it with ErrKeyMissing; both are a *PairError.

// Errors of pairing (see PairError).
var (
	// ErrReplyMissing: a pending key has no certificate from the CA among
	// the inputs.
	ErrReplyMissing = errors.New("the CA's reply for a pending key is missing")
	// ErrKeyMissing: a certificate file holds a certificate a CA issued
	// (an end-entity certificate) whose private key is in none of the
	// inputs.
	ErrKeyMissing = errors.New("the private key of an issued certificate is missing")
)

// PairError says which pending key has no reply and which reply has no
// key. When both are set, the reply was issued for another key than the
// pending one. It unwraps to ErrReplyMissing, ErrKeyMissing or both.
type PairError struct {
	// PendingFile and PendingSubject name a pending key without its
	// reply: the file it is in and its request's subject.
	PendingFile, PendingSubject string
	// ReplyFile and ReplySubject name a certificate the CA issued whose
	// key is in none of the inputs.
	ReplyFile, ReplySubject string
}

func (e *PairError) Error() string {
	switch {
	case e.PendingFile != "" && e.ReplyFile != "":
		return fmt.Sprintf("%s: %s was issued for another key than the one pending in %s (%s): add the pending key file of the request %s answers, or the certificate the CA issued for %s",
			e.ReplyFile, e.ReplySubject, e.PendingFile, e.PendingSubject, e.ReplyFile, e.PendingFile)
	case e.PendingFile != "":
		return fmt.Sprintf("the CA's reply for %s (%s) is missing: add the certificate the CA issued for this request (a pending key's placeholder is never written to a store)",
			e.PendingFile, e.PendingSubject)
	}
	return fmt.Sprintf("%s: the private key of %s is in none of the inputs: add the pending key file of the request it answers (written by uccert request), or the export that holds its key",
		e.ReplyFile, e.ReplySubject)
}

// Unwrap returns ErrReplyMissing, ErrKeyMissing or both.
func (e *PairError) Unwrap() []error {
	var errs []error
	if e.PendingFile != "" {
		errs = append(errs, ErrReplyMissing)
	}
	if e.ReplyFile != "" {
		errs = append(errs, ErrKeyMissing)
	}
	return errs
}

// pendingRef is a pending key entry and where it is.
type pendingRef struct {
	input int // index in the inputs; -1 for the base
	entry int // index in its store's entries
	e     *keystore.Entry
	file  string
}

// sourced is a certificate and the first file it was seen in.
type sourced struct {
	cert *x509.Certificate
	file string
}

// paired is what pairPending makes of Merge's inputs.
type paired struct {
	inputs []Input
	base   *keystore.Store
	notes  []string
}

// pairPending replaces every pending key entry of the inputs and the base
// by an entry with the certificate the CA issued for its key, and drops
// the inputs that hold only certificates once they served (see the
// comment above). Without pending keys it changes nothing, but still
// refuses a certificate file's issued certificate whose key is missing.
func pairPending(inputs []Input, base *keystore.Store, baseName string) (*paired, error) {
	out := &paired{inputs: inputs, base: base}
	var pendings []pendingRef
	var certs []sourced
	seen := map[string]bool{}
	var keys []crypto.PrivateKey // the other keys
	visit := func(idx int, file string, s *keystore.Store) {
		if s == nil {
			return
		}
		for j, e := range s.Entries {
			if e == nil {
				continue
			}
			chainCerts := e.Chain
			if request.IsPending(e) {
				pendings = append(pendings, pendingRef{input: idx, entry: j, e: e, file: file})
				chainCerts = chainCerts[1:]
			} else if e.Kind == keystore.KindKey && e.Key != nil {
				keys = append(keys, e.Key)
			}
			for _, c := range chainCerts {
				if c != nil && !seen[string(c.Raw)] {
					seen[string(c.Raw)] = true
					certs = append(certs, sourced{c, file})
				}
			}
		}
	}
	visit(-1, baseName, base)
	for i, in := range inputs {
		visit(i, in.Name, in.Store)
	}

	// The certificates the CA issued, as certificate files bring them.
	var replies []sourced
	for _, in := range inputs {
		if !certsOnly(in.Store) {
			continue
		}
		for _, e := range in.Store.Entries {
			if c := e.Leaf(); c != nil && !(c.BasicConstraintsValid && c.IsCA) && !chain.SelfIssued(c) {
				replies = append(replies, sourced{c, in.Name})
			}
		}
	}

	pool := chain.NewPool()
	for _, c := range certs {
		pool.Add(c.cert)
	}
	issuedFor := map[string]bool{} // the replies that found their key
	var missing []pendingRef
	newEntry := map[*keystore.Entry]*keystore.Entry{}
	for _, p := range pendings {
		var cands []sourced
		for _, c := range certs {
			if !chain.SelfIssued(c.cert) && keystore.KeyMatchesCert(p.e.Key, c.cert) {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			missing = append(missing, p)
			continue
		}
		best := cands[0]
		for _, c := range cands[1:] {
			if c.cert.NotAfter.After(best.cert.NotAfter) {
				best = c
			}
		}
		for _, c := range cands {
			issuedFor[string(c.cert.Raw)] = true
			if c.cert != best.cert {
				out.notes = append(out.notes, fmt.Sprintf("%s: ignored certificate %q from %s: %q has a later one issued for the same key",
					p.file, certfile.SubjectDN(c.cert), c.file, p.e.Alias))
			}
		}
		ne := &keystore.Entry{Kind: keystore.KindKey, Alias: request.PendingName(p.e), Key: p.e.Key, Created: p.e.Created,
			Chain: chain.Build(best.cert, chain.Options{Pool: pool}).Chain}
		newEntry[p.e] = ne
		out.notes = append(out.notes, fmt.Sprintf("%s: the placeholder of %q is replaced by the certificate the CA issued (%s: %s, issued by %s, valid until %s; chain of %d)",
			p.file, p.e.Alias, best.file, certfile.SubjectDN(best.cert), certfile.IssuerDN(best.cert), best.cert.NotAfter.UTC().Format("2006-01-02"), len(ne.Chain)))
	}

	var orphan *sourced
	for i, r := range replies {
		if issuedFor[string(r.cert.Raw)] || matchesAny(keys, r.cert) {
			continue
		}
		orphan = &replies[i]
		break
	}
	if len(missing) > 0 || orphan != nil {
		pe := &PairError{}
		if len(missing) > 0 {
			pe.PendingFile, pe.PendingSubject = missing[0].file, certfile.SubjectDN(missing[0].e.Leaf())
		}
		if orphan != nil {
			pe.ReplyFile, pe.ReplySubject = orphan.file, certfile.SubjectDN(orphan.cert)
		}
		return nil, pe
	}
	if len(pendings) == 0 {
		return out, nil
	}

	// The inputs with their pending entries replaced; certificate files
	// used up (what no chain took is said). A pending entry of the base
	// leaves it and comes first among the inputs, as a new entry (named
	// by the rule for new entries).
	replace := func(s *keystore.Store) *keystore.Store {
		if s == nil {
			return nil
		}
		ns := *s
		ns.Entries = make([]*keystore.Entry, len(s.Entries))
		for j, e := range s.Entries {
			if r, ok := newEntry[e]; ok && e != nil {
				ns.Entries[j] = r
			} else {
				ns.Entries[j] = e
			}
		}
		return &ns
	}
	out.inputs = make([]Input, 0, len(inputs)+1)
	if base != nil {
		nb := *base
		nb.Entries = nil
		fromBase := &keystore.Store{Format: base.Format}
		for _, e := range base.Entries {
			if r, ok := newEntry[e]; ok && e != nil {
				fromBase.Entries = append(fromBase.Entries, r)
			} else {
				nb.Entries = append(nb.Entries, e)
			}
		}
		out.base = &nb
		if len(fromBase.Entries) > 0 {
			out.inputs = append(out.inputs, Input{Name: baseName, Store: fromBase})
		}
	}
	inChain := map[string]bool{}
	for _, ne := range newEntry {
		for _, c := range ne.Chain {
			inChain[string(c.Raw)] = true
		}
	}
	for _, in := range inputs {
		if !certsOnly(in.Store) {
			out.inputs = append(out.inputs, Input{Name: in.Name, Store: replace(in.Store)})
			continue
		}
		for _, e := range in.Store.Entries {
			if c := e.Leaf(); c != nil && !inChain[string(c.Raw)] && !issuedFor[string(c.Raw)] {
				out.notes = append(out.notes, fmt.Sprintf("%s: ignored certificate %q: it belongs to no key (trust it with uccert truststore)", in.Name, certfile.SubjectDN(c)))
			}
		}
	}
	return out, nil
}

// certsOnly reports whether s holds certificates and nothing else (a
// certificate file: the CA's reply, its chain).
func certsOnly(s *keystore.Store) bool {
	if s == nil || len(s.Entries) == 0 {
		return false
	}
	for _, e := range s.Entries {
		if e == nil || e.Kind != keystore.KindCert || e.Leaf() == nil {
			return false
		}
	}
	return true
}

func matchesAny(keys []crypto.PrivateKey, c *x509.Certificate) bool {
	for _, k := range keys {
		if keystore.KeyMatchesCert(k, c) {
			return true
		}
	}
	return false
}
