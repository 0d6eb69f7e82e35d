package kdc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
)

// maxDatagram is the largest UDP payload (IPv6, without jumbograms): a UDP
// read into a buffer this large is never truncated.
const maxDatagram = 65535

// udpRetry is the first wait for a UDP answer before the request is sent
// again; it doubles on each retry (as MIT krb5 does).
const udpRetry = time.Second

// minAttempt is the least time an attempt gets when that much remains,
// however many attempts are left.
const minAttempt = time.Second

// maxUDPWait is the most time a UDP attempt gets: the request is sent at 0
// and 1 s (udpRetry); then TCP, or the next KDC, is tried.
const maxUDPWait = 2 * time.Second

// server is one KDC address and the transports it may be asked over.
type server struct {
	addr     string // host:port
	udp, tcp bool
	err      error // why this entry cannot be used at all (an https:// proxy)
}

// configServers returns the KDCs of realm from cfg's [realms] in file
// order, and whether [realms] defines realm at all. gokrb5 has appended
// ":88" to entries without a port; a "tcp/" or "udp/" prefix limits the
// transport, as in MIT krb5.
func configServers(cfg *config.Config, realm string) (servers []server, defined bool) {
	for _, r := range cfg.Realms {
		if r.Realm != realm {
			continue
		}
		for _, k := range r.KDC {
			servers = append(servers, parseServer(k))
		}
		return servers, true
	}
	return nil, false
}

func parseServer(entry string) server {
	s := server{udp: true, tcp: true}
	entry = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(entry), "*"))
	lower := strings.ToLower(entry)
	switch {
	case strings.HasPrefix(lower, "tcp/"):
		entry, s.udp = entry[4:], false
	case strings.HasPrefix(lower, "udp/"):
		entry, s.tcp = entry[4:], false
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		s.addr = entry
		s.err = errors.New("a KDC proxy (MS-KKDCP over HTTPS) is not supported")
		return s
	}
	if ip := net.ParseIP(entry); ip != nil {
		// A bare IPv6 address: gokrb5 saw a ':' and added no port.
		entry = net.JoinHostPort(entry, "88")
	} else if _, _, err := net.SplitHostPort(entry); err != nil {
		entry = net.JoinHostPort(entry, "88")
	}
	s.addr = entry
	return s
}

// srvServers looks up the _kerberos._udp and _kerberos._tcp SRV records of
// realm (RFC 4120 7.2.3.2). A KDC found under both is one server with both
// transports, at the place of its first appearance.
func srvServers(ctx context.Context, lookup func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error), realm string) ([]server, []error) {
	var out []server
	var errs []error
	index := map[string]int{}
	for _, proto := range []string{"udp", "tcp"} {
		_, addrs, err := lookup(ctx, "kerberos", proto, realm)
		if err != nil {
			var dnsErr *net.DNSError
			if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
				continue
			}
			errs = append(errs, &AttemptError{KDC: "_kerberos._" + proto + "." + realm, Err: fmt.Errorf("DNS SRV lookup failed: %w", err)})
			continue
		}
		for _, a := range addrs {
			if a.Target == "." { // "no service here" (RFC 2782)
				continue
			}
			addr := net.JoinHostPort(strings.TrimSuffix(a.Target, "."), fmt.Sprint(a.Port))
			key := strings.ToLower(addr)
			i, ok := index[key]
			if !ok {
				i = len(out)
				index[key] = i
				out = append(out, server{addr: addr})
			}
			if proto == "udp" {
				out[i].udp = true
			} else {
				out[i].tcp = true
			}
		}
	}
	return out, errs
}

// attempt is one planned exchange: a server over one transport.
type attempt struct {
	srv     int
	network string
}

// plan orders the attempts for a request of size bytes: every server in
// turn from first (the one that answered before), UDP before TCP unless
// size exceeds limit (udp_preference_limit).
func plan(servers []server, first, size, limit int) []attempt {
	udpFirst := size <= limit
	var out []attempt
	for j := range servers {
		i := (first + j) % len(servers)
		s := servers[i]
		order := [2]string{"udp", "tcp"}
		if !udpFirst {
			order = [2]string{"tcp", "udp"}
		}
		for _, n := range order {
			if (n == "udp" && s.udp) || (n == "tcp" && s.tcp) {
				out = append(out, attempt{srv: i, network: n})
			}
		}
	}
	return out
}

// reply is a KDC's answer to a request: exactly one of rep and krbErr is
// set.
type reply struct {
	srv     int
	network string
	rep     *kdcRep
	krbErr  *krbError
}

// exchanger sends requests to the KDCs of one realm.
type exchanger struct {
	servers  []server
	limit    int // udp_preference_limit
	maxReply int
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	// attempts collects every failed attempt of the Login.
	attempts []error
}

// send sends req to the KDCs in turn, starting with servers[first], until
// one answers with an AS-REP or a KRB-ERROR that is not about the
// transport. It returns the *ReplyTooLargeError of a KDC at once; other
// failures go to x.attempts and the next attempt is made. ctx's deadline
// is the Login's; it is shared fairly among the attempts left.
func (x *exchanger) send(ctx context.Context, req []byte, first int) (*reply, error) {
	todo := plan(x.servers, first, len(req), x.limit)
	for k, a := range todo {
		s := x.servers[a.srv]
		if err := expired(ctx); err != nil {
			return nil, err
		}
		budget := attemptBudget(ctx, len(todo)-k, a.network)
		actx, cancel := context.WithTimeout(ctx, budget)
		b, err := x.roundTrip(actx, a.network, s.addr, req)
		attemptTimedOut := expired(actx) != nil
		cancel()
		if err == nil {
			var r *reply
			r, err = parseReply(b)
			if err == nil {
				r.srv, r.network = a.srv, a.network
				if r.krbErr == nil {
					return r, nil
				}
				switch r.krbErr.ErrorCode {
				case errorcode.KRB_ERR_RESPONSE_TOO_BIG:
					err = errors.New("the reply is too big for UDP (KRB_ERR_RESPONSE_TOO_BIG)")
				case errorcode.KDC_ERR_SVC_UNAVAILABLE:
					err = errors.New("the KDC is not available (KDC_ERR_SVC_UNAVAILABLE)")
				default:
					return r, nil
				}
			}
		}
		var tooLarge *ReplyTooLargeError
		if errors.As(err, &tooLarge) {
			return nil, err
		}
		if cerr := expired(ctx); cerr != nil {
			// The Login's time ran out or the caller gave up during this
			// attempt.
			if errors.Is(cerr, context.DeadlineExceeded) {
				err = &noAnswerError{after: budget}
			}
			x.attempts = append(x.attempts, &AttemptError{KDC: s.addr, Network: a.network, Err: err})
			return nil, cerr
		}
		if attemptTimedOut || isTimeout(err) {
			err = &noAnswerError{after: budget}
		}
		x.attempts = append(x.attempts, &AttemptError{KDC: s.addr, Network: a.network, Err: err})
	}
	return nil, nil
}

// expired is ctx.Err(), or context.DeadlineExceeded as soon as ctx's
// deadline has passed: a connection's deadline, set to ctx's, can fire
// before ctx's own timer has cancelled it.
func expired(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

// attemptBudget is the time an attempt over network may take when left
// attempts remain: an equal share of the time before ctx's deadline, at
// least minAttempt, at most maxUDPWait over UDP (a firewall that drops UDP
// must not cost the TCP attempt its time), never more than remains.
func attemptBudget(ctx context.Context, left int, network string) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return DefaultTimeout
	}
	remaining := time.Until(dl)
	if remaining <= 0 {
		return 0
	}
	share := max(remaining/time.Duration(left), minAttempt)
	if network == "udp" {
		share = min(share, maxUDPWait)
	}
	return min(share, remaining)
}

// roundTrip sends req to addr over network and returns the reply, reading
// at most x.maxReply bytes of it. Everything is bounded by ctx.
func (x *exchanger) roundTrip(ctx context.Context, network, addr string, req []byte) ([]byte, error) {
	conn, err := x.dial(ctx, network, addr)
	if err != nil {
		return nil, dialError(err)
	}
	defer conn.Close()
	// Cancelling ctx unblocks any read or write at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	dl, _ := ctx.Deadline()
	if err := conn.SetDeadline(dl); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if network == "tcp" {
		return x.tcpRoundTrip(conn, addr, req)
	}
	return x.udpRoundTrip(ctx, conn, addr, req, dl)
}

// tcpRoundTrip frames req with its 4-byte big-endian length (RFC 4120
// 7.2.2) and reads the reply, checking the announced length against
// x.maxReply before allocating anything.
func (x *exchanger) tcpRoundTrip(conn net.Conn, addr string, req []byte) ([]byte, error) {
	msg := make([]byte, 4+len(req))
	binary.BigEndian.PutUint32(msg, uint32(len(req)))
	copy(msg[4:], req)
	if _, err := conn.Write(msg); err != nil {
		return nil, ioError("sending the request", err)
	}
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return nil, ioError("reading the reply", err)
	}
	size := binary.BigEndian.Uint32(hdr[:])
	if uint64(size) > uint64(x.maxReply) {
		return nil, &ReplyTooLargeError{KDC: addr, Network: "tcp", Size: uint64(size), Max: x.maxReply}
	}
	if size == 0 {
		return nil, fmt.Errorf("%w: an empty reply", ErrBadReply)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(conn, b); err != nil {
		return nil, ioError("reading the reply", err)
	}
	return b, nil
}

// udpRoundTrip sends req as one datagram and waits for the reply until
// deadline, sending req again after 1 s, 2 s, 4 s... without an answer.
func (x *exchanger) udpRoundTrip(ctx context.Context, conn net.Conn, addr string, req []byte, deadline time.Time) ([]byte, error) {
	buf := make([]byte, maxDatagram+1)
	wait := udpRetry
	for {
		if _, err := conn.Write(req); err != nil {
			return nil, ioError("sending the request", err)
		}
		next := time.Now().Add(wait)
		if !deadline.IsZero() && next.After(deadline) {
			next = deadline
		}
		if err := conn.SetReadDeadline(next); err != nil {
			return nil, err
		}
		// Checked after setting the deadline: a cancellation from now on
		// resets it to the past (see roundTrip).
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		n, err := conn.Read(buf)
		if err == nil {
			if n > x.maxReply {
				return nil, &ReplyTooLargeError{KDC: addr, Network: "udp", Size: uint64(n), Max: x.maxReply}
			}
			if n == 0 {
				return nil, fmt.Errorf("%w: an empty datagram", ErrBadReply)
			}
			return buf[:n:n], nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() != nil || !time.Now().Before(deadline) {
			return nil, ioError("reading the reply", err)
		}
		wait *= 2
	}
}

// dialError keeps the cause of a failed dial without Go's "dial tcp
// 1.2.3.4:88: " prefix, which the attempt already names.
func dialError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return unwrapSyscall(op.Err)
	}
	return err
}

// ioError names what failed in an exchange; the cause keeps its identity.
func ioError(doing string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the KDC closed the connection before %s ended: %w", strings.TrimPrefix(doing, "reading "), err)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = unwrapSyscall(op.Err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// unwrapSyscall drops the "connect: " / "read: " of an *os.SyscallError.
func unwrapSyscall(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}

// parseReply reads a KDC's reply: an AS-REP or a KRB-ERROR.
func parseReply(b []byte) (*reply, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: an empty reply", ErrBadReply)
	}
	switch b[0] {
	case 0x6b: // [APPLICATION 11] AS-REP
		rep, err := unmarshalASRep(b)
		if err != nil {
			return nil, fmt.Errorf("%w: a malformed AS-REP", ErrBadReply)
		}
		return &reply{rep: rep}, nil
	case 0x7e: // [APPLICATION 30] KRB-ERROR
		ke, err := unmarshalKRBError(b)
		if err != nil {
			return nil, fmt.Errorf("%w: a malformed KRB-ERROR", ErrBadReply)
		}
		return &reply{krbErr: ke}, nil
	}
	return nil, fmt.Errorf("%w: not a Kerberos AS-REP or KRB-ERROR", ErrBadReply)
}
