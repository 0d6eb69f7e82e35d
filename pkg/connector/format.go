package connector

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uccert/uccert/pkg/internal/winarg"
)

// Format is a way to print connector arguments.
type Format int

// The formats of `uccert args --format`. The zero Format is not valid.
const (
	Genesys Format = iota + 1 // FormatGenesys: the Command Line Arguments field
	Bat                       // FormatBat: a startup.bat line
	JSON                      // FormatJSON: {"mode":..,"args":[..]}
)

// String returns "genesys", "bat" or "json".
func (f Format) String() string {
	switch f {
	case Genesys:
		return "genesys"
	case Bat:
		return "bat"
	case JSON:
		return "json"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat parses "genesys", "bat" or "json", case-insensitively;
// anything else wraps ErrBadFormat.
func ParseFormat(s string) (Format, error) {
	for _, f := range []Format{Genesys, Bat, JSON} {
		if strings.EqualFold(s, f.String()) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrBadFormat, s)
}

// checkTokens rejects tokens that no command line can carry.
func checkTokens(tokens []string) error {
	for i, t := range tokens {
		if strings.ContainsAny(t, "\x00\r\n") {
			return fmt.Errorf("%w: argument %d contains NUL or a line break", ErrBadCharacter, i+1)
		}
		if !utf8.ValidString(t) {
			return fmt.Errorf("%w: argument %d is not valid UTF-8", ErrBadCharacter, i+1)
		}
	}
	return nil
}

// quoteArg writes s so that the C runtime's splitting (ParseCommandLine)
// gives s back: as is when it is not empty and has no space, tab or double
// quote (unless force is set), else quoted by winarg.Quote.
func quoteArg(s string, force bool) string {
	if !force && s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	return winarg.Quote(s)
}

// FormatGenesys returns tokens as one line for Genesys Administrator's
// Command Line Arguments field, which the connector receives without a
// shell. Tokens are separated by one space. A token that is empty or
// contains a space, a tab or a double quote is enclosed in double quotes,
// with Windows (C runtime) escaping: a double quote inside is written \",
// backslashes just before a double quote or before the closing quote are
// doubled, other backslashes stay single:
//
//	C:\Program Files\GCTI\ucc\ucc.p12  →  "C:\Program Files\GCTI\ucc\ucc.p12"
//	C:\certs\ x                        →  "C:\certs\ x"
//	C:\my certs\                       →  "C:\my certs\\"
//	pa"ss                              →  "pa\"ss"
//	(empty)                            →  ""
//
// Any other token, including C:\certs\ and 50%&^, is written as is.
// ParseCommandLine(FormatGenesys(t)) gives t back when t[0] starts with
// '-' (as Args.Tokens always does). The error wraps ErrBadCharacter when
// a token contains NUL, CR or LF or is not UTF-8, and ErrTooLong when the
// line would be longer than MaxCommandLine.
func FormatGenesys(tokens []string) (string, error) {
	if err := checkTokens(tokens); err != nil {
		return "", err
	}
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = quoteArg(t, false)
	}
	return checkLength(strings.Join(out, " "), MaxCommandLine)
}

// batSpecial are the characters that cmd.exe treats as syntax outside
// double quotes.
const batSpecial = "&|<>^()"

// FormatBat returns a startup.bat line: the launcher prefix, then the
// tokens. launcher is batch-file text (for example `ucc-launcher.exe
// -host genesys-cfg -port 2020 -app UCC_Connector -l "%GCTI%\license.dat"`)
// and is copied unchanged, so %VARIABLES% and %~dp0 in it keep working;
// it may be empty.
//
// Each token is written in two steps:
//  1. as for FormatGenesys (Windows C runtime quoting), but a token is
//     also double-quoted when it contains any of & | < > ^ ( ), or is the
//     first thing on the line and starts with @;
//  2. then escaped for cmd.exe: every % is doubled (%%), everywhere,
//     quoted or not; and every & | < > ^ ( ) that cmd.exe sees outside
//     double quotes gets a ^ before it. cmd.exe counts every double
//     quote, including the \" of step 1, so after a \" it is outside
//     quotes until the next double quote: "a\"b^&c" is a"b&c. Its quote
//     state is followed from the start of the launcher to the end.
//
// So C:\Program Files\GCTI\ucc\ucc.p12 is "C:\Program Files\GCTI\ucc\ucc.p12",
// 50% is 50%%, a&b is "a&b", and a"b&c is "a\"b^&c". Delayed expansion
// (!VAR!) must be off, as it is by default.
//
// ParseBatLine(FormatBat(l, t)) gives the arguments of l followed by t.
// The error wraps ErrBadCharacter when the launcher or a token contains
// NUL, CR or LF or is not UTF-8, and ErrBadLauncher when the launcher
// ends with ^, ends inside a C runtime quoted part, contains a lone % or
// an unquoted & | < > (the arguments would not reach the launcher), and
// ErrTooLong when the line would be longer than MaxBatLine.
func FormatBat(launcher string, tokens []string) (string, error) {
	if err := checkLauncher(launcher); err != nil {
		return "", err
	}
	if err := checkTokens(tokens); err != nil {
		return "", err
	}
	bl, err := splitBatLine(launcher)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadLauncher, err)
	}
	for i, ev := range bl.events {
		if ev.kind != batVarRef {
			return "", fmt.Errorf("%w: %s", ErrBadLauncher, bl.problems(launcher)[i].Message)
		}
	}
	var b strings.Builder
	b.WriteString(launcher)
	inQuote := bl.inQuote // cmd.exe's quote state
	atStart := strings.TrimLeft(launcher, " \t@") == ""
	for i, t := range tokens {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		force := strings.ContainsAny(t, batSpecial) || (i == 0 && atStart && strings.HasPrefix(t, "@"))
		enc := quoteArg(t, force)
		for j := 0; j < len(enc); j++ {
			c := enc[j]
			switch {
			case c == '%':
				b.WriteByte('%')
			case c == '"':
				inQuote = !inQuote
			case !inQuote && strings.IndexByte(batSpecial, c) >= 0:
				b.WriteByte('^')
			}
			b.WriteByte(c)
		}
	}
	return checkLength(b.String(), MaxBatLine)
}

func checkLength(line string, limit int) (string, error) {
	if len(line) > limit && utf16Len(line) > limit {
		return "", fmt.Errorf("%w (%d characters; Windows allows %d)", ErrTooLong, utf16Len(line), limit)
	}
	return line, nil
}

func checkLauncher(launcher string) error {
	if strings.ContainsAny(launcher, "\x00\r\n") || !utf8.ValidString(launcher) {
		return fmt.Errorf("%w: %w: NUL, line break or invalid UTF-8", ErrBadLauncher, ErrBadCharacter)
	}
	return nil
}

// FormatJSON returns {"mode":"mtls","args":["-cert_store_file",...]}, the
// JSON form of `uccert args`. args is [] when tokens is empty. The error
// wraps ErrBadMode for an invalid mode and ErrBadCharacter when a token
// is not UTF-8 (JSON would change it).
func FormatJSON(mode Mode, tokens []string) ([]byte, error) {
	for i, t := range tokens {
		if !utf8.ValidString(t) {
			return nil, fmt.Errorf("%w: argument %d is not valid UTF-8", ErrBadCharacter, i+1)
		}
	}
	if tokens == nil {
		tokens = []string{}
	}
	return json.Marshal(struct {
		Mode Mode     `json:"mode"`
		Args []string `json:"args"`
	}{mode, tokens})
}

// Redacted is what Redact writes instead of a password.
const Redacted = "********"

// Redact returns a copy of tokens with every password replaced by
// Redacted: the value of -cert_store_pass and -key_store_pass, and of
// mistyped flags taken for them (-cert_store_pas x, -key_store_pass=x,
// -key_store_pass:x).
// It reads tokens as Parse does, so a password that looks like a flag is
// redacted too. tokens is not modified.
func Redact(tokens []string) []string {
	out := append([]string(nil), tokens...)
	for i, in := range scan(tokens) {
		switch {
		case in.role == roleValue && in.flag.isPass(),
			in.role == roleUnknownValue && in.sugg.isPass():
			out[i] = Redacted
		case in.role == roleUnknown && in.sep != "" && in.sugg.isPass():
			out[i] = in.name + in.sep + Redacted
		}
	}
	return out
}

// RemotePath returns where file will be on the connector host: dir
// joined with file's base name. file may be a Windows or a POSIX path
// (either separator counts). The join uses dir's own separator (the last
// one in dir); a dir with none uses \ when it is a drive ("C:") and /
// otherwise. An empty dir gives the base name alone.
//
//	RemotePath(`C:\GCTI\ucc`, "/tmp/x/ucc.p12")  = `C:\GCTI\ucc\ucc.p12`
//	RemotePath("/opt/ucc/", `C:\a\b.jks`)        = "/opt/ucc/b.jks"
//	RemotePath("C:", "trust.jks")                = `C:\trust.jks`
func RemotePath(dir, file string) string {
	base := strings.TrimRight(file, `/\`)
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	} else if isDrive(base) {
		base = base[2:] // C:ucc.p12
	}
	if dir == "" {
		return base
	}
	sep := byte('/')
	if i := strings.LastIndexAny(dir, `/\`); i >= 0 {
		sep = dir[i]
		if i == len(dir)-1 {
			return dir + base
		}
	} else if isDrive(dir) {
		sep = '\\'
	}
	return dir + string(sep) + base
}

// isDrive reports whether p starts with a drive letter and a colon.
func isDrive(p string) bool {
	return len(p) >= 2 && p[1] == ':' && (p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z')
}
