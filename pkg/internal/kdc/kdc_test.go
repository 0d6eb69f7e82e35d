package kdc

import (
	"context"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/iana/patype"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/uccert/uccert/pkg/internal/judge"
)

const (
	realm     = judge.KDCRealm
	goodPass  = "Svc-Ucc-Secret-7"
	wrongPass = "Not-The-Password-9"
)

// confText is a krb5.conf for realm with kdcs and extra [libdefaults]
// lines.
func confText(extra string, kdcs ...string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "[libdefaults]\n\tdefault_realm = %s\n\tdns_lookup_kdc = false\n", realm)
	for _, l := range strings.Split(extra, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			sb.WriteString("\t" + l + "\n")
		}
	}
	fmt.Fprintf(&sb, "[realms]\n\t%s = {\n", realm)
	for _, k := range kdcs {
		sb.WriteString("\t\tkdc = " + k + "\n")
	}
	sb.WriteString("\t}\n")
	return sb.String()
}

func conf(t *testing.T, extra string, kdcs ...string) *config.Config {
	t.Helper()
	cfg, err := config.NewFromString(confText(extra, kdcs...))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

func loadConf(t *testing.T, path string) *config.Config {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config.Load(%s): %v", path, err)
	}
	return cfg
}

// dialLog records the dials of a Login.
type dialLog struct {
	mu    sync.Mutex
	dials []string // "udp 127.0.0.1:88"
}

func (d *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dials = append(d.dials, network+" "+addr)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

func (d *dialLog) networks() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, s := range d.dials {
		out = append(out, strings.Fields(s)[0])
	}
	return strings.Join(out, " ")
}

// checkErr fails t when err shows a password.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	t.Logf("error: %v", err)
	for _, p := range []string{goodPass, wrongPass} {
		if strings.Contains(err.Error(), p) {
			t.Errorf("the error shows a password: %v", err)
		}
	}
}

func wantKDCError(t *testing.T, err error, code int32) *KDCError {
	t.Helper()
	var ke *KDCError
	if !errors.As(err, &ke) {
		t.Fatalf("got %v (%T), want a *KDCError with %s", err, err, errorcode.Lookup(code))
	}
	if ke.Code != code {
		t.Errorf("got %s, want %s", errorcode.Lookup(ke.Code), errorcode.Lookup(code))
	}
	return ke
}

// gokrb5Code runs gokrb5's client, the oracle, and returns its KDC error
// code: 0 on success, -1 when the reply did not decrypt, -2 otherwise.
func gokrb5Code(t *testing.T, cfg *config.Config, user, pass string) int32 {
	t.Helper()
	cl := client.NewWithPassword(user, realm, pass, cfg, client.DisablePAFXFAST(true))
	defer cl.Destroy()
	err := cl.Login()
	if err == nil {
		return 0
	}
	if m := regexp.MustCompile(`KRB Error: \((\d+)\)`).FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return int32(n)
	}
	var ke krberror.Krberror
	if errors.As(err, &ke) && ke.RootCause == krberror.DecryptingError {
		return -1
	}
	t.Logf("gokrb5: %v", err)
	return -2
}

// ourCode classifies err as gokrb5Code does.
func ourCode(err error) int32 {
	var ke *KDCError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ke):
		return ke.Code
	case errors.Is(err, ErrWrongPassword):
		return -1
	}
	return -2
}

// Against a private MIT KDC, with gokrb5's client as an oracle for the
// outcome: good logins over UDP and TCP with AES-256 and AES-128, wrong
// passwords with and without pre-authentication, an unknown principal, no
// common enctype, clock skew.
func TestLoginMIT(t *testing.T) {
	k := judge.StartKDC(t)
	k.AddPrincipal(t, "svc-ucc", goodPass)
	k.AddPrincipalNoPreauth(t, "svc-nopreauth", goodPass)
	tcpConf := loadConf(t, k.Krb5Conf(t)) // udp_preference_limit = 1
	aes128 := loadConf(t, k.Krb5Conf(t, "aes128-cts-hmac-sha1-96"))
	udpConf := conf(t, "", k.Addr())

	cases := []struct {
		name       string
		cfg        *config.Config
		user, pass string
		code       int32 // as ourCode
		etype      int32
		network    string
		preAuth    bool
		sentinel   error
	}{
		{"aes256 tcp", tcpConf, "svc-ucc", goodPass, 0, etypeID.AES256_CTS_HMAC_SHA1_96, "tcp", true, nil},
		{"aes256 udp", udpConf, "svc-ucc", goodPass, 0, etypeID.AES256_CTS_HMAC_SHA1_96, "udp", true, nil},
		{"aes128", aes128, "svc-ucc", goodPass, 0, etypeID.AES128_CTS_HMAC_SHA1_96, "tcp", true, nil},
		{"no preauth", tcpConf, "svc-nopreauth", goodPass, 0, etypeID.AES256_CTS_HMAC_SHA1_96, "tcp", false, nil},
		{"wrong password", tcpConf, "svc-ucc", wrongPass, errorcode.KDC_ERR_PREAUTH_FAILED, 0, "", false, ErrWrongPassword},
		{"wrong password udp", udpConf, "svc-ucc", wrongPass, errorcode.KDC_ERR_PREAUTH_FAILED, 0, "", false, ErrWrongPassword},
		{"wrong password no preauth", tcpConf, "svc-nopreauth", wrongPass, -1, 0, "", false, ErrWrongPassword},
		{"unknown principal", tcpConf, "nobody", goodPass, errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN, 0, "", false, ErrUnknownPrincipal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var log dialLog
			res, err := Login(context.Background(), tc.cfg, tc.user, "", tc.pass, Options{Dial: log.dial, Timeout: 5 * time.Second})
			checkErr(t, err)
			if got := ourCode(err); got != tc.code {
				t.Fatalf("got %v (code %d), want code %d", err, got, tc.code)
			}
			if want := gokrb5Code(t, tc.cfg, tc.user, tc.pass); want != tc.code {
				t.Errorf("gokrb5's client gives code %d, we %d", want, tc.code)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.sentinel)
			}
			if err != nil {
				return
			}
			t.Logf("%+v (dials: %s)", res, log.networks())
			if res.KDC != k.Addr() || res.Etype != tc.etype || res.Network != tc.network || res.PreAuth != tc.preAuth {
				t.Errorf("got %+v, want KDC %s, etype %d, network %s, preauth %v", res, k.Addr(), tc.etype, tc.network, tc.preAuth)
			}
			if !res.EndTime.After(res.AuthTime) || time.Since(res.AuthTime).Abs() > time.Minute {
				t.Errorf("ticket times: auth %v, end %v", res.AuthTime, res.EndTime)
			}
		})
	}

	t.Run("only DES", func(t *testing.T) {
		des := loadConf(t, k.Krb5Conf(t, "des-cbc-crc", "des-cbc-md5"))
		var log dialLog
		_, err := Login(context.Background(), des, "svc-ucc", "", goodPass, Options{Dial: log.dial})
		checkErr(t, err)
		if !errors.Is(err, ErrNoEtype) || !strings.Contains(err.Error(), "des-cbc-crc des-cbc-md5") {
			t.Errorf("got %v, want ErrNoEtype naming the configured enctypes", err)
		}
		if log.dials != nil {
			t.Errorf("dialled %v with nothing to send", log.dials)
		}
	})
	t.Run("no key of the requested type", func(t *testing.T) {
		// The account has AES keys only.
		rc4 := loadConf(t, k.Krb5Conf(t, "rc4-hmac"))
		_, err := Login(context.Background(), rc4, "svc-ucc", "", goodPass, Options{})
		checkErr(t, err)
		wantKDCError(t, err, errorcode.KDC_ERR_ETYPE_NOSUPP)
		if !errors.Is(err, ErrNoEtype) {
			t.Errorf("errors.Is(%v, ErrNoEtype) is false", err)
		}
	})
	t.Run("clock skew, preauth", func(t *testing.T) {
		late := func() time.Time { return time.Now().Add(time.Hour) }
		_, err := Login(context.Background(), tcpConf, "svc-ucc", "", goodPass, Options{Now: late})
		checkErr(t, err)
		ke := wantKDCError(t, err, errorcode.KRB_AP_ERR_SKEW)
		if !errors.Is(err, ErrClockSkew) || time.Since(ke.ServerTime).Abs() > time.Minute {
			t.Errorf("got %v with server time %v", err, ke.ServerTime)
		}
	})
	t.Run("clock skew, no preauth", func(t *testing.T) {
		// The KDC does not check; the client does, on the ticket's authtime.
		late := func() time.Time { return time.Now().Add(time.Hour) }
		_, err := Login(context.Background(), tcpConf, "svc-nopreauth", "", goodPass, Options{Now: late})
		checkErr(t, err)
		var se *ClockSkewError
		if !errors.As(err, &se) || !errors.Is(err, ErrClockSkew) || !strings.Contains(err.Error(), "behind") {
			t.Errorf("got %v, want a *ClockSkewError", err)
		}
	})
	t.Run("principal with realm argument", func(t *testing.T) {
		if _, err := Login(context.Background(), tcpConf, "svc-ucc", realm, goodPass, Options{}); err != nil {
			t.Error(err)
		}
	})
	t.Run("tcp/ prefix", func(t *testing.T) {
		var log dialLog
		res, err := Login(context.Background(), conf(t, "", "tcp/"+k.Addr()), "svc-ucc", "", goodPass, Options{Dial: log.dial})
		if err != nil || res.Network != "tcp" || log.networks() != "tcp tcp" {
			t.Errorf("got %+v, %v, dials %q; want TCP only", res, err, log.networks())
		}
	})
	t.Run("DNS SRV", func(t *testing.T) {
		host, port, _ := net.SplitHostPort(k.Addr())
		p, _ := strconv.Atoi(port)
		var asked []string
		lookup := func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
			asked = append(asked, fmt.Sprintf("_%s._%s.%s", service, proto, name))
			return "", []*net.SRV{{Target: host + ".", Port: uint16(p)}}, nil
		}
		res, err := Login(context.Background(), conf(t, "dns_lookup_kdc = true"), "svc-ucc", "", goodPass, Options{LookupSRV: lookup})
		if err != nil || res.KDC != k.Addr() || res.Network != "udp" {
			t.Errorf("got %+v, %v; want a UDP login at %s", res, err, k.Addr())
		}
		if strings.Join(asked, " ") != "_kerberos._udp."+realm+" _kerberos._tcp."+realm {
			t.Errorf("looked up %v", asked)
		}
	})
	t.Run("next KDC", func(t *testing.T) {
		// A closed port, a KDC proxy and a KDC that is not available come
		// first; the login succeeds at the MIT KDC.
		unavailable := fakeKDC(t, nil, answerTCP(errorReply(t, errorcode.KDC_ERR_SVC_UNAVAILABLE, nil)))
		cfg := conf(t, "udp_preference_limit = 1", closedPort(t), "https://kdcproxy.uc.example.com/KdcProxy", unavailable, k.Addr())
		res, err := Login(context.Background(), cfg, "svc-ucc", "", goodPass, Options{})
		if err != nil || res.KDC != k.Addr() {
			t.Errorf("got %+v, %v; want a login at %s", res, err, k.Addr())
		}
	})
}

// closedPort is a loopback address where nothing listens, on TCP or UDP.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// fakeKDC serves one loopback port over UDP and TCP: udp answers each
// datagram (nil: no answer, or no UDP socket when the function is nil),
// tcp handles each connection (nil: connections refused).
func fakeKDC(t *testing.T, udp func(req []byte) []byte, tcp func(conn net.Conn)) string {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		var pc net.PacketConn
		if udp != nil {
			if pc, err = net.ListenPacket("udp", addr); err != nil {
				l.Close()
				continue
			}
			t.Cleanup(func() { pc.Close() })
			go serveUDP(pc, udp)
		}
		if tcp == nil {
			l.Close()
			return addr
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					defer conn.Close()
					tcp(conn)
				}()
			}
		}()
		return addr
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return ""
}

func serveUDP(pc net.PacketConn, answer func([]byte) []byte) {
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if b := answer(buf[:n]); b != nil {
			_, _ = pc.WriteTo(b, from)
		}
	}
}

// readTCPRequest reads one framed request.
func readTCPRequest(conn net.Conn) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint32(hdr[:]))
	_, err := io.ReadFull(conn, b)
	return b, err
}

// answerTCP answers every request with answer, framed.
func answerTCP(answer []byte) func(net.Conn) {
	return func(conn net.Conn) {
		for {
			if _, err := readTCPRequest(conn); err != nil {
				return
			}
			msg := binary.BigEndian.AppendUint32(nil, uint32(len(answer)))
			if _, err := conn.Write(append(msg, answer...)); err != nil {
				return
			}
		}
	}
}

// silentTCP reads until the client closes the connection.
func silentTCP(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) }

func errorReply(t testing.TB, code int32, edata []byte) []byte {
	t.Helper()
	e := messages.NewKRBError(types.NewPrincipalName(nametype.KRB_NT_SRV_INST, "krbtgt/"+realm), realm, code, "")
	e.EData = edata
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stdETypeInfo2Entry is ETYPE-INFO2-ENTRY for encoding/asn1: the salt is a
// GeneralString (tag 27), which encoding/asn1 cannot write from a string;
// it writes a RawValue as it is, so Salt carries its own [1] tag.
type stdETypeInfo2Entry struct {
	EType     int32         `asn1:"explicit,tag:0"`
	Salt      asn1.RawValue `asn1:"optional"`
	S2KParams []byte        `asn1:"explicit,optional,tag:2"`
}

// saltField is the [1] EXPLICIT KerberosString of an ETYPE-INFO2-ENTRY.
func saltField(t testing.TB, salt string) asn1.RawValue {
	t.Helper()
	gs, err := asn1.Marshal(asn1.RawValue{Tag: 27, Bytes: []byte(salt)})
	if err != nil {
		t.Fatal(err)
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: gs}
}

// preauthRequired is a KDC_ERR_PREAUTH_REQUIRED with an ETYPE-INFO2 of one
// entry.
func preauthRequired(t testing.TB, etype int32, salt string, s2kparams []byte) []byte {
	t.Helper()
	info, err := asn1.Marshal([]stdETypeInfo2Entry{{EType: etype, Salt: saltField(t, salt), S2KParams: s2kparams}})
	if err != nil {
		t.Fatal(err)
	}
	pas, err := asn1.Marshal([]types.PAData{{PADataType: patype.PA_ETYPE_INFO2, PADataValue: info}})
	if err != nil {
		t.Fatal(err)
	}
	return errorReply(t, errorcode.KDC_ERR_PREAUTH_REQUIRED, pas)
}

// asRep is an AS-REP for the AS-REQ req whose encrypted part is encrypted
// with the key of password (default salt); edit changes the encrypted part
// before encryption.
func asRep(t testing.TB, req []byte, etype int32, password string, edit func(*messages.EncKDCRepPart)) []byte {
	t.Helper()
	var ar messages.ASReq
	if err := ar.Unmarshal(req); err != nil {
		t.Fatalf("fake KDC: %v", err)
	}
	cname := ar.ReqBody.CName
	key, _, err := crypto.GetKeyFromPassword(password, cname, realm, etype, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	sname := types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", realm}}
	enc := messages.EncKDCRepPart{
		Key:      types.EncryptionKey{KeyType: etype, KeyValue: make([]byte, 32)},
		LastReqs: []messages.LastReq{{LRType: 0, LRValue: now}},
		Nonce:    ar.ReqBody.Nonce,
		AuthTime: now,
		EndTime:  now.Add(time.Hour),
		SRealm:   realm,
		SName:    sname,
	}
	if edit != nil {
		edit(&enc)
	}
	plain, err := enc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ed, err := crypto.GetEncryptedData(plain, key, keyusage.AS_REP_ENCPART, 1)
	if err != nil {
		t.Fatal(err)
	}
	rep := messages.ASRep{KDCRepFields: messages.KDCRepFields{
		PVNO: 5, MsgType: msgtype.KRB_AS_REP, CRealm: realm, CName: cname,
		Ticket:  messages.Ticket{TktVNO: 5, Realm: realm, SName: sname, EncPart: types.EncryptedData{EType: etype, Cipher: make([]byte, 64)}},
		EncPart: ed,
	}}
	b, err := rep.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tcpKDC answers each framed request with answer(request).
func tcpKDC(answer func(req []byte) []byte) func(net.Conn) {
	return func(conn net.Conn) {
		for {
			req, err := readTCPRequest(conn)
			if err != nil {
				return
			}
			b := answer(req)
			if _, err := conn.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)); err != nil {
				return
			}
		}
	}
}

// noLeak fails t when goroutines started after it remain once f returns
// (after a short grace for servers to see the connection closed).
func noLeak(t *testing.T, f func()) {
	t.Helper()
	before := runtime.NumGoroutine()
	f()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Fake KDCs: hostile or broken answers, silence, and answers a real KDC
// gives only in situations hard to set up.
func TestLoginFakeKDC(t *testing.T) {
	ctx := context.Background()

	t.Run("TCP reply of 4 GiB announced", func(t *testing.T) {
		addr := fakeKDC(t, nil, func(conn net.Conn) {
			if _, err := readTCPRequest(conn); err != nil {
				return
			}
			_, _ = conn.Write([]byte{0xff, 0xff, 0xff, 0xf0})
			_, _ = io.Copy(io.Discard, conn)
		})
		cfg := conf(t, "udp_preference_limit = 1", addr)
		var err error
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		noLeak(t, func() { _, err = Login(ctx, cfg, "svc-ucc", "", goodPass, Options{}) })
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		checkErr(t, err)
		var tl *ReplyTooLargeError
		if !errors.As(err, &tl) || tl.Size != 0xfffffff0 || tl.Max != DefaultMaxReply || tl.KDC != addr || tl.Network != "tcp" {
			t.Fatalf("got %v, want a *ReplyTooLargeError for %s", err, addr)
		}
		d := after.TotalAlloc - before.TotalAlloc
		t.Logf("allocated %d bytes in %v", d, elapsed)
		if d > 2<<20 {
			t.Errorf("the login allocated %d bytes", d)
		}
		if elapsed > 5*time.Second {
			t.Errorf("the login took %v", elapsed)
		}
	})
	t.Run("UDP reply larger than MaxReply", func(t *testing.T) {
		addr := fakeKDC(t, func([]byte) []byte { return make([]byte, 2000) }, nil)
		_, err := Login(ctx, conf(t, "", addr), "svc-ucc", "", goodPass, Options{MaxReply: 1000})
		checkErr(t, err)
		var tl *ReplyTooLargeError
		if !errors.As(err, &tl) || tl.Size != 2000 || tl.Max != 1000 || tl.Network != "udp" {
			t.Fatalf("got %v, want a *ReplyTooLargeError of 2000 bytes over UDP", err)
		}
	})
	t.Run("UDP garbage", func(t *testing.T) {
		addr := fakeKDC(t, func([]byte) []byte { return []byte("HTTP/1.1 400 Bad Request\r\n\r\n") }, nil)
		var log dialLog
		_, err := Login(ctx, conf(t, "", addr), "svc-ucc", "", goodPass, Options{Dial: log.dial})
		checkErr(t, err)
		var ue *UnreachableError
		if !errors.As(err, &ue) || !errors.Is(err, ErrBadReply) || ue.Timeout != 0 {
			t.Fatalf("got %v, want an *UnreachableError with ErrBadReply", err)
		}
		// Then TCP, refused: both attempts are listed.
		if log.networks() != "udp tcp" || len(ue.Attempts) != 2 || !strings.Contains(err.Error(), "refused") {
			t.Errorf("dials %q, attempts %v", log.networks(), ue.Attempts)
		}
	})
	t.Run("UDP response too big, then TCP", func(t *testing.T) {
		addr := fakeKDC(t,
			func([]byte) []byte { return errorReply(t, errorcode.KRB_ERR_RESPONSE_TOO_BIG, nil) },
			answerTCP(errorReply(t, errorcode.KDC_ERR_CLIENT_REVOKED, nil)))
		var log dialLog
		_, err := Login(ctx, conf(t, "", addr), "svc-ucc", "", goodPass, Options{Dial: log.dial})
		checkErr(t, err)
		wantKDCError(t, err, errorcode.KDC_ERR_CLIENT_REVOKED)
		if log.networks() != "udp tcp" {
			t.Errorf("dials %q, want udp then tcp", log.networks())
		}
	})
	t.Run("request above udp_preference_limit goes TCP first", func(t *testing.T) {
		addr := fakeKDC(t, func([]byte) []byte { return nil }, answerTCP(errorReply(t, errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN, nil)))
		var log dialLog
		_, err := Login(ctx, conf(t, "udp_preference_limit = 100", addr), "svc-ucc", "", goodPass, Options{Dial: log.dial})
		wantKDCError(t, err, errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN)
		if log.networks() != "tcp" {
			t.Errorf("dials %q, want tcp", log.networks())
		}
	})
	t.Run("UDP silent, TCP answers", func(t *testing.T) {
		// A firewall that drops UDP: TCP gets its turn in time.
		addr := fakeKDC(t, func([]byte) []byte { return nil }, answerTCP(errorReply(t, errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN, nil)))
		_, err := Login(ctx, conf(t, "", addr), "svc-ucc", "", goodPass, Options{Timeout: 3 * time.Second})
		wantKDCError(t, err, errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN)
	})
	for _, tc := range []struct{ name, prefix string }{{"silent UDP", "udp/"}, {"silent TCP", "tcp/"}} {
		t.Run(tc.name, func(t *testing.T) {
			addr := fakeKDC(t, func([]byte) []byte { return nil }, silentTCP)
			var err error
			start := time.Now()
			noLeak(t, func() {
				_, err = Login(ctx, conf(t, "", tc.prefix+addr), "svc-ucc", "", goodPass, Options{Timeout: 300 * time.Millisecond})
			})
			checkErr(t, err)
			var ue *UnreachableError
			if !errors.As(err, &ue) || ue.Timeout != 300*time.Millisecond || len(ue.Attempts) != 1 || !strings.Contains(err.Error(), "no answer within") {
				t.Fatalf("got %v, want an *UnreachableError after 300ms", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the login took %v with a 300 ms timeout", d)
			}
		})
	}
	t.Run("closed port", func(t *testing.T) {
		_, err := Login(ctx, conf(t, "", closedPort(t)), "svc-ucc", "", goodPass, Options{})
		checkErr(t, err)
		var ue *UnreachableError
		if !errors.As(err, &ue) || len(ue.Attempts) != 2 || ue.Timeout != 0 {
			t.Fatalf("got %v, want an *UnreachableError with a UDP and a TCP attempt", err)
		}
		for _, a := range ue.Attempts {
			if !strings.Contains(a.Error(), "connection refused") {
				t.Errorf("attempt %v: not refused", a)
			}
		}
	})
	t.Run("unresolvable KDC", func(t *testing.T) {
		_, err := Login(ctx, conf(t, "", "kdc.invalid"), "svc-ucc", "", goodPass, Options{})
		checkErr(t, err)
		var dnsErr *net.DNSError
		var ue *UnreachableError
		if !errors.As(err, &ue) || !errors.As(err, &dnsErr) || !strings.Contains(err.Error(), "kdc.invalid:88") {
			t.Fatalf("got %v, want an *UnreachableError with a DNS error", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		addr := fakeKDC(t, func([]byte) []byte { return nil }, nil)
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		var err error
		noLeak(t, func() {
			_, err = Login(cctx, conf(t, "", "udp/"+addr), "svc-ucc", "", goodPass, Options{Timeout: time.Minute})
		})
		var ue *UnreachableError
		if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ue) {
			t.Fatalf("got %v, want the context's error", err)
		}
	})
	t.Run("closed connection", func(t *testing.T) {
		addr := fakeKDC(t, nil, func(conn net.Conn) { _, _ = readTCPRequest(conn) })
		_, err := Login(ctx, conf(t, "", "tcp/"+addr), "svc-ucc", "", goodPass, Options{})
		checkErr(t, err)
		if !strings.Contains(err.Error(), "closed the connection") {
			t.Errorf("got %v", err)
		}
	})
	for _, tc := range []struct {
		name string
		s2k  []byte
	}{{"2^32 iterations", []byte{0, 0, 0, 0}}, {"too many iterations", []byte{0xff, 0xff, 0xff, 0xff}}, {"s2kparams of 5 bytes", []byte{0, 0, 0x10, 0, 0}}} {
		t.Run(tc.name, func(t *testing.T) {
			addr := fakeKDC(t, nil, answerTCP(preauthRequired(t, etypeID.AES256_CTS_HMAC_SHA1_96, "salt", tc.s2k)))
			_, err := Login(ctx, conf(t, "", "tcp/"+addr), "svc-ucc", "", goodPass, Options{})
			checkErr(t, err)
			if !errors.Is(err, ErrBadReply) {
				t.Errorf("got %v, want ErrBadReply", err)
			}
		})
	}
	t.Run("KDC offers an enctype not requested", func(t *testing.T) {
		addr := fakeKDC(t, nil, answerTCP(preauthRequired(t, etypeID.DES_CBC_MD5, "salt", nil)))
		_, err := Login(ctx, conf(t, "", "tcp/"+addr), "svc-ucc", "", goodPass, Options{})
		checkErr(t, err)
		if !errors.Is(err, ErrNoEtype) || !strings.Contains(err.Error(), "des-cbc-md5") {
			t.Errorf("got %v, want ErrNoEtype naming des-cbc-md5", err)
		}
	})
	t.Run("pre-authentication with a salt and iterations", func(t *testing.T) {
		// The fake checks the encrypted timestamp with the key of its
		// ETYPE-INFO2 (salt "ODD.SALTuser", 8192 iterations).
		const etype = etypeID.AES128_CTS_HMAC_SHA1_96
		et, _ := crypto.GetEtype(etype)
		kv, err := et.StringToKey(goodPass, "ODD.SALTuser", "00002000")
		if err != nil {
			t.Fatal(err)
		}
		key := types.EncryptionKey{KeyType: etype, KeyValue: kv}
		addr := fakeKDC(t, nil, tcpKDC(func(req []byte) []byte {
			var ar messages.ASReq
			if err := ar.Unmarshal(req); err != nil {
				return nil
			}
			for _, pa := range ar.PAData {
				if pa.PADataType != patype.PA_ENC_TIMESTAMP {
					continue
				}
				var ed types.EncryptedData
				if err := ed.Unmarshal(pa.PADataValue); err != nil {
					return errorReply(t, errorcode.KDC_ERR_PREAUTH_FAILED, nil)
				}
				plain, err := crypto.DecryptEncPart(ed, key, keyusage.AS_REQ_PA_ENC_TIMESTAMP)
				var ts types.PAEncTSEnc
				if err != nil || ts.Unmarshal(plain) != nil || time.Since(ts.PATimestamp).Abs() > time.Minute {
					return errorReply(t, errorcode.KDC_ERR_PREAUTH_FAILED, nil)
				}
				return errorReply(t, errorcode.KDC_ERR_KEY_EXPIRED, nil) // pre-authentication passed
			}
			return preauthRequired(t, etype, "ODD.SALTuser", []byte{0, 0, 0x20, 0})
		}))
		_, err = Login(ctx, conf(t, "", "tcp/"+addr), "svc-ucc", "", goodPass, Options{})
		wantKDCError(t, err, errorcode.KDC_ERR_KEY_EXPIRED)
		_, err = Login(ctx, conf(t, "", "tcp/"+addr), "svc-ucc", "", wrongPass, Options{})
		wantKDCError(t, err, errorcode.KDC_ERR_PREAUTH_FAILED)
	})
	t.Run("AS-REP checks", func(t *testing.T) {
		cases := []struct {
			name  string
			etype int32
			edit  func(*messages.EncKDCRepPart)
			want  error
		}{
			{"good", etypeID.AES256_CTS_HMAC_SHA1_96, nil, nil},
			{"nonce", etypeID.AES256_CTS_HMAC_SHA1_96, func(e *messages.EncKDCRepPart) { e.Nonce++ }, ErrBadReply},
			{"skew", etypeID.AES256_CTS_HMAC_SHA1_96, func(e *messages.EncKDCRepPart) { e.AuthTime = e.AuthTime.Add(-10 * time.Minute) }, ErrClockSkew},
			{"enctype not requested", etypeID.AES256_CTS_HMAC_SHA384_192, nil, ErrBadReply},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				addr := fakeKDC(t, nil, tcpKDC(func(req []byte) []byte { return asRep(t, req, tc.etype, goodPass, tc.edit) }))
				res, err := Login(ctx, conf(t, "", "tcp/"+addr), "svc-ucc", "", goodPass, Options{})
				checkErr(t, err)
				if tc.want == nil {
					if err != nil || res.PreAuth || res.Etype != tc.etype {
						t.Errorf("got %+v, %v", res, err)
					}
				} else if !errors.Is(err, tc.want) {
					t.Errorf("got %v, want %v", err, tc.want)
				}
			})
		}
	})
}

// Configuration problems found before anything is sent.
func TestLoginConfig(t *testing.T) {
	never := func(ctx context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("dialled %s %s", network, addr)
		return nil, errors.New("no")
	}
	notFound := func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
		return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	dnsDown := func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
		return "", nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
	}
	cases := []struct {
		name        string
		cfg         string
		user, realm string
		lookup      func(context.Context, string, string, string) (string, []*net.SRV, error)
		want        error
		phrase      string
	}{
		{"no kdc", confText(""), "svc", "", nil, ErrNoKDC, "realm UC.EXAMPLE.COM has no kdc in [realms]"},
		{"other realm", confText("", "127.0.0.1"), "svc", "OTHER.EXAMPLE.COM", nil, ErrNoKDC, "realm OTHER.EXAMPLE.COM is not defined in [realms]"},
		{"no SRV record", confText("dns_lookup_kdc = true"), "svc", "", notFound, ErrNoKDC, "no _kerberos SRV record"},
		{"DNS down", confText("dns_lookup_kdc = true"), "svc", "", dnsDown, &UnreachableError{}, "server misbehaving"},
		{"no user", confText("", "127.0.0.1"), "", "", nil, ErrBadPrincipal, "no user name"},
		{"empty component", confText("", "127.0.0.1"), "svc//x", "", nil, ErrBadPrincipal, "empty component"},
		{"only a KDC proxy", confText("", "https://kdcproxy.uc.example.com/KdcProxy"), "svc", "", nil, &UnreachableError{}, "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.NewFromString(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Login(context.Background(), cfg, tc.user, tc.realm, goodPass, Options{Dial: never, LookupSRV: tc.lookup})
			checkErr(t, err)
			if ue, ok := tc.want.(*UnreachableError); ok {
				if !errors.As(err, &ue) {
					t.Errorf("got %v, want an *UnreachableError", err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), tc.phrase) {
				t.Errorf("%q does not say %q", err, tc.phrase)
			}
		})
	}
	if _, err := Login(context.Background(), nil, "svc", realm, goodPass, Options{}); !errors.Is(err, ErrNoKDC) {
		t.Errorf("nil config: %v", err)
	}
}

func TestParseServer(t *testing.T) {
	cases := []struct {
		entry, addr string
		udp, tcp    bool
		bad         bool
	}{
		{"dc1.uc.example.com:88", "dc1.uc.example.com:88", true, true, false},
		{"tcp/dc1.uc.example.com:88", "dc1.uc.example.com:88", false, true, false},
		{"UDP/dc1.uc.example.com:750", "dc1.uc.example.com:750", true, false, false},
		{"tcp/dc1.uc.example.com", "dc1.uc.example.com:88", false, true, false},
		{"::1", "[::1]:88", true, true, false},
		{"[::1]:88", "[::1]:88", true, true, false},
		{"https://proxy/KdcProxy", "https://proxy/KdcProxy", true, true, true},
	}
	for _, tc := range cases {
		s := parseServer(tc.entry)
		if s.addr != tc.addr || s.udp != tc.udp || s.tcp != tc.tcp || (s.err != nil) != tc.bad {
			t.Errorf("parseServer(%q) = %+v", tc.entry, s)
		}
	}
}

// TestLinkedPackages keeps the reasons for this package: it must not link
// gokrb5's client (nor net/http), nor gokrb5's messages package and what
// that drags in, whose init functions cost every start of uccert:
// encoding/gob (through gokrb5's credentials), golang.org/x/net/http2/hpack
// (through gokrb5's pac and jcmturner/rpc). Of gokrb5 it links only the
// data types, the cryptography, the constants and the configuration.
func TestLinkedPackages(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = judge.Require(t, "go")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"net/http",
		"golang.org/x/net/http2",
		"golang.org/x/net/http2/hpack",
		"vendor/golang.org/x/net/http2/hpack",
		"encoding/gob",
		"github.com/jcmturner/gokrb5/v8/client",
		"github.com/jcmturner/gokrb5/v8/messages",
		"github.com/jcmturner/gokrb5/v8/credentials",
		"github.com/jcmturner/gokrb5/v8/pac",
		"github.com/jcmturner/gokrb5/v8/keytab",
		"github.com/jcmturner/gokrb5/v8/krberror",
		"github.com/jcmturner/rpc/v2/...",
	}
	const gokrb5 = "github.com/jcmturner/gokrb5/v8/"
	allowed := []string{"types", "crypto", "crypto/...", "iana", "iana/...", "config", "asn1tools"}
	matches := func(pkg, pattern string) bool {
		if p, ok := strings.CutSuffix(pattern, "/..."); ok {
			return pkg == p || strings.HasPrefix(pkg, p+"/")
		}
		return pkg == pattern
	}
	n := 0
	for _, pkg := range strings.Fields(string(out)) {
		n++
		for _, f := range forbidden {
			if matches(pkg, f) {
				t.Errorf("the package links %s", pkg)
			}
		}
		if rest, ok := strings.CutPrefix(pkg, gokrb5); ok && !slices.ContainsFunc(allowed, func(a string) bool { return matches(rest, a) }) {
			t.Errorf("the package links %s, not one of gokrb5's %v", pkg, allowed)
		}
	}
	if n < 10 {
		t.Errorf("go list -deps listed only %d packages:\n%s", n, out)
	}
}

// scriptConn is a net.Conn whose reads return reply (framed for TCP)
// whatever is written.
type scriptConn struct {
	net.Conn // nil: the methods not defined here are never called
	reply    []byte
	off      int
}

func (c *scriptConn) Read(b []byte) (int, error) {
	if c.off >= len(c.reply) {
		return 0, io.EOF
	}
	n := copy(b, c.reply[c.off:])
	c.off += n
	return n, nil
}
func (c *scriptConn) Write(b []byte) (int, error)      { return len(b), nil }
func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzReply gives Login any reply, over TCP, to both of its requests:
// every outcome is a declared error or a success, never a panic.
func FuzzReply(f *testing.F) {
	f.Add(errorReply(f, errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN, nil))
	f.Add(preauthRequired(f, etypeID.AES256_CTS_HMAC_SHA1_96, "UC.EXAMPLE.COMsvc", []byte{0, 0, 0x10, 0}))
	f.Add(preauthRequired(f, etypeID.RC4_HMAC, "", nil))
	f.Add(errorReply(f, errorcode.KDC_ERR_PREAUTH_REQUIRED, []byte{0x30, 0x03, 0x02, 0x01, 0x00}))
	f.Add([]byte("\x6b\x03\x02\x01\x05"))
	f.Add([]byte("garbage"))
	// The replies of a real MIT KDC (messages_test.go).
	for _, c := range mitCaptures {
		b, err := os.ReadFile(filepath.Join(mitDir, c.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	cfg, err := config.NewFromString(confText("udp_preference_limit = 1", "127.0.0.1:88"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, reply []byte) {
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			return &scriptConn{reply: append(binary.BigEndian.AppendUint32(nil, uint32(len(reply))), reply...)}, nil
		}
		res, err := Login(context.Background(), cfg, "svc", "", goodPass, Options{Dial: dial})
		if err == nil {
			if res == nil {
				t.Fatal("no result and no error")
			}
			return
		}
		var ke *KDCError
		var ue *UnreachableError
		var tl *ReplyTooLargeError
		var se *ClockSkewError
		switch {
		case errors.As(err, &ke), errors.As(err, &ue), errors.As(err, &tl), errors.As(err, &se),
			errors.Is(err, ErrWrongPassword), errors.Is(err, ErrBadReply), errors.Is(err, ErrNoEtype):
		default:
			t.Fatalf("undeclared error %T: %v", err, err)
		}
		if strings.Contains(err.Error(), goodPass) {
			t.Fatalf("the error shows the password: %v", err)
		}
	})
}
