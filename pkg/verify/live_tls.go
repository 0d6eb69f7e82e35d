package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"
	"time"

	"github.com/uccert/uccert/pkg/certfile"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/tlsconf"
)

// lateAlertGrace is added to the handshake's own duration to wait, after
// a TLS 1.3 handshake, for the server's verdict on our client certificate
// (see checkTLSHandshake).
const lateAlertGrace = 500 * time.Millisecond

// Hints of the tls-handshake check.
const (
	hintTLSNoTrust      = "give the trust store that holds the Front Ends' CA (mtls: --key-store; tls-kerberos: --cert-store), or fix the store findings above"
	hintTLSConfig       = "fix the key store and trust store findings above; the connector could not build its TLS context either"
	hintTLSUnknownCA    = "add the CA that issued the server's certificate (its root, and the issuing CA if the server does not send it) to the trust store: uccert truststore --append -o TRUSTSTORE CA.cer"
	hintTLSNameMismatch = "connect with a name the server's certificate carries: use the Front End's FQDN in --connect (to dial another address, --resolve HOST:PORT:ADDR), or reissue the server's certificate for this name"
	hintTLSExpired      = "the server's certificate (or a CA in its chain) must be renewed, or the clock of one side is wrong"
	hintTLSClientCert   = "the server must trust our issuing CA (import the CA certificates of our key entries into the server's trusted root and intermediate stores), and the key store needs an entry issued by a CA the server accepts"
	hintTLSTimeout      = "check the host, the port and the firewalls between the connector host and the server; a port that accepts but never answers TLS may belong to another service"
	hintTLSUnreachable  = "check the host name, the port, that the server's service is running and that no firewall rejects the connection"
	hintTLSResolve      = "use the server's FQDN, check DNS, or give the address with --resolve HOST:PORT:ADDR"
	hintTLSNotTLS       = "this port does not speak TLS: use the server's TLS (MTLS) port"
	hintTLSClosed       = "the server dropped the connection: check that it trusts our issuing CA and accepts this client, and its own logs"
	hintTLSOther        = "check the server's TLS settings and logs"
)

// TLS alert numbers (RFC 8446 section 6; crypto/tls does not export them).
const (
	alertHandshakeFailure       = 40
	alertBadCertificate         = 42
	alertUnsupportedCertificate = 43
	alertCertificateRevoked     = 44
	alertCertificateExpired     = 45
	alertCertificateUnknown     = 46
	alertUnknownCA              = 48
	alertAccessDenied           = 49
	alertCertificateRequired    = 116
)

// targetSubject names a target: "host:port", plus " via addr" when it is
// dialled at another address.
func targetSubject(t Target) string {
	s := net.JoinHostPort(t.Host, t.Port)
	if t.Addr != "" {
		s += " via " + t.Addr
	}
	return s
}

// clientCertChoice records what the handshake did about our client
// certificate.
type clientCertChoice struct {
	// requested: the server sent a CertificateRequest.
	requested bool
	// acceptable are the DER distinguished names of the CAs the server
	// said it accepts (empty: any).
	acceptable [][]byte
	// cert is what we presented (nil or empty: none).
	cert *tls.Certificate
}

func (cc *clientCertChoice) sent() bool {
	return cc.cert != nil && len(cc.cert.Certificate) > 0
}

// describe names the presented certificate: its alias in keys and its
// subject.
func (cc *clientCertChoice) describe(keys *keystore.Store) string {
	if !cc.sent() {
		return "none"
	}
	leaf := cc.cert.Leaf
	if leaf == nil {
		if l, err := x509.ParseCertificate(cc.cert.Certificate[0]); err == nil {
			leaf = l
		}
	}
	if leaf == nil {
		return "an unparsable certificate"
	}
	if keys != nil {
		for _, e := range keys.Entries {
			if e == nil {
				continue
			}
			if l := e.Leaf(); e.Kind == keystore.KindKey && l != nil && bytes.Equal(l.Raw, leaf.Raw) {
				return fmt.Sprintf("%q (%s)", e.Alias, certfile.SubjectDN(leaf))
			}
		}
	}
	return certfile.SubjectDN(leaf)
}

// acceptableCAs lists the CA names the server accepts, for a message.
func (cc *clientCertChoice) acceptableCAs() string {
	var names []string
	for _, der := range cc.acceptable {
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(der, &rdn); err != nil {
			continue
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		names = append(names, n.String())
	}
	if len(names) == 0 {
		return ""
	}
	return strings.Join(names, "; ")
}

// checkTLSHandshake dials one target, handshakes and adds its finding.
//
// With TLS 1.3 the client finishes its handshake before the server has
// judged our certificate: a rejection arrives as an alert on the first
// read. So after a TLS 1.3 handshake in which the server asked for a
// certificate, we read briefly (the handshake's own duration, about two
// round trips, plus lateAlertGrace, within the timeout); silence or data
// mean the server kept the connection, an alert means it refused us.
func (l *live) tlsHandshake(ctx context.Context, t Target) {
	keys, trust, opts := l.keys(), l.trust(), l.opts
	subject := targetSubject(t)
	if trust == nil {
		why := "no trust store was given"
		if l.trustPath != "" {
			why = fmt.Sprintf("the trust store %s could not be loaded", l.trustPath)
		}
		l.Addf(CheckTLSHandshake, finding.Error, subject, hintTLSNoTrust,
			"handshake not attempted: %s, so the server's certificate cannot be verified", why)
		return
	}
	if t.Port == "" {
		l.Addf(CheckTLSHandshake, finding.Error, subject, "give the server's port: --connect HOST:PORT", "handshake not attempted: no port")
		return
	}
	cfg, err := tlsconf.New(keys, trust, tlsconf.Options{ClientName: opts.Host})
	if err != nil {
		l.Addf(CheckTLSHandshake, finding.Error, subject, hintTLSConfig, "handshake not attempted: cannot build the TLS configuration: %v", err)
		return
	}
	cfg.ServerName = t.Host
	choice := &clientCertChoice{}
	get := cfg.GetClientCertificate
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		choice.requested = true
		choice.acceptable = cri.AcceptableCAs
		if get == nil {
			choice.cert = &tls.Certificate{}
			return choice.cert, nil
		}
		cert, err := get(cri)
		choice.cert = cert
		return cert, err
	}

	timeout := opts.timeout()
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dialHost := t.Host
	if t.Addr != "" {
		dialHost = t.Addr
	}
	addr := net.JoinHostPort(dialHost, t.Port)
	d := net.Dialer{Timeout: timeout}
	raw, err := d.DialContext(tctx, "tcp", addr)
	if err != nil {
		msg, hint := classifyDialError(ctx, err, addr, timeout)
		l.Addf(CheckTLSHandshake, finding.Error, subject, hint, "%s", msg)
		return
	}
	conn := tls.Client(raw, cfg)
	defer conn.Close()
	deadline, _ := tctx.Deadline()
	conn.SetDeadline(deadline)
	start := time.Now()
	if err := conn.HandshakeContext(tctx); err != nil {
		msg, hint := classifyHandshakeError(ctx, err, t, choice, keys, timeout)
		l.Addf(CheckTLSHandshake, finding.Error, subject, hint, "%s", msg)
		return
	}
	state := conn.ConnectionState()
	if state.Version == tls.VersionTLS13 && choice.requested {
		wait := time.Since(start) + lateAlertGrace
		readDeadline := time.Now().Add(wait)
		if readDeadline.After(deadline) {
			readDeadline = deadline
		}
		conn.SetReadDeadline(readDeadline)
		_, err := conn.Read(make([]byte, 1))
		var ne net.Error
		switch {
		case err == nil, errors.As(err, &ne) && ne.Timeout():
			// The server kept the connection: it accepted us.
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
			l.Addf(CheckTLSHandshake, finding.Warn, subject, hintTLSClosed,
				"handshake completed (%s), but the server closed the connection right after it without an alert (client certificate presented: %s): it may have rejected our client certificate",
				tls.VersionName(state.Version), choice.describe(keys))
			return
		default:
			msg, hint := classifyHandshakeError(ctx, err, t, choice, keys, timeout)
			l.Addf(CheckTLSHandshake, finding.Error, subject, hint, "%s", msg)
			return
		}
	}
	client := "the server did not ask for a client certificate"
	if choice.requested {
		if choice.sent() {
			client = "client certificate " + choice.describe(keys) + " presented and accepted"
		} else {
			client = "no client certificate presented; the server accepted that"
		}
	}
	msg := fmt.Sprintf("handshake OK: %s, %s; server certificate %s", tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite), describeServer(state.PeerCertificates))
	l.Addf(CheckTLSHandshake, finding.OK, subject, "", "%s; %s", msg, client)
}

// describeServer names the server's leaf certificate and its issuer.
func describeServer(chain []*x509.Certificate) string {
	if len(chain) == 0 {
		return "(none)"
	}
	return fmt.Sprintf("%s (issued by %s)", certfile.SubjectDN(chain[0]), certfile.IssuerDN(chain[0]))
}

// classifyDialError puts a failed TCP connection in plain words.
func classifyDialError(ctx context.Context, err error, addr string, timeout time.Duration) (msg, hint string) {
	var dnsErr *net.DNSError
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		return fmt.Sprintf("cancelled before connecting to %s: %v", addr, ctx.Err()), hintTLSUnreachable
	case errors.As(err, &dnsErr) && !dnsErr.IsTimeout:
		return fmt.Sprintf("unreachable: cannot resolve %s: %v", dnsErr.Name, err), hintTLSResolve
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("unreachable: connection refused by %s (nothing listens on that port, or a firewall rejects it)", addr), hintTLSUnreachable
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Sprintf("unreachable: no route to %s: %v", addr, err), hintTLSUnreachable
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("timeout: no TCP connection to %s within %v", addr, timeout), hintTLSTimeout
	}
	return fmt.Sprintf("unreachable: cannot connect to %s: %v", addr, err), hintTLSUnreachable
}

// classifyHandshakeError puts a failed handshake (or a late alert after
// it) in plain words. The phrases "unknown CA", "name mismatch",
// "expired", "client certificate rejected" and "timeout" start the
// message, for people and tests.
func classifyHandshakeError(ctx context.Context, err error, t Target, choice *clientCertChoice, keys *keystore.Store, timeout time.Duration) (msg, hint string) {
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		recordErr tls.RecordHeaderError
		ne        net.Error
	)
	var leaf *x509.Certificate
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) && len(verr.UnverifiedCertificates) > 0 {
		leaf = verr.UnverifiedCertificates[0]
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Sprintf("cancelled during the handshake: %v", ctx.Err()), hintTLSOther
	case errors.As(err, &unknownCA):
		m := "unknown CA: the server's certificate is untrusted"
		if leaf != nil {
			m = fmt.Sprintf("unknown CA: the server's certificate %s (issued by %s) is untrusted", certfile.SubjectDN(leaf), certfile.IssuerDN(leaf))
		}
		m += ": its chain does not lead to a certificate in the trust store"
		if top := unknownCA.Cert; top != nil && (leaf == nil || !bytes.Equal(top.Raw, leaf.Raw)) {
			m += fmt.Sprintf(" (the chain the server sent ends at %s)", certfile.SubjectDN(top))
		}
		return m, hintTLSUnknownCA
	case errors.As(err, &hostErr):
		names := "no DNS name"
		if hostErr.Certificate != nil && len(hostErr.Certificate.DNSNames) > 0 {
			names = strings.Join(hostErr.Certificate.DNSNames, ", ")
		}
		return fmt.Sprintf("name mismatch: the server's certificate does not name %s (it names %s)", t.Host, names), hintTLSNameMismatch
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		what := "a certificate of the server's chain"
		switch {
		case invalid.Cert != nil && leaf != nil && bytes.Equal(invalid.Cert.Raw, leaf.Raw):
			what = fmt.Sprintf("the server's certificate %s", certfile.SubjectDN(leaf))
		case invalid.Cert != nil:
			what = fmt.Sprintf("the CA certificate %s of the server's chain", certfile.SubjectDN(invalid.Cert))
		}
		return fmt.Sprintf("expired: %s (%s)", what, invalid.Detail), hintTLSExpired
	case errors.As(err, &recordErr):
		return fmt.Sprintf("not TLS: the server answered something that is not a TLS record (%v)", err), hintTLSNotTLS
	}
	if code, ok := receivedAlert(err); ok {
		if isClientCertAlert(code) || (code == alertHandshakeFailure && choice.requested) {
			var m string
			if choice.sent() {
				m = fmt.Sprintf("client certificate rejected: the server answered our certificate %s with the alert %q", choice.describe(keys), alertName(err))
			} else {
				m = "client certificate rejected: we presented none"
				if keys == nil {
					m += " (no key store)"
				} else if cas := choice.acceptableCAs(); cas != "" {
					m += " (no key entry is issued by a CA the server accepts: " + cas + ")"
				}
				m += fmt.Sprintf(" and the server answered with the alert %q", alertName(err))
			}
			return m, hintTLSClientCert
		}
		return fmt.Sprintf("the server refused the handshake with the alert %q", alertName(err)), hintTLSOther
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("timeout: connected, but the TLS handshake did not finish within %v", timeout), hintTLSTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("the server closed the connection during the handshake (%v)", err), hintTLSClosed
	}
	return fmt.Sprintf("handshake failed: %v", err), hintTLSOther
}

// receivedAlert returns the number of the TLS alert the server sent, when
// err is one: crypto/tls reports it as a *net.OpError "remote error"
// whose Err is its unexported alert type (a uint8).
func receivedAlert(err error) (uint8, bool) {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return 0, false
	}
	v := reflect.ValueOf(op.Err)
	if v.Kind() != reflect.Uint8 {
		return 0, false
	}
	return uint8(v.Uint()), true
}

// alertName is the alert's text without crypto/tls's "tls: " prefix.
func alertName(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return strings.TrimPrefix(op.Err.Error(), "tls: ")
	}
	return err.Error()
}

// isClientCertAlert reports alerts that a server sends about the
// client's certificate.
func isClientCertAlert(code uint8) bool {
	switch code {
	case alertBadCertificate, alertUnsupportedCertificate, alertCertificateRevoked,
		alertCertificateExpired, alertCertificateUnknown, alertUnknownCA,
		alertAccessDenied, alertCertificateRequired:
		return true
	}
	return false
}
