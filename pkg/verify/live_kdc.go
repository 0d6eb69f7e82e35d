package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/internal/kdc"
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

// classifyKDCError tells why kdc.Login failed, and the KDC's error code
// when the KDC answered with a KRB-ERROR (0 otherwise).
func classifyKDCError(err error) (kdcFailure, int32) {
	var code int32
	var ke *kdc.KDCError
	if errors.As(err, &ke) {
		code = ke.Code
	}
	var ue *kdc.UnreachableError
	switch {
	case errors.As(err, &ue), errors.Is(err, kdc.ErrNoKDC):
		return kdcUnreachable, 0
	case errors.Is(err, kdc.ErrWrongPassword):
		return kdcWrongPassword, code
	case errors.Is(err, kdc.ErrUnknownPrincipal):
		return kdcUnknownPrincipal, code
	case errors.Is(err, kdc.ErrNoEtype):
		return kdcEnctype, code
	case errors.Is(err, kdc.ErrClockSkew):
		return kdcClockSkew, code
	}
	return kdcOther, code
}

// checkKDCLogin performs a Kerberos AS exchange for opts.KDCUser with the
// krb5.conf's configuration, as the connector daemon would, and tells
// apart wrong password, unknown principal, unreachable KDC, encryption
// type and clock skew failures.
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

	res, err := kdc.Login(ctx, cfg, user, realm, opts.KDCPassword.Reveal(), kdc.Options{Timeout: opts.timeout()})
	if err == nil {
		how := "without pre-authentication"
		if res.PreAuth {
			how = "with pre-authentication"
		}
		l.Addf(CheckKDCLogin, finding.OK, subject, "", "obtained a TGT from the KDC %s (%s over %s, %s)",
			res.KDC, kdc.EtypeName(res.Etype), strings.ToUpper(res.Network), how)
		return
	}
	detail := redact(err.Error(), opts.KDCPassword.Reveal())
	if ctx.Err() != nil {
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
			l.Addf(CheckKDCLogin, finding.Error, subject, hintKDCPassword,
				"wrong password for %s: the KDC rejected the pre-authentication%s", subject, kdcSaid)
		} else {
			l.Addf(CheckKDCLogin, finding.Error, subject, hintKDCPassword,
				"wrong password for %s: the KDC's reply does not decrypt with the key derived from the password", subject)
		}
	case kdcUnknownPrincipal:
		l.Addf(CheckKDCLogin, finding.Error, subject,
			"check the account name and its realm (user@REALM; the realm is the AD domain in upper case)",
			"unknown principal %s: the KDC has no such account%s", subject, kdcSaid)
	case kdcUnreachable:
		var ue *kdc.UnreachableError
		if !errors.As(err, &ue) {
			// kdc.ErrNoKDC: the configuration (or DNS) names no KDC.
			l.Addf(CheckKDCLogin, finding.Error, subject,
				fmt.Sprintf("add %s = { kdc = dc.example.com } to [realms] (realm names are case-sensitive)", realm),
				"cannot log in: %s", detail)
			return
		}
		l.Addf(CheckKDCLogin, finding.Error, subject, unreachableHint(realm), "KDC unreachable: %s", detail)
	case kdcEnctype:
		if code != 0 {
			l.Addf(CheckKDCLogin, finding.Error, subject, hintKDCEnctype,
				"no common encryption type with the KDC: it has no key for %s of the requested types (%s)%s",
				subject, strings.Join(sentEnctypes(cfg), " "), kdcSaid)
		} else {
			// This client supports none of default_tkt_enctypes, or the
			// KDC offers none of them.
			l.Addf(CheckKDCLogin, finding.Error, subject, hintKDCEnctype, "%s", detail)
		}
	case kdcClockSkew:
		l.Addf(CheckKDCLogin, finding.Error, subject,
			"synchronise this host's clock with the domain controllers (NTP); Kerberos tolerates 5 minutes",
			"%s", clockSkewMessage(err, kdcSaid))
	default:
		if code != 0 {
			l.Addf(CheckKDCLogin, finding.Error, subject, "see the KDC's answer; check the account in Active Directory (disabled, locked, expired)",
				"the KDC refused the login of %s%s", subject, kdcSaid)
			return
		}
		l.Addf(CheckKDCLogin, finding.Error, subject, "check that the kdc entries of krb5.conf name domain controllers of the realm, and the account",
			"Kerberos login failed: %s", detail)
	}
}

const (
	hintKDCPassword = "check the password given with --kdc-pass; it may have been changed in Active Directory"
	hintKDCEnctype  = "list aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 in default_tkt_enctypes, default_tgs_enctypes and permitted_enctypes, and enable AES for the account in Active Directory"
)

func unreachableHint(realm string) string {
	return "check the kdc entries of " + realm + " in [realms] and that this host reaches them on port 88 (TCP and UDP; firewall)"
}

// clockSkewMessage says that the clocks differ and, when known, by how
// much: a *kdc.ClockSkewError compares the ticket's authtime with this
// host's clock; a KRB_AP_ERR_SKEW carries the KDC's time.
func clockSkewMessage(err error, kdcSaid string) string {
	var se *kdc.ClockSkewError
	if errors.As(err, &se) {
		return se.Error()
	}
	msg := "clock skew too large between this host and the KDC" + kdcSaid
	var ke *kdc.KDCError
	if errors.As(err, &ke) && !ke.ServerTime.IsZero() {
		d := ke.ServerTime.Sub(time.Now())
		dir := "ahead of"
		if d < 0 {
			d, dir = -d, "behind"
		}
		if d = d.Round(time.Second); d > 0 {
			msg += fmt.Sprintf(": the KDC's clock is %v %s this host's", d, dir)
		}
	}
	return msg
}

// sentEnctypes names the enctypes of default_tkt_enctypes that the
// Kerberos library supports: those kdc.Login requests.
func sentEnctypes(cfg *config.Config) []string {
	var out []string
	for _, name := range cfg.LibDefaults.DefaultTktEnctypes {
		if etypeID.EtypeSupported(name) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// redact removes password from s: no error of kdc.Login contains it, but
// a finding must never show it. A password of fewer than 4 characters is
// left alone: replacing every "x" or "ab" would garble host names and
// words, not hide anything.
func redact(s, password string) string {
	if utf8.RuneCountInString(password) < 4 {
		return s
	}
	return strings.ReplaceAll(s, password, "***")
}
