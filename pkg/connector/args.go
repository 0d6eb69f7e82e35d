// Package connector reads and writes the UC Connector's store arguments.
//
// The connector takes its key material, trust store and Kerberos
// configuration from its command line:
//
//	-cert_store_file P -cert_store_pass S -cert_store_type T
//	-key_store_file P -key_store_pass S -key_store_type T
//	-krb_conf_file P
//
// either in Genesys Administrator's "Command Line Arguments" field or on
// the ucc-launcher.exe line of a startup.bat. In [ModeMTLS] the cert store
// holds the key entries and the key store is the trust store; in
// [ModeTLSKerberos] the cert store is the trust store and krb_conf_file
// names the krb5.conf.
//
// [Parse], [ParseCommandLine] and [ParseBatLine] read such a command line
// and report [Problem]s (a mistyped flag such as the deployment guide's
// own -ket_store_type, a missing value, a flag given twice, a store type
// other than jks or pkcs12, cmd.exe syntax that changes what the connector
// receives). [Args.Tokens] and [FormatGenesys], [FormatBat] and
// [FormatJSON] print arguments so that parsing the printed text gives the
// same Args back; the quoting rules are documented on each function.
//
// For the connector daemon, [Load] opens the stores the arguments name
// and returns a *tls.Config that chooses among all key entries by SNI
// (RSA and EC alike, unlike Java's key manager) and requires client
// certificates from the trust store's CAs; [Verify] runs every check of
// `uccert verify` on the arguments and returns the report. [Watch] keeps
// that configuration current while the files are replaced: certificate
// rotation without a restart.
//
// The package prints nothing and keeps no state. Problems and errors never
// contain a password.
package connector

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/internal/textdist"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// The connector's store flags.
const (
	FlagCertStoreFile = "-cert_store_file"
	FlagCertStorePass = "-cert_store_pass"
	FlagCertStoreType = "-cert_store_type"
	FlagKeyStoreFile  = "-key_store_file"
	FlagKeyStorePass  = "-key_store_pass"
	FlagKeyStoreType  = "-key_store_type"
	FlagKrbConfFile   = "-krb_conf_file"
)

// flagID indexes flagNames; the order is the order Tokens prints.
type flagID int

const (
	certFile flagID = iota
	certPass
	certType
	keyFile
	keyPass
	keyType
	krbConf
	numFlags
)

// flagNames is read-only.
var flagNames = [numFlags]string{
	FlagCertStoreFile, FlagCertStorePass, FlagCertStoreType,
	FlagKeyStoreFile, FlagKeyStorePass, FlagKeyStoreType,
	FlagKrbConfFile,
}

func (f flagID) isPass() bool { return f == certPass || f == keyPass }
func (f flagID) isType() bool { return f == certType || f == keyType }

// knownFlags returns the connector's store flags in the order Tokens
// prints them.
func knownFlags() []string { return append([]string(nil), flagNames[:]...) }

func lookupFlag(tok string) (flagID, bool) {
	for i, name := range flagNames {
		if tok == name {
			return flagID(i), true
		}
	}
	return 0, false
}

// Sentinel errors of the parsing and formatting functions.
var (
	// ErrUnbalancedQuote: a command line ends inside a double-quoted
	// argument.
	ErrUnbalancedQuote = errors.New("unbalanced double quote")
	// ErrBadCharacter: text that no Windows command line can carry: NUL,
	// a line break inside the line, or bytes that are not UTF-8.
	ErrBadCharacter = errors.New("character not allowed in a command line")
	// ErrTooLong: a line longer than Windows allows (MaxCommandLine,
	// MaxBatLine).
	ErrTooLong = errors.New("command line too long")
	// ErrLineContinuation: a batch-file line ends with cmd.exe's ^, which
	// joins it with the next line.
	ErrLineContinuation = errors.New("line ends with ^ (cmd.exe joins it with the next line)")
	// ErrBadLauncher: the launcher prefix given to FormatBat would not
	// pass the arguments to the launcher.
	ErrBadLauncher = errors.New("unusable launcher command line")
	// ErrBadMode: ParseMode got something other than mtls or tls-kerberos.
	ErrBadMode = errors.New("unknown mode (want mtls or tls-kerberos)")
	// ErrBadFormat: ParseFormat got something other than genesys, bat or json.
	ErrBadFormat = errors.New("unknown format (want genesys, bat or json)")
)

// Sentinels that the Problems of each kind wrap (errors.Is(p, ErrUnknownFlag)).
var (
	ErrUnknownFlag   = errors.New("unknown connector flag")
	ErrMissingValue  = errors.New("connector flag without a value")
	ErrDuplicateFlag = errors.New("connector flag given twice")
	ErrBadType       = errors.New("unsupported store type")
	ErrBatSyntax     = errors.New("cmd.exe changes the line")
)

// Mode is how the connector uses its stores.
type Mode int

// The modes of the deployment guide. The zero Mode is not valid.
const (
	// ModeMTLS: cert store = key entries (pkcs12 or jks), key store =
	// trust store (jks).
	ModeMTLS Mode = iota + 1
	// ModeTLSKerberos: cert store = trust store, krb_conf_file = krb5.conf.
	ModeTLSKerberos
)

// String returns "mtls" or "tls-kerberos".
func (m Mode) String() string {
	switch m {
	case ModeMTLS:
		return "mtls"
	case ModeTLSKerberos:
		return "tls-kerberos"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// ParseMode parses "mtls" or "tls-kerberos", case-insensitively; anything
// else wraps ErrBadMode.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "mtls":
		return ModeMTLS, nil
	case "tls-kerberos":
		return ModeTLSKerberos, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrBadMode, s)
}

// MarshalText implements encoding.TextMarshaler (JSON "mode").
func (m Mode) MarshalText() ([]byte, error) {
	if m != ModeMTLS && m != ModeTLSKerberos {
		return nil, fmt.Errorf("%w: %s", ErrBadMode, m)
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// StoreArgs are the arguments of one store.
type StoreArgs struct {
	File string // "" when absent
	// Pass is the store password; it prints as "[redacted]" with every
	// fmt verb, in slog and in JSON (secret.Password).
	Pass secret.Password
	Type string // "jks" or "pkcs12" (normalised to lower case); any other value as given; "" when absent
	// HasPass tells an empty password (given as "") from an absent one.
	HasPass bool
}

// Equal reports whether s and o hold the same arguments (== compares the
// passwords' pointers, not their text).
func (s StoreArgs) Equal(o StoreArgs) bool {
	return s.File == o.File && s.Type == o.Type && s.HasPass == o.HasPass && s.Pass.Equal(o.Pass)
}

// Args are the connector's store arguments.
type Args struct {
	CertStore StoreArgs
	KeyStore  StoreArgs
	KrbConf   string // "" when absent
	// Other holds the tokens that are not store arguments, in order: the
	// program (when the line had one), -host X, -port Y, -app NAME,
	// -l FILE, -http_port N... A mistyped store flag (and its value) is a
	// Problem, never an Other token: a daemon can hand Other to its own
	// flag parser without seeing a password.
	Other []string
}

// Mode returns the mode the arguments alone say: ModeTLSKerberos when a
// krb5.conf is given, else ModeMTLS. DecideMode also looks at the cert
// store's content, as Check and Load do.
func (a *Args) Mode() Mode {
	if a.KrbConf != "" {
		return ModeTLSKerberos
	}
	return ModeMTLS
}

// Tokens returns the store arguments (not Other), passwords included, in
// the connector's order: -cert_store_file P -cert_store_pass S -cert_store_type T, then
// the same for -key_store_*, then -krb_conf_file P. Empty File, Type and
// KrbConf values are left out, and so is a password when HasPass is false.
//
// Parse(a.Tokens()) gives a back, except that a value equal to a store
// flag cannot be written (the connector would read it as the next flag),
// nor a file or type that itself looks like a store flag.
func (a *Args) Tokens() []string {
	var t []string
	for _, s := range []struct {
		st               StoreArgs
		file, pass, kind string
	}{
		{a.CertStore, FlagCertStoreFile, FlagCertStorePass, FlagCertStoreType},
		{a.KeyStore, FlagKeyStoreFile, FlagKeyStorePass, FlagKeyStoreType},
	} {
		if s.st.File != "" {
			t = append(t, s.file, s.st.File)
		}
		if s.st.HasPass {
			t = append(t, s.pass, s.st.Pass.Reveal())
		}
		if s.st.Type != "" {
			t = append(t, s.kind, s.st.Type)
		}
	}
	if a.KrbConf != "" {
		t = append(t, FlagKrbConfFile, a.KrbConf)
	}
	return t
}

// ProblemKind classifies a Problem.
type ProblemKind int

// Problem kinds. The zero ProblemKind is not valid.
const (
	// ProblemUnknownFlag: a token that looks like a store flag but is
	// none (-ket_store_type, -cert_store_<path>, -CERT_STORE_FILE,
	// -cert_store_pass=x); Suggestion is the closest store flag.
	ProblemUnknownFlag ProblemKind = iota + 1
	// ProblemMissingValue: a store flag at the end of the line, followed
	// by another store flag, or with an empty file or type value.
	ProblemMissingValue
	// ProblemDuplicate: a store flag given twice; the last one wins.
	ProblemDuplicate
	// ProblemBadType: a store type other than jks or pkcs12; Suggestion
	// is the type probably meant, if any.
	ProblemBadType
	// ProblemBatSyntax: cmd.exe syntax in a batch-file line that changes
	// what the launcher receives (ParseBatLine only): an unquoted &, |,
	// < or >, a lone %, or a %VAR% reference that uccert cannot expand.
	// Flag holds the construct.
	ProblemBatSyntax
)

// String returns "unknown-flag", "missing-value", "duplicate",
// "bad-type" or "bat-syntax".
func (k ProblemKind) String() string {
	switch k {
	case ProblemUnknownFlag:
		return "unknown-flag"
	case ProblemMissingValue:
		return "missing-value"
	case ProblemDuplicate:
		return "duplicate"
	case ProblemBadType:
		return "bad-type"
	case ProblemBatSyntax:
		return "bat-syntax"
	}
	return "ProblemKind(" + strconv.Itoa(int(k)) + ")"
}

func (k ProblemKind) sentinel() error {
	switch k {
	case ProblemUnknownFlag:
		return ErrUnknownFlag
	case ProblemMissingValue:
		return ErrMissingValue
	case ProblemDuplicate:
		return ErrDuplicateFlag
	case ProblemBadType:
		return ErrBadType
	case ProblemBatSyntax:
		return ErrBatSyntax
	}
	return nil
}

// Problem is something wrong with a command line. It is an error that
// wraps the sentinel of its Kind; its Message never contains a password.
type Problem struct {
	Kind ProblemKind
	// Flag is the flag concerned: the known flag for a missing value, a
	// duplicate or a bad type; the unknown token (up to a '=') for an
	// unknown flag; the cmd.exe construct for bat syntax.
	Flag string
	// Suggestion is the flag (or type) probably meant, or "".
	Suggestion string
	// Index is the position in the argument list of the token
	// concerned, or -1 for bat syntax outside any argument (a
	// redirection, a command separator); bat-syntax Messages also give
	// the column in the line.
	Index int
	// Message is a complete sentence fragment for humans.
	Message string
}

// Error returns p.Message.
func (p Problem) Error() string { return p.Message }

// Unwrap returns the sentinel of p.Kind.
func (p Problem) Unwrap() error { return p.Kind.sentinel() }

// role is what a token is in an argument list.
type role uint8

const (
	roleOther        role = iota // kept in Other
	roleFlag                     // a known flag with its value next
	roleValue                    // the value of the known flag before it
	roleMissing                  // a known flag without a value
	roleUnknown                  // a store-like flag that is none: a Problem, not kept
	roleUnknownValue             // its value; not kept
)

type tokenInfo struct {
	role role
	flag flagID // for roleFlag, roleValue, roleMissing
	// for roleUnknown: the token up to '=', whether it had one, and the
	// closest known flag
	name string
	sep  string // the '=' or ':' between the flag and a value in the same token, or ""
	sugg flagID
}

// scan classifies every token of argv. Parse and Redact share it, so that
// a password that looks like a flag is treated alike by both.
func scan(argv []string) []tokenInfo {
	info := make([]tokenInfo, len(argv))
	for i := 0; i < len(argv); i++ {
		tok := argv[i]
		if f, ok := lookupFlag(tok); ok {
			if i+1 == len(argv) || !acceptsValue(f, argv[i+1]) {
				info[i] = tokenInfo{role: roleMissing, flag: f}
				continue
			}
			info[i] = tokenInfo{role: roleFlag, flag: f}
			i++
			info[i] = tokenInfo{role: roleValue, flag: f}
			continue
		}
		name, sep, ok := storeLike(tok)
		inline := sep != ""
		if !ok {
			continue // roleOther
		}
		next, hasNext := "", i+1 < len(argv)
		if hasNext {
			next = argv[i+1]
		}
		sugg := suggestFlag(name, next, hasNext && !inline)
		info[i] = tokenInfo{role: roleUnknown, name: name, sep: sep, sugg: sugg}
		if !inline && hasNext && acceptsValue(sugg, next) {
			i++
			info[i] = tokenInfo{role: roleUnknownValue, sugg: sugg}
		}
	}
	return info
}

// acceptsValue reports whether next is taken as the value of flag f. A
// known flag is never a value. A password may start with '-' (even look
// like a mistyped flag); a file or a type that looks like a store flag is
// taken to be one.
func acceptsValue(f flagID, next string) bool {
	if _, known := lookupFlag(next); known {
		return false
	}
	if f.isPass() {
		return true
	}
	_, _, like := storeLike(next)
	return !like
}

// storeLike reports whether tok looks like a store flag that is none:
// it starts with '-' and, ignoring case and extra leading dashes, starts
// with cert_, key_, ket_, krb_ (or -, or no separator), or is within edit
// distance 3 of a store flag. name is tok up to the first '=' or ':', sep
// that separator when there is one (-cert_store_pass=x,
// -cert_store_pass:x): what follows it may be a password.
func storeLike(tok string) (name, sep string, ok bool) {
	if !strings.HasPrefix(tok, "-") {
		return "", "", false
	}
	if _, known := lookupFlag(tok); known {
		return "", "", false
	}
	name = tok
	if i := strings.IndexAny(tok, "=:"); i >= 0 {
		name, sep = tok[:i], tok[i:i+1]
	}
	bare := strings.ToLower(strings.TrimLeft(name, "-"))
	for _, p := range []string{"cert_", "cert-", "certstore", "key_", "key-", "keystore", "ket_", "krb_", "krb-", "krb5", "krbconf"} {
		if strings.HasPrefix(bare, p) {
			return name, sep, true
		}
	}
	if _, near := textdist.Closest("-"+bare, flagNames[:], 3); near {
		return name, sep, true
	}
	return "", "", false
}

// suggestFlag returns the store flag closest to name. The words in name
// (file, path, pass, type, ...) and else the shape of the value that
// follows it narrow the choice, so that the guide's -cert_store_<path>
// C:\certs\trust.jks suggests -cert_store_file, not the nearer by letters
// -cert_store_pass.
func suggestFlag(name, value string, hasValue bool) flagID {
	bare := "-" + strings.ToLower(strings.TrimLeft(name, "-"))
	if f, ok := lookupFlag(bare); ok {
		return f // -CERT_STORE_FILE, --cert_store_file
	}
	isFile := func(f flagID) bool { return f == certFile || f == keyFile || f == krbConf }
	var want func(flagID) bool
	switch {
	case strings.Contains(bare, "type") || strings.Contains(bare, "format"):
		want = flagID.isType
	case strings.Contains(bare, "pass") || strings.Contains(bare, "pwd"):
		want = flagID.isPass
	case strings.Contains(bare, "file") || strings.Contains(bare, "path") || strings.Contains(bare, "conf"):
		want = isFile
	case hasValue && normaliseType(value) != "":
		want = flagID.isType
	case hasValue && looksLikePath(value):
		want = isFile
	}
	var cands []string
	for i, n := range flagNames {
		if want == nil || want(flagID(i)) {
			cands = append(cands, n)
		}
	}
	best, _ := textdist.Closest(bare, cands, max(len(bare), 16))
	f, _ := lookupFlag(best)
	return f
}

func looksLikePath(v string) bool {
	if strings.ContainsAny(v, `\/`) {
		return true
	}
	l := strings.ToLower(v)
	for _, ext := range []string{".jks", ".p12", ".pfx", ".keystore", ".truststore", ".conf", ".ini"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}

// normaliseType returns "jks" or "pkcs12" for a valid store type, by the
// one rule keystore.ParseStoreType states, else "".
func normaliseType(v string) string {
	f, err := keystore.ParseStoreType(v)
	if err != nil {
		return ""
	}
	return f.String()
}

// knownTypeName reports whether v is the name of a keystore type (one the
// connector reads or not): such a value is shown in messages; any other
// value in a type's place may be a password typed there, and is not.
func knownTypeName(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "jks", "pkcs12", "p12", "pfx", "pkcs#12", "pkcs-12", "pkcs_12", "pkcs 12", "pkcs",
		"java", "javakeystore", "keystore", "jceks", "bks", "pkcs11", "windows-my", "windows-root", "dks", "caseexactjks":
		return true
	}
	return false
}

// badTypeMessage says that v, given to flag, is no store type the
// connector reads, naming v only when it is a type name.
func badTypeMessage(flag, v string) string {
	shown := "(the value is not shown: it may be a password typed in the wrong place)"
	if knownTypeName(v) {
		shown = quoteName(v)
	}
	msg := fmt.Sprintf("%s %s is not a store type the connector reads (jks or pkcs12)", flag, shown)
	if s := suggestType(v); s != "" {
		msg += "; did you mean " + s + "?"
	}
	return msg
}

// suggestType returns the type probably meant by a bad one, or "".
func suggestType(v string) string {
	l := strings.ToLower(strings.TrimSpace(v))
	switch l {
	case "jks", "pkcs12": // with spaces around
		return l
	case "p12", "pfx", "pkcs#12", "pkcs-12", "pkcs_12", "pkcs 12", "pkcs":
		return "pkcs12"
	case "java", "javakeystore", "keystore":
		return "jks"
	case "jceks", "bks", "pkcs11", "windows-my", "windows-root":
		return "" // real formats, but not ones the connector reads
	}
	if s, ok := textdist.Closest(l, []string{"jks", "pkcs12"}, 2); ok {
		return s
	}
	return ""
}

// quoteName shows a token in a message, shortened when long.
func quoteName(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:40]) + "..."
	}
	return strconv.Quote(s)
}

// Parse reads the connector's arguments from argv (already split into
// tokens, with or without the program name first).
//
// A store flag takes the next token as its value unless that token is
// another store flag (then the value is missing). A password may start
// with '-': -cert_store_pass -x9 sets the password "-x9". A file or type
// value that itself looks like a store flag is taken as a missing value.
// A flag given twice is reported and the last one wins. Store types jks
// and pkcs12 are accepted in any case and normalised to lower case; any
// other type is kept as given and reported. Tokens that look like store
// flags but are none are reported with the closest store flag and left
// out, with their value; every other token is kept in Other.
//
// Parse never fails: the Args hold what the connector would read, and the
// Problems what is wrong with it (nil when nothing is). A nil argv gives
// empty Args.
func Parse(argv []string) (*Args, []Problem) {
	a := &Args{}
	var probs []Problem
	var seen [numFlags]bool
	info := scan(argv)
	for i, in := range info {
		tok := argv[i]
		switch in.role {
		case roleOther:
			a.Other = append(a.Other, tok)
		case roleUnknown:
			sugg := flagNames[in.sugg]
			msg := fmt.Sprintf("unknown flag %s; did you mean %s?", quoteName(in.name), sugg)
			if in.sep != "" {
				msg = fmt.Sprintf("unknown flag %s: the connector takes a value as the next argument, not after '%s' (write %s VALUE)", quoteName(in.name+in.sep+"..."), in.sep, sugg)
			}
			probs = append(probs, Problem{Kind: ProblemUnknownFlag, Flag: in.name, Suggestion: sugg, Index: i, Message: msg})
		case roleMissing:
			msg := tok + " has no value (it is the last argument)"
			if i+1 < len(argv) {
				msg = tok + " has no value (it is followed by " + quoteName(argv[i+1]) + ")"
			}
			probs = append(probs, Problem{Kind: ProblemMissingValue, Flag: tok, Index: i, Message: msg})
		case roleFlag:
			if seen[in.flag] {
				probs = append(probs, Problem{Kind: ProblemDuplicate, Flag: tok, Index: i,
					Message: tok + " is given more than once; the connector uses the last"})
			}
			seen[in.flag] = true
		case roleValue:
			if p, ok := a.set(in.flag, tok, i-1); !ok {
				probs = append(probs, p)
			}
		}
	}
	return a, probs
}

// set stores the value v of flag f (at index i) in a.
func (a *Args) set(f flagID, v string, i int) (Problem, bool) {
	name := flagNames[f]
	st := &a.CertStore
	if f >= keyFile && f <= keyType {
		st = &a.KeyStore
	}
	switch {
	case f.isPass():
		st.Pass, st.HasPass = secret.NewPassword(v), true
		return Problem{}, true
	case v == "":
		if f == krbConf {
			a.KrbConf = ""
		} else if f.isType() {
			st.Type = ""
		} else {
			st.File = ""
		}
		return Problem{Kind: ProblemMissingValue, Flag: name, Index: i, Message: name + " has an empty value"}, false
	case f == krbConf:
		a.KrbConf = v
	case f.isType():
		if t := normaliseType(v); t != "" {
			st.Type = t
			return Problem{}, true
		}
		st.Type = v
		return Problem{Kind: ProblemBadType, Flag: name, Index: i, Suggestion: suggestType(v), Message: badTypeMessage(name, v)}, false
	default:
		st.File = v
	}
	return Problem{}, true
}
