// Package kdc performs a Kerberos AS exchange (RFC 4120 3.1) to prove an
// account's password: uccert's `verify --kdc-user` check.
//
// It exists because gokrb5's client (github.com/jcmturner/gokrb5/v8/client,
// v8.4.4) cannot be given to a daemon: its transport allocates whatever reply
// length a KDC announces over TCP (client/network.go: make([]byte, s)), so a
// KDC announcing 0xFFFFFFF0 bytes drives the process past 1 GB; it has fixed
// 5 s network timeouts per KDC and no context, so a caller that gives up
// leaves it running; and it shuffles the configured KDCs instead of trying
// them in order. This package sends the AS-REQ over its own bounded transport
// (UDP and TCP, RFC 4120 7.2), encodes and decodes the few messages of an AS
// exchange itself (messages.go), and uses gokrb5 only for its data types
// (types), its cryptography (crypto), its constants (iana) and the krb5.conf
// configuration (config). It links neither gokrb5's client nor its messages
// package, and so neither net/http nor the init work of encoding/gob
// (through gokrb5's credentials) and golang.org/x/net/http2/hpack (through
// gokrb5's pac): see TestLinkedPackages.
//
// Login sends an AS-REQ for the krbtgt of the realm; when the KDC asks for
// pre-authentication, it derives the key from the password with the salt
// and parameters of the KDC's ETYPE-INFO2 and sends an encrypted timestamp
// (PA-ENC-TIMESTAMP). The AS-REP is then decrypted with the key derived
// from the password, so a wrong password is detected even for an account
// without pre-authentication. Every failure is typed: see ErrWrongPassword,
// ErrUnknownPrincipal, ErrNoEtype, ErrClockSkew, *KDCError,
// *UnreachableError and *ReplyTooLargeError.
package kdc

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/iana/patype"
	"github.com/jcmturner/gokrb5/v8/types"
)

const (
	// DefaultTimeout bounds a Login when Options.Timeout is zero.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxReply is the largest KDC reply read when Options.MaxReply
	// is zero.
	DefaultMaxReply = 64 << 10
	// defaultUDPLimit is MIT krb5's udp_preference_limit default, used when
	// the configuration has none.
	defaultUDPLimit = 1465
	// maxIterations bounds the PBKDF2 iteration count a KDC may ask for
	// (s2kparams): deriving the key cannot be interrupted, and a hostile
	// KDC could ask for 2^32 iterations (hours). Active Directory and MIT
	// use 4096 (aes*-sha1) and 32768 (aes*-sha2); 2^18 is 8 times the
	// latter and takes about 0.3 s for aes256-cts-hmac-sha1-96 (2^20 took
	// 1.2 s on a 2-core test machine).
	maxIterations = 1 << 18
	// defaultSkew is the allowed clock difference when the configuration
	// sets none.
	defaultSkew = 5 * time.Minute
)

// Options tune a Login; the zero value is ready to use.
type Options struct {
	// Timeout bounds the whole Login, DNS lookups, both rounds and every
	// KDC tried included (DefaultTimeout when zero). Each attempt (one KDC,
	// one transport) gets an equal share of the time left, at least 1 s.
	Timeout time.Duration
	// MaxReply is the largest reply accepted from a KDC, in bytes
	// (DefaultMaxReply when zero). A TCP reply's announced length is
	// checked before anything is allocated for it.
	MaxReply int
	// Dial connects to a KDC ("udp" or "tcp", "host:port"); net.Dialer's
	// DialContext when nil.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// LookupSRV finds the KDCs of a realm in DNS when the configuration
	// lists none and has dns_lookup_kdc = true; net.DefaultResolver's when
	// nil. It must return when its context is done: Login waits for it.
	LookupSRV func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	// Now is the clock for the pre-authentication timestamp, the ticket
	// lifetime and the clock skew check; time.Now when nil.
	Now func() time.Time
}

// Result describes a successful Login.
type Result struct {
	// KDC is the address that issued the ticket ("host:port").
	KDC string
	// Network is the transport of the last exchange, "udp" or "tcp".
	Network string
	// Etype is the encryption type of the reply, the one of the account's
	// key that the KDC used (gokrb5/v8/iana/etypeID).
	Etype int32
	// PreAuth tells whether the KDC required pre-authentication.
	PreAuth bool
	// AuthTime and EndTime are the ticket's, by the KDC's clock.
	AuthTime, EndTime time.Time
}

// Login performs an AS exchange for user@realm with password and checks
// the reply with the key derived from the password. user may have several
// components ("svc/host"); realm is cfg's default_realm when empty. The
// KDCs are those of realm in cfg's [realms] (in file order), else, when
// dns_lookup_kdc is true, those of the _kerberos SRV records. The
// password never appears in an error.
func Login(ctx context.Context, cfg *config.Config, user, realm, password string, opts Options) (*Result, error) {
	if cfg == nil {
		return nil, fmt.Errorf("no Kerberos configuration: %w", ErrNoKDC)
	}
	if realm == "" {
		realm = cfg.LibDefaults.DefaultRealm
	}
	cname, err := principal(user, realm)
	if err != nil {
		return nil, err
	}
	etypes := usableEtypes(cfg.LibDefaults.DefaultTktEnctypeIDs)
	if len(etypes) == 0 {
		return nil, fmt.Errorf("%w: default_tkt_enctypes (%s) lists none that this client supports (aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, the aes-sha2 types, des3-cbc-sha1, rc4-hmac; DES is not supported)",
			ErrNoEtype, strings.Join(cfg.LibDefaults.DefaultTktEnctypes, " "))
	}
	opts = opts.withDefaults()

	lctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	l := &login{
		ctx:      ctx,
		lctx:     lctx,
		cfg:      cfg,
		cname:    cname,
		realm:    realm,
		password: password,
		etypes:   etypes,
		opts:     opts,
		x: exchanger{
			limit:    cfg.LibDefaults.UDPPreferenceLimit,
			maxReply: opts.MaxReply,
			dial:     opts.Dial,
		},
	}
	if l.x.limit <= 0 {
		l.x.limit = defaultUDPLimit
	}
	if err := l.findServers(); err != nil {
		return nil, err
	}
	return l.run()
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxReply <= 0 {
		o.MaxReply = DefaultMaxReply
	}
	if o.Dial == nil {
		var d net.Dialer
		o.Dial = d.DialContext
	}
	if o.LookupSRV == nil {
		o.LookupSRV = net.DefaultResolver.LookupSRV
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// principal builds the client's name: user's "/"-separated components in
// realm.
func principal(user, realm string) (types.PrincipalName, error) {
	if user == "" {
		return types.PrincipalName{}, fmt.Errorf("%w: no user name", ErrBadPrincipal)
	}
	if realm == "" {
		return types.PrincipalName{}, fmt.Errorf("%w: no realm for %s, and no default_realm", ErrBadPrincipal, user)
	}
	pn := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, user)
	if slices.Contains(pn.NameString, "") {
		return types.PrincipalName{}, fmt.Errorf("%w: %q has an empty component", ErrBadPrincipal, user)
	}
	return pn, nil
}

// usableEtypes keeps the enctypes that gokrb5's crypto implements, in
// order.
func usableEtypes(ids []int32) []int32 {
	var out []int32
	for _, id := range ids {
		if _, err := crypto.GetEtype(id); err == nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// login is the state of one Login.
type login struct {
	ctx      context.Context // the caller's
	lctx     context.Context // the caller's, bounded by opts.Timeout
	cfg      *config.Config
	cname    types.PrincipalName
	realm    string
	password string
	etypes   []int32
	opts     Options
	x        exchanger
	// key is the last key derived from the password, kept to decrypt the
	// AS-REP without deriving it again.
	key       types.EncryptionKey
	keyParams keyParams
}

// keyParams say how to derive a key from the password.
type keyParams struct {
	etype     int32
	salt      string
	s2kparams string // hex, as gokrb5's StringToKey takes it
}

// findServers fills l.x.servers from the configuration or DNS.
func (l *login) findServers() error {
	servers, defined := configServers(l.cfg, l.realm)
	if len(servers) == 0 {
		if !l.cfg.LibDefaults.DNSLookupKDC {
			what := "has no kdc in [realms]"
			if !defined {
				what = "is not defined in [realms]" // realm names are case-sensitive
			}
			return fmt.Errorf("%w: realm %s %s of the configuration, and dns_lookup_kdc is off", ErrNoKDC, l.realm, what)
		}
		var errs []error
		servers, errs = srvServers(l.lctx, l.opts.LookupSRV, l.realm)
		l.x.attempts = append(l.x.attempts, errs...)
		if err := expired(l.ctx); err != nil {
			return fmt.Errorf("login cancelled: %w", err)
		}
		if len(servers) == 0 && len(errs) == 0 {
			return fmt.Errorf("%w: realm %s has no kdc in [realms] and no _kerberos SRV record in DNS", ErrNoKDC, l.realm)
		}
	}
	for _, s := range servers {
		if s.err != nil {
			l.x.attempts = append(l.x.attempts, &AttemptError{KDC: s.addr, Err: s.err})
		} else {
			l.x.servers = append(l.x.servers, s)
		}
	}
	if len(l.x.servers) == 0 {
		return l.unreachable()
	}
	return nil
}

// unreachable is the error when no KDC answered, or the caller's
// cancellation.
func (l *login) unreachable() error {
	if err := expired(l.ctx); err != nil {
		return fmt.Errorf("login cancelled: %w", err)
	}
	e := &UnreachableError{Realm: l.realm, Attempts: l.x.attempts}
	if expired(l.lctx) != nil {
		e.Timeout = l.opts.Timeout
	}
	return e
}

// exchange sends req, starting with servers[first], and returns the reply.
func (l *login) exchange(req *kdcReq, first int) (*reply, error) {
	b, err := marshalASReq(req)
	if err != nil {
		return nil, fmt.Errorf("encoding the AS-REQ: %w", err)
	}
	r, err := l.x.send(l.lctx, b, first)
	if err != nil {
		var tooLarge *ReplyTooLargeError
		if errors.As(err, &tooLarge) {
			return nil, err
		}
		return nil, l.unreachable()
	}
	if r == nil {
		return nil, l.unreachable()
	}
	return r, nil
}

func (l *login) run() (*Result, error) {
	req, err := l.newASReq()
	if err != nil {
		return nil, err
	}
	r, err := l.exchange(req, 0)
	if err != nil {
		return nil, err
	}
	preAuth := false
	if r.krbErr != nil {
		if r.krbErr.ErrorCode != errorcode.KDC_ERR_PREAUTH_REQUIRED {
			return nil, l.kdcError(r)
		}
		// Round 2: with an encrypted timestamp, to the KDC that asked.
		preAuth = true
		kp, err := l.preauthParams(r)
		if err != nil {
			return nil, err
		}
		if err := l.deriveKey(kp); err != nil {
			return nil, err
		}
		if err := l.addEncTimestamp(req); err != nil {
			return nil, err
		}
		if r, err = l.exchange(req, r.srv); err != nil {
			return nil, err
		}
		if r.krbErr != nil {
			return nil, l.kdcError(r)
		}
	}
	return l.verify(req, r, preAuth)
}

func (l *login) kdcError(r *reply) error {
	ke := r.krbErr
	st := ke.STime
	if !st.IsZero() && ke.Susec > 0 && ke.Susec < 1e6 {
		st = st.Add(time.Duration(ke.Susec) * time.Microsecond)
	}
	return &KDCError{KDC: l.x.servers[r.srv].addr, Code: ke.ErrorCode, Text: ke.EText, ServerTime: st}
}

// newASReq builds the AS-REQ for the realm's krbtgt, with the KDC options
// of the configuration and no addresses.
func (l *login) newASReq() (*kdcReq, error) {
	var nb [4]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return nil, err
	}
	now := l.opts.Now().UTC()
	lib := &l.cfg.LibDefaults
	kopts := types.NewKrbFlags()
	copy(kopts.Bytes, lib.KDCDefaultOptions.Bytes)
	if lib.Forwardable {
		types.SetFlag(&kopts, flags.Forwardable)
	}
	if lib.Proxiable {
		types.SetFlag(&kopts, flags.Proxiable)
	}
	if lib.Canonicalize {
		types.SetFlag(&kopts, flags.Canonicalize)
	}
	life := lib.TicketLifetime
	if life <= 0 {
		life = 24 * time.Hour
	}
	body := kdcReqBody{
		KDCOptions: kopts,
		Realm:      l.realm,
		CName:      l.cname,
		SName:      types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", l.realm}},
		Till:       now.Add(life),
		Nonce:      int64(binary.BigEndian.Uint32(nb[:]) & 0x7fffffff),
		EType:      l.etypes,
	}
	if lib.RenewLifetime > 0 {
		types.SetFlag(&body.KDCOptions, flags.Renewable)
		body.RTime = now.Add(lib.RenewLifetime)
	}
	return &kdcReq{
		PVNO:    iana.PVNO,
		MsgType: msgtype.KRB_AS_REQ,
		ReqBody: body,
	}, nil
}

// preauthParams reads how to derive the key from a
// KDC_ERR_PREAUTH_REQUIRED: the first entry of ETYPE-INFO2 (or of the
// older ETYPE-INFO) with an enctype that was requested, else the first
// requested enctype with the PW-SALT or the default salt (RFC 4120
// 5.2.7.5).
func (l *login) preauthParams(r *reply) (keyParams, error) {
	addr := l.x.servers[r.srv].addr
	var pas []paData
	if len(r.krbErr.EData) > 0 {
		var err error
		if pas, err = unmarshalSequence[paData](r.krbErr.EData); err != nil {
			return keyParams{}, fmt.Errorf("%w %s: pre-authentication required, with malformed e-data", ErrBadReply, addr)
		}
	}
	kp, found, err := l.paramsFrom(addr, pas, 0)
	if err != nil {
		return keyParams{}, err
	}
	if !found {
		kp = keyParams{etype: l.etypes[0]}
		for _, pa := range pas {
			if pa.Type == patype.PA_PW_SALT {
				kp.salt = string(pa.Value)
			}
		}
	}
	return kp, nil
}

// paramsFrom reads ETYPE-INFO2, else ETYPE-INFO, from pas: the first
// entry with a requested enctype (with enctype want only, when non-zero).
// found is false when pas has neither; an entry list without a usable
// enctype is ErrNoEtype.
func (l *login) paramsFrom(addr string, pas []paData, want int32) (kp keyParams, found bool, err error) {
	var offered []int32
	for _, typ := range []int32{patype.PA_ETYPE_INFO2, patype.PA_ETYPE_INFO} {
		for _, pa := range pas {
			if pa.Type != typ {
				continue
			}
			found = true
			var entries []keyParams
			var s2k [][]byte
			if typ == patype.PA_ETYPE_INFO2 {
				info, err := unmarshalSequence[etypeInfo2Entry](pa.Value)
				if err != nil {
					return kp, true, fmt.Errorf("%w %s: malformed ETYPE-INFO2", ErrBadReply, addr)
				}
				for _, e := range info {
					entries = append(entries, keyParams{etype: e.EType, salt: e.Salt})
					s2k = append(s2k, e.S2KParams)
				}
			} else {
				info, err := unmarshalSequence[etypeInfoEntry](pa.Value)
				if err != nil {
					return kp, true, fmt.Errorf("%w %s: malformed ETYPE-INFO", ErrBadReply, addr)
				}
				for _, e := range info {
					entries = append(entries, keyParams{etype: e.EType, salt: string(e.Salt)})
					s2k = append(s2k, nil)
				}
			}
			for i, e := range entries {
				offered = append(offered, e.etype)
				if !slices.Contains(l.etypes, e.etype) || (want != 0 && e.etype != want) {
					continue
				}
				if e.s2kparams, err = checkS2KParams(e.etype, s2k[i]); err != nil {
					return kp, true, fmt.Errorf("%w %s: %w", ErrBadReply, addr, err)
				}
				return e, true, nil
			}
		}
		if found {
			break // ETYPE-INFO2 takes precedence over ETYPE-INFO
		}
	}
	if found && want == 0 {
		return kp, true, fmt.Errorf("%w: the KDC %s offers only %s, none of those requested (%s)", ErrNoEtype, addr, etypeNames(offered), etypeNames(l.etypes))
	}
	return kp, false, nil
}

// checkS2KParams validates the string-to-key parameters of an AES enctype
// (a 4-byte PBKDF2 iteration count, RFC 3962 4 and RFC 8009 4) and
// returns them as hex; other enctypes take none.
func checkS2KParams(etype int32, p []byte) (string, error) {
	switch etype {
	case etypeID.AES128_CTS_HMAC_SHA1_96, etypeID.AES256_CTS_HMAC_SHA1_96,
		etypeID.AES128_CTS_HMAC_SHA256_128, etypeID.AES256_CTS_HMAC_SHA384_192:
	default:
		return "", nil
	}
	if len(p) == 0 {
		return "", nil // the enctype's default
	}
	if len(p) != 4 {
		return "", fmt.Errorf("%d bytes of string-to-key parameters, not 4", len(p))
	}
	iter := binary.BigEndian.Uint32(p)
	if iter == 0 || iter > maxIterations {
		n := uint64(iter)
		if n == 0 {
			n = 1 << 32 // RFC 3962 4: zero means 2^32
		}
		return "", fmt.Errorf("it asks for %d PBKDF2 iterations, more than the %d allowed", n, maxIterations)
	}
	return hex.EncodeToString(p), nil
}

// deriveKey derives l.key from the password, unless it already has kp.
func (l *login) deriveKey(kp keyParams) error {
	if l.key.KeyValue != nil && l.keyParams == kp {
		return nil
	}
	et, err := crypto.GetEtype(kp.etype)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNoEtype, etypeNames([]int32{kp.etype}))
	}
	salt := kp.salt
	if salt == "" {
		salt = l.cname.GetSalt(l.realm)
	}
	params := kp.s2kparams
	if params == "" {
		params = et.GetDefaultStringToKeyParams()
	}
	k, err := et.StringToKey(l.password, salt, params)
	if err != nil {
		return fmt.Errorf("deriving the %s key from the password: %w", etypeNames([]int32{kp.etype}), err)
	}
	l.key = types.EncryptionKey{KeyType: kp.etype, KeyValue: k}
	l.keyParams = kp
	return nil
}

// addEncTimestamp adds PA-ENC-TIMESTAMP (RFC 4120 5.2.7.2) to req,
// encrypted with l.key.
func (l *login) addEncTimestamp(req *kdcReq) error {
	now := l.opts.Now().UTC()
	ts, err := asn1.Marshal(paEncTSEnc{Timestamp: now.Truncate(time.Second), USec: now.Nanosecond() / 1000})
	if err != nil {
		return fmt.Errorf("encoding the pre-authentication timestamp: %w", err)
	}
	ed, err := crypto.GetEncryptedData(ts, l.key, keyusage.AS_REQ_PA_ENC_TIMESTAMP, 0)
	if err != nil {
		return fmt.Errorf("encrypting the pre-authentication timestamp: %w", err)
	}
	b, err := asn1.Marshal(ed)
	if err != nil {
		return fmt.Errorf("encoding the pre-authentication timestamp: %w", err)
	}
	req.PAData = append(req.PAData, paData{Type: patype.PA_ENC_TIMESTAMP, Value: b})
	return nil
}

// verify decrypts the AS-REP with the key derived from the password and
// checks that it answers req (nonce) and that the clocks agree.
func (l *login) verify(req *kdcReq, r *reply, preAuth bool) (*Result, error) {
	rep := r.rep
	addr := l.x.servers[r.srv].addr
	et := rep.EncPart.EType
	if !slices.Contains(l.etypes, et) {
		return nil, fmt.Errorf("%w %s: the reply is encrypted with %s, which was not requested", ErrBadReply, addr, etypeNames([]int32{et}))
	}
	// The salt of the reply's own ETYPE-INFO2 or PW-SALT, else that of the
	// pre-authentication when the enctype is the same, else the default.
	kp, found, err := l.paramsFrom(addr, rep.PAData, et)
	if err != nil {
		return nil, err
	}
	if !found {
		kp = keyParams{etype: et}
		if l.keyParams.etype == et {
			kp = l.keyParams
		}
		for _, pa := range rep.PAData {
			if pa.Type == patype.PA_PW_SALT {
				kp.salt, kp.s2kparams = string(pa.Value), ""
			}
		}
	}
	if err := l.deriveKey(kp); err != nil {
		return nil, err
	}
	plain, err := crypto.DecryptEncPart(rep.EncPart, l.key, keyusage.AS_REP_ENCPART)
	if err != nil {
		return nil, fmt.Errorf("%w (KDC %s)", ErrWrongPassword, addr)
	}
	enc, err := unmarshalEncASRepPart(plain)
	if err != nil {
		return nil, fmt.Errorf("%w %s: a malformed encrypted part", ErrBadReply, addr)
	}
	if enc.Nonce != req.ReqBody.Nonce {
		return nil, fmt.Errorf("%w %s: the reply answers another request (nonce)", ErrBadReply, addr)
	}
	now := l.opts.Now()
	skew := l.cfg.LibDefaults.Clockskew
	if skew <= 0 {
		skew = defaultSkew
	}
	if d := enc.AuthTime.Sub(now); d > skew || d < -skew {
		return nil, &ClockSkewError{KDC: addr, KDCTime: enc.AuthTime, LocalTime: now, Max: skew}
	}
	return &Result{
		KDC:      addr,
		Network:  r.network,
		Etype:    et,
		PreAuth:  preAuth,
		AuthTime: enc.AuthTime,
		EndTime:  enc.EndTime,
	}, nil
}

// etypeNames names enctypes as krb5.conf does ("aes256-cts-hmac-sha1-96").
func etypeNames(ids []int32) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, EtypeName(id))
	}
	return strings.Join(names, " ")
}

// EtypeName names an enctype as krb5.conf does ("aes256-cts-hmac-sha1-96",
// "rc4-hmac"), or "enctype N" when gokrb5 knows no name for it.
func EtypeName(id int32) string {
	if id == etypeID.RC4_HMAC {
		return "rc4-hmac"
	}
	// Several names map to one ID: the longest is the full one
	// ("aes256-cts-hmac-sha1-96", not "aes256-cts"); ties go to the first
	// in order, so the name is deterministic.
	name := ""
	for n, v := range etypeID.ETypesByName {
		if v == id && (len(n) > len(name) || (len(n) == len(name) && n < name)) {
			name = n
		}
	}
	if name == "" {
		return fmt.Sprintf("enctype %d", id)
	}
	return name
}
