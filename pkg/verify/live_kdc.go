package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/krb5conf"
)

// checkKDCResolvable resolves every KDC host of the krb5.conf, each lookup
// bounded by the timeout; the lookups run concurrently and are reported in
// file order.
func (l *live) kdcResolvable(ctx context.Context, f *krb5conf.File) {
	opts := l.opts
	kdcs := krb5conf.KDCHosts(f)
	if len(kdcs) == 0 {
		l.Addf(CheckKDCUnresolvable, finding.Info, l.krb5Path, "", "no kdc entry to resolve")
		return
	}
	r := opts.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	type answer struct {
		addrs []string
		err   error
	}
	// One lookup per distinct host name.
	answers := map[string]*answer{}
	var wg sync.WaitGroup
	for _, k := range kdcs {
		host := strings.ToLower(k.Host)
		if _, ok := answers[host]; ok {
			continue
		}
		a := &answer{}
		answers[host] = a
		if net.ParseIP(strings.TrimSuffix(k.Host, ".")) != nil {
			a.addrs = []string{k.Host}
			continue
		}
		wg.Add(1)
		go func(host string) {
			defer wg.Done()
			a.addrs, a.err = lookupHost(ctx, r, host, opts.timeout())
		}(k.Host)
	}
	wg.Wait()

	var resolved []string
	failed := false
	for _, k := range kdcs {
		a := answers[strings.ToLower(k.Host)]
		if a.err != nil {
			failed = true
			l.Addf(CheckKDCUnresolvable, finding.Error, l.krb5Path+":"+strconv.Itoa(k.Line),
				"fix the DNS record or the kdc name in krb5.conf: the connector host must resolve every KDC of its realm",
				"realm %s: cannot resolve the KDC %s: %s", k.Realm, k.Host, lookupDetail(a.err))
			continue
		}
		if net.ParseIP(strings.TrimSuffix(k.Host, ".")) != nil {
			resolved = append(resolved, k.Host)
		} else {
			resolved = append(resolved, fmt.Sprintf("%s (%s)", k.Host, strings.Join(a.addrs, ", ")))
		}
	}
	if !failed {
		noun := "KDCs"
		if len(kdcs) == 1 {
			noun = "KDC"
		}
		l.Addf(CheckKDCUnresolvable, finding.OK, l.krb5Path, "", "%d %s resolved: %s", len(kdcs), noun, strings.Join(resolved, "; "))
	}
}

// lookupHost resolves host within timeout, even when r ignores its
// context: a late answer is dropped.
func lookupHost(ctx context.Context, r Resolver, host string, timeout time.Duration) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		addrs []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("resolver failed: %v", p)}
			}
		}()
		addrs, err := r.LookupHost(ctx, host)
		if err == nil && len(addrs) == 0 {
			err = errors.New("no address")
		}
		done <- result{addrs, err}
	}()
	select {
	case res := <-done:
		return res.addrs, res.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer within %v", timeout)
		}
		return nil, ctx.Err()
	}
}

// lookupDetail says why a lookup failed, without repeating the host name
// that *net.DNSError puts in front.
func lookupDetail(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return "no such host"
		case dnsErr.IsTimeout:
			return "the DNS lookup timed out"
		}
		return dnsErr.Err
	}
	return err.Error()
}

// kdcFailure is why an AS exchange failed.
type kdcFailure int

const (
	kdcOther kdcFailure = iota
	kdcWrongPassword
	kdcUnknownPrincipal
	kdcUnreachable
	kdcEnctype
	kdcClockSkew
)

// krbErrorCode finds "KRB Error: (N)" in the text of gokrb5's errors:
// gokrb5 turns the KDC's messages.KRBError into text when it wraps it in a
// krberror.Krberror, so the code survives only there.
var krbErrorCode = regexp.MustCompile(`KRB Error: \((\d+)\)`)

// classifyKDCError tells why a gokrb5 login failed, and the KDC's error
// code when the KDC answered with one (0 otherwise).
func classifyKDCError(err error) (kdcFailure, int32) {
	var code int32
	var kerr messages.KRBError
	if errors.As(err, &kerr) {
		code = kerr.ErrorCode
	} else if m := krbErrorCode.FindStringSubmatch(err.Error()); m != nil {
		if n, e := strconv.ParseInt(m[1], 10, 32); e == nil {
			code = int32(n)
		}
	}
	switch code {
	case errorcode.KDC_ERR_PREAUTH_FAILED, errorcode.KRB_AP_ERR_BAD_INTEGRITY:
		return kdcWrongPassword, code
	case errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN:
		return kdcUnknownPrincipal, code
	case errorcode.KDC_ERR_ETYPE_NOSUPP:
		return kdcEnctype, code
	case errorcode.KRB_AP_ERR_SKEW:
		return kdcClockSkew, code
	case 0:
	default:
		return kdcOther, code
	}
	var ke krberror.Krberror
	if errors.As(err, &ke) {
		switch ke.RootCause {
		case krberror.NetworkingError:
			return kdcUnreachable, 0
		case krberror.DecryptingError, krberror.ChksumError:
			// Without pre-authentication the KDC answers anyone; the
			// AS-REP then fails its integrity check under the key derived
			// from a wrong password.
			return kdcWrongPassword, 0
		}
	}
	if strings.Contains(strings.ToLower(err.Error()), "clock skew") {
		return kdcClockSkew, 0 // gokrb5's own check of the AS-REP's authtime
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return kdcUnreachable, 0
	}
	return kdcOther, 0
}

// checkKDCLogin performs a Kerberos AS exchange for opts.KDCUser with the
// krb5.conf's gokrb5 configuration, as the connector daemon would, and
// tells apart wrong password, unknown principal, unreachable KDC,
// encryption type and clock skew failures.
func (l *live) kdcLogin(ctx context.Context, f *krb5conf.File) {
	opts := l.opts
	user, realm := opts.KDCUser, ""
	if i := strings.LastIndex(user, "@"); i >= 0 {
		user, realm = user[:i], user[i+1:]
	}
	cfg := f.Config
	if realm == "" {
		realm = krb5conf.DefaultRealm(f)
		if realm == "" && cfg != nil {
			realm = cfg.LibDefaults.DefaultRealm
		}
	}
	subject := opts.KDCUser
	if realm != "" && user != "" {
		subject = user + "@" + realm
	}
	if user == "" {
		l.Addf(CheckKDCLogin, finding.Error, subject, "give the account as user or user@REALM",
			"no user name in the Kerberos principal %q", opts.KDCUser)
		return
	}
	if realm == "" {
		l.Addf(CheckKDCLogin, finding.Error, subject, "give the account as user@REALM or set default_realm in [libdefaults]",
			"no realm for %s: the principal names none and krb5.conf has no default_realm", user)
		return
	}
	if cfg == nil {
		l.Addf(CheckKDCLogin, finding.Error, subject, "fix the krb5.conf problems reported above",
			"cannot log in: the Kerberos library could not load %s", l.krb5Path)
		return
	}
	kdcs, known := realmKDCs(cfg, realm)
	if !cfg.LibDefaults.DNSLookupKDC && len(kdcs) == 0 {
		what := "is not defined in [realms]"
		if known {
			what = "has no kdc in [realms]"
		}
		l.Addf(CheckKDCLogin, finding.Error, subject,
			fmt.Sprintf("add %s = { kdc = dc.example.com } to [realms] (realm names are case-sensitive)", realm),
			"cannot log in: no KDC to ask, realm %s %s", realm, what)
		return
	}
	if len(cfg.LibDefaults.DefaultTktEnctypeIDs) == 0 {
		l.Addf(CheckKDCLogin, finding.Error, subject, enctypeHint,
			"no usable encryption type: default_tkt_enctypes (%s) lists none that the Kerberos library supports; DES is not supported, as in current Active Directory and Java",
			strings.Join(cfg.LibDefaults.DefaultTktEnctypes, " "))
		return
	}

	err := login(ctx, user, realm, opts.KDCPassword.Reveal(), cfg, opts.timeout())
	if err == nil {
		from := "a KDC of " + realm
		switch {
		case len(kdcs) == 1:
			from = "the KDC " + kdcs[0]
		case len(kdcs) > 1:
			from += " (" + strings.Join(kdcs, ", ") + ")"
		}
		l.Addf(CheckKDCLogin, finding.OK, subject, "", "obtained a TGT from %s", from)
		return
	}
	detail := redact(krbDetail(err), opts.KDCPassword.Reveal())
	var lt *loginTimeout
	if errors.As(err, &lt) {
		l.Addf(CheckKDCLogin, finding.Error, subject, unreachableHint(realm),
			"KDC unreachable: no KDC of %s answered within %v", realm, lt.after)
		return
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		l.Addf(CheckKDCLogin, finding.Error, subject, "run the check again and let it finish", "the login was cancelled before a KDC answered: %s", detail)
		return
	}
	kind, code := classifyKDCError(err)
	kdcSaid := ""
	if code != 0 {
		kdcSaid = " (the KDC answered " + errorcode.Lookup(code) + ")"
	}
	switch kind {
	case kdcWrongPassword:
		if code != 0 {
			l.Addf(CheckKDCLogin, finding.Error, subject,
				"check the password given with --kdc-pass; it may have been changed in Active Directory",
				"wrong password for %s: the KDC rejected the pre-authentication%s", subject, kdcSaid)
		} else {
			l.Addf(CheckKDCLogin, finding.Error, subject,
				"check the password given with --kdc-pass; it may have been changed in Active Directory",
				"wrong password for %s: the KDC's reply does not decrypt with the key derived from the password (%s)", subject, innermost(detail))
		}
	case kdcUnknownPrincipal:
		l.Addf(CheckKDCLogin, finding.Error, subject,
			"check the account name and its realm (user@REALM; the realm is the AD domain in upper case)",
			"unknown principal %s: the KDC has no such account%s", subject, kdcSaid)
	case kdcUnreachable:
		l.Addf(CheckKDCLogin, finding.Error, subject, unreachableHint(realm),
			"KDC unreachable for realm %s: %s", realm, networkDetail(detail))
	case kdcEnctype:
		l.Addf(CheckKDCLogin, finding.Error, subject, enctypeHint,
			"no common encryption type with the KDC: it has no key for %s of the requested types (%s)%s",
			subject, strings.Join(sentEnctypes(cfg), " "), kdcSaid)
	case kdcClockSkew:
		l.Addf(CheckKDCLogin, finding.Error, subject,
			"synchronise this host's clock with the domain controllers (NTP); Kerberos tolerates 5 minutes",
			"clock skew too large between this host and the KDC%s", kdcSaid)
	default:
		if code != 0 {
			l.Addf(CheckKDCLogin, finding.Error, subject, "see the KDC's answer; check the account in Active Directory (disabled, locked, expired)",
				"the KDC refused the login of %s%s", subject, kdcSaid)
			return
		}
		l.Addf(CheckKDCLogin, finding.Error, subject, "check krb5.conf and the account", "Kerberos login failed: %s", detail)
	}
}

const enctypeHint = "list aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 in default_tkt_enctypes, default_tgs_enctypes and permitted_enctypes, and enable AES for the account in Active Directory"

func unreachableHint(realm string) string {
	return "check the kdc entries of " + realm + " in [realms] and that this host reaches them on port 88 (TCP and UDP; firewall)"
}

// realmKDCs returns the configured KDCs of realm and whether the realm is
// defined at all; it does no DNS lookup.
func realmKDCs(cfg *config.Config, realm string) ([]string, bool) {
	for _, r := range cfg.Realms {
		if r.Realm == realm {
			return r.KDC, true
		}
	}
	return nil, false
}

// loginTimeout is returned by login when no answer came within the timeout.
type loginTimeout struct{ after time.Duration }

func (e *loginTimeout) Error() string { return fmt.Sprintf("no answer within %v", e.after) }

// login runs gokrb5's AS exchange in a goroutine and waits at most timeout
// (and until ctx is done): gokrb5 has its own, longer network timeouts and
// no context, so a late login finishes in the background and is dropped.
func login(ctx context.Context, user, realm, password string, cfg *config.Config, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("the Kerberos library failed: %v", p)
			}
		}()
		cl := client.NewWithPassword(user, realm, password, cfg, client.DisablePAFXFAST(true))
		err := cl.Login()
		cl.Destroy()
		done <- err
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return &loginTimeout{after: timeout}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// krbDetail is the text of a gokrb5 error without its "[Root cause: X] "
// prefix.
func krbDetail(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "[Root cause: ") {
		if i := strings.Index(s, "] "); i >= 0 {
			s = s[i+2:]
		}
	}
	return s
}

// innermost is the last cause in a gokrb5 error text ("a: b: c" → "c").
func innermost(detail string) string {
	if i := strings.LastIndex(detail, ": "); i >= 0 {
		return detail[i+2:]
	}
	return detail
}

// gokrbNetNoise matches gokrb5's wrapping of a network error.
var gokrbNetNoise = regexp.MustCompile(`error (?:setting dial timeout on connection to|setting deadline on connection to|sneding to|resolving KDC address)(?: \S+)?: `)

// networkDetail keeps of a gokrb5 networking error the causes per KDC
// ("dial tcp 10.0.0.1:88: connect: connection refused").
func networkDetail(detail string) string {
	if i := strings.LastIndex(detail, "error sending to a KDC: "); i >= 0 {
		detail = detail[i+len("error sending to a KDC: "):]
	}
	return gokrbNetNoise.ReplaceAllString(detail, "")
}

// sentEnctypes names the enctypes gokrb5 puts in an AS-REQ: those of
// default_tkt_enctypes that it supports.
func sentEnctypes(cfg *config.Config) []string {
	var out []string
	for _, name := range cfg.LibDefaults.DefaultTktEnctypes {
		if etypeID.EtypeSupported(name) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// redact removes password from s: no library error is known to contain it,
// but a finding must never show it.
func redact(s, password string) string {
	if password == "" {
		return s
	}
	return strings.ReplaceAll(s, password, "***")
}
