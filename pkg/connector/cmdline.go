package connector

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ParseCommandLine splits a Windows command line into arguments and
// parses them with Parse. The line is the Genesys "Command Line
// Arguments" field, or a whole command line with the program first.
//
// Splitting follows the Microsoft C runtime (the rules of
// CommandLineToArgvW, as documented for the UCRT):
//   - arguments are separated by spaces and tabs outside double quotes;
//   - a double quote starts or ends a quoted part, which may contain
//     spaces and tabs ("C:\Program Files\x" and C:\Program" "Files\x are
//     both C:\Program Files\x); "" is an empty argument;
//   - 2n backslashes followed by a double quote give n backslashes and
//     the quote starts or ends a quoted part; 2n+1 backslashes followed
//     by a double quote give n backslashes and a literal quote;
//     backslashes not followed by a double quote are literal (C:\certs\);
//   - inside a quoted part, "" gives a literal quote and the part goes on.
//
// When the first argument does not start with '-' it is the program, and
// is split as the C runtime splits argv[0]: double quotes only start and
// end quoted parts, and backslashes are always literal. It is kept in
// Args.Other[0].
//
// A line break at the end of line is ignored. The error wraps
// ErrUnbalancedQuote when the line ends inside a quoted part (the C
// runtime would silently take the rest of the line as one argument),
// ErrBadCharacter for NUL, a line break within the line or invalid UTF-8,
// and ErrTooLong for a line longer than MaxCommandLine.
func ParseCommandLine(line string) (*Args, []Problem, error) {
	line, err := checkLine(line, MaxCommandLine)
	if err != nil {
		return nil, nil, err
	}
	argv, _, err := splitArgs(line)
	if err != nil {
		return nil, nil, quoteError(err, func(off int) int { return off }, line)
	}
	a, probs := Parse(argv)
	return a, probs, nil
}

// ParseBatLine parses one line of a batch file such as startup.bat:
//
//	ucc-launcher.exe -host genesys-cfg -port 2020 -app UCC_Connector -l "C:\GCTI\ucc\license.dat" -http_port 8080 -cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass s3cret -cert_store_type pkcs12
//
// It first undoes what cmd.exe does to the line before the launcher sees
// it, then splits and parses the result as ParseCommandLine does:
//   - leading spaces, tabs and @ are dropped;
//   - %% becomes %; %1, %*, %~dp0 and %NAME% are kept as written
//     (uccert cannot know their values) and reported; a lone % is
//     dropped, as cmd.exe does in a batch file, and reported;
//   - outside double quotes (cmd.exe counts every ", escaped with a
//     backslash or not), ^x becomes x, & and | end the command (the rest
//     of the line is ignored) and < and > are redirections, removed with
//     their targets; each is reported as ProblemBatSyntax;
//   - inside double quotes everything but % is literal.
//
// Delayed expansion (!VAR!) is assumed to be off, as it is by default.
// Besides ParseCommandLine's errors, the error wraps ErrLineContinuation
// when the line ends with ^, and ErrTooLong applies from MaxBatLine.
func ParseBatLine(line string) (*Args, []Problem, error) {
	line, err := checkLine(line, MaxBatLine)
	if err != nil {
		return nil, nil, err
	}
	bl, err := splitBatLine(line)
	if err != nil {
		return nil, nil, err
	}
	a, probs := Parse(bl.argv)
	return a, append(bl.problems(line), probs...), nil
}

// Length limits, in UTF-16 code units as Windows counts them.
const (
	// MaxCommandLine is the longest command line CreateProcess accepts.
	MaxCommandLine = 32767
	// MaxBatLine is the longest line cmd.exe runs.
	MaxBatLine = 8191
)

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// checkLine drops a final line break and rejects what no command line
// can hold.
func checkLine(line string, limit int) (string, error) {
	line = strings.TrimRight(line, "\r\n")
	if len(line) > limit && utf16Len(line) > limit {
		return "", fmt.Errorf("%w (%d characters; Windows allows %d)", ErrTooLong, utf16Len(line), limit)
	}
	if i := strings.IndexAny(line, "\x00\r\n"); i >= 0 {
		return "", fmt.Errorf("%w: NUL or line break at column %d", ErrBadCharacter, column(line, i))
	}
	if !utf8.ValidString(line) {
		return "", fmt.Errorf("%w: the line is not valid UTF-8", ErrBadCharacter)
	}
	return line, nil
}

// column is the 1-based column, in runes, of byte offset off of s.
func column(s string, off int) int {
	return utf8.RuneCountInString(s[:min(off, len(s))]) + 1
}

// unbalancedError is splitArgs' error: the offset of the quote that is
// never closed.
type unbalancedError struct{ off int }

func (e *unbalancedError) Error() string { return ErrUnbalancedQuote.Error() }

// quoteError turns splitArgs' error into one wrapping ErrUnbalancedQuote
// that gives the column, in line, of the open quote. orig maps an offset
// in the split text to one in line.
func quoteError(err error, orig func(int) int, line string) error {
	off := orig(err.(*unbalancedError).off)
	return fmt.Errorf("%w: the double quote at column %d is never closed", ErrUnbalancedQuote, column(line, off))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// splitArgs splits s by the C runtime's rules (see ParseCommandLine),
// returning each argument and its [start, end) bytes in s. The error is
// an *unbalancedError.
func splitArgs(s string) ([]string, [][2]int, error) {
	var args []string
	var spans [][2]int
	i := skipSpace(s, 0)
	program := i < len(s) && s[i] != '-' && !(s[i] == '"' && i+1 < len(s) && s[i+1] == '-')
	for i < len(s) {
		start := i
		var arg string
		var err error
		if program {
			arg, i, err = scanProgram(s, i)
			program = false
		} else {
			arg, i, err = scanArg(s, i)
		}
		if err != nil {
			return nil, nil, err
		}
		args = append(args, arg)
		spans = append(spans, [2]int{start, i})
		i = skipSpace(s, i)
	}
	return args, spans, nil
}

// scanProgram reads argv[0] from s[i:]: quotes toggle, nothing escapes.
func scanProgram(s string, i int) (string, int, error) {
	var b strings.Builder
	inQuote, open := false, 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			inQuote, open = !inQuote, i
			continue
		}
		if !inQuote && isSpace(c) {
			break
		}
		b.WriteByte(c)
	}
	if inQuote {
		return "", i, &unbalancedError{open}
	}
	return b.String(), i, nil
}

// scanArg reads one argument from s[i:] by the C runtime's rules.
func scanArg(s string, i int) (string, int, error) {
	var b strings.Builder
	inQuote, open := false, 0
	for i < len(s) {
		n := 0
		for i < len(s) && s[i] == '\\' {
			n++
			i++
		}
		if i < len(s) && s[i] == '"' {
			b.WriteString(strings.Repeat(`\`, n/2))
			switch {
			case n%2 == 1:
				b.WriteByte('"') // \" is a literal quote
				i++
			case inQuote && i+1 < len(s) && s[i+1] == '"':
				b.WriteByte('"') // "" inside quotes is a literal quote
				i += 2
			default:
				inQuote, open = !inQuote, i
				i++
			}
			continue
		}
		b.WriteString(strings.Repeat(`\`, n))
		if i == len(s) || (!inQuote && isSpace(s[i])) {
			break
		}
		b.WriteByte(s[i])
		i++
	}
	if inQuote {
		return "", i, &unbalancedError{open}
	}
	return b.String(), i, nil
}

// batEventKind is a cmd.exe construct found in a batch-file line.
type batEventKind int

const (
	batVarRef    batEventKind = iota // %NAME%, %1, %*, %~dp0: kept as written
	batLoneP                         // a lone %: dropped
	batSeparator                     // & && | ||: the command ends
	batRedirect                      // < > >> 2> 2>&1: removed with its target
)

type batEvent struct {
	kind batEventKind
	off  int    // byte offset in the line
	text string // the construct
}

// batLine is a batch-file line as the launcher receives it.
type batLine struct {
	argv     []string
	spans    [][2]int // of each argument, in the original line
	events   []batEvent
	inQuote  bool // cmd.exe's quote state at the end of the line
	stripped int  // bytes of leading space and @
}

// splitBatLine undoes cmd.exe's processing of line (see ParseBatLine)
// and splits the result into arguments. line has passed checkLine.
func splitBatLine(line string) (*batLine, error) {
	bl := &batLine{}
	for bl.stripped < len(line) && (isSpace(line[bl.stripped]) || line[bl.stripped] == '@') {
		bl.stripped++
	}
	// Phase 1: percent signs, on the whole line, quotes or not.
	var t1 []byte
	var pos1 []int     // offset in line of each byte of t1
	var literal []bool // bytes of kept %...% references: not cmd syntax
	emit1 := func(c byte, off int, lit bool) {
		t1 = append(t1, c)
		pos1 = append(pos1, off)
		literal = append(literal, lit)
	}
	for i := bl.stripped; i < len(line); {
		if line[i] != '%' {
			emit1(line[i], i, false)
			i++
			continue
		}
		if i+1 < len(line) && line[i+1] == '%' {
			emit1('%', i, false)
			i += 2
			continue
		}
		ref := varRef(line[i:])
		if ref == "" {
			bl.events = append(bl.events, batEvent{batLoneP, i, "%"})
			i++
			continue
		}
		bl.events = append(bl.events, batEvent{batVarRef, i, ref})
		for j := range len(ref) {
			emit1(ref[j], i+j, true)
		}
		i += len(ref)
	}
	// Phase 2: quotes, carets, operators.
	var t2 []byte
	var pos2 []int
	emit2 := func(j int) {
		t2 = append(t2, t1[j])
		pos2 = append(pos2, pos1[j])
	}
	inQuote := false
phase2:
	for j := 0; j < len(t1); {
		c := t1[j]
		switch {
		case c == '"':
			inQuote = !inQuote
			emit2(j)
			j++
		case inQuote || literal[j]:
			emit2(j)
			j++
		case c == '^':
			if j+1 == len(t1) {
				return nil, fmt.Errorf("%w (column %d)", ErrLineContinuation, column(line, pos1[j]))
			}
			emit2(j + 1)
			j += 2
		case c == '&' || c == '|':
			op := string(c)
			if j+1 < len(t1) && t1[j+1] == c {
				op += op
			}
			bl.events = append(bl.events, batEvent{batSeparator, pos1[j], op})
			break phase2
		case c == '<' || c == '>':
			start, op := pos1[j], ""
			if n := len(t2); n > 0 && t2[n-1] >= '0' && t2[n-1] <= '9' && (n == 1 || isSpace(t2[n-2])) {
				op, start = string(t2[n-1]), pos2[n-1] // a handle: 2>
				t2, pos2 = t2[:n-1], pos2[:n-1]
			}
			k := j + 1
			if c == '>' && k < len(t1) && t1[k] == '>' {
				k++
			}
			if k < len(t1) && t1[k] == '&' { // >&1
				k++
				for k < len(t1) && t1[k] >= '0' && t1[k] <= '9' {
					k++
				}
				op += string(t1[j:k])
			} else {
				op += string(t1[j:k])
				for k < len(t1) && isSpace(t1[k]) {
					k++
				}
				for q := false; k < len(t1); k++ {
					ch := t1[k]
					if ch == '"' {
						q = !q
					} else if !q && (isSpace(ch) || strings.IndexByte("&|<>", ch) >= 0) && !literal[k] {
						break
					} else if !q && ch == '^' && !literal[k] {
						k++
					}
				}
			}
			bl.events = append(bl.events, batEvent{batRedirect, start, op})
			j = min(k, len(t1))
		default:
			emit2(j)
			j++
		}
	}
	bl.inQuote = inQuote
	// Phase 1 and phase 2 each found events in order; merge them.
	slices.SortStableFunc(bl.events, func(a, b batEvent) int { return cmp.Compare(a.off, b.off) })
	argv, spans, err := splitArgs(string(t2))
	if err != nil {
		return nil, quoteError(err, func(off int) int { return pos2[off] }, line)
	}
	bl.argv = argv
	for _, sp := range spans {
		bl.spans = append(bl.spans, [2]int{pos2[sp[0]], pos2[sp[1]-1] + 1})
	}
	return bl, nil
}

// varRef returns the variable reference that s starts with (s[0] is '%'
// and s[1] is not), or "" when the % is a lone one.
func varRef(s string) string {
	if len(s) < 2 {
		return ""
	}
	if c := s[1]; c == '*' || c >= '0' && c <= '9' {
		return s[:2]
	}
	if s[1] == '~' {
		j := 2
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			return s[:j+1]
		}
	}
	if k := strings.IndexByte(s[1:], '%'); k > 0 {
		return s[:k+2]
	}
	return ""
}

// problems reports bl's events, one Problem per event. A variable
// reference inside a password is not named.
func (bl *batLine) problems(line string) []Problem {
	var probs []Problem
	var info []tokenInfo
	span, col, colOff := 0, 1, 0 // the walk through spans and columns
	for _, ev := range bl.events {
		p := Problem{Kind: ProblemBatSyntax, Flag: ev.text, Index: -1}
		for span < len(bl.spans) && bl.spans[span][1] <= ev.off {
			span++
		}
		if span < len(bl.spans) && bl.spans[span][0] <= ev.off {
			p.Index = span
		}
		col += utf8.RuneCountInString(line[colOff:ev.off])
		colOff = ev.off
		switch ev.kind {
		case batVarRef:
			if p.Index >= 0 {
				if info == nil {
					info = scan(bl.argv)
				}
				in := info[p.Index]
				if (in.role == roleValue && in.flag.isPass()) || (in.role == roleUnknownValue && in.sugg.isPass()) {
					p.Flag = "%...%"
					p.Message = fmt.Sprintf("cmd.exe replaces the %%...%% at column %d, in a password, with the value of a variable; write %%%% for a literal %%", col)
					break
				}
			}
			p.Message = fmt.Sprintf("cmd.exe replaces %s (column %d) with its value when the line runs; uccert keeps it as written", quoteName(ev.text), col)
		case batLoneP:
			p.Message = fmt.Sprintf("cmd.exe drops the lone %% at column %d; write %%%% for a literal %%", col)
		case batSeparator:
			p.Message = fmt.Sprintf("cmd.exe ends the command at the unquoted %s at column %d: the rest of the line is not passed to the connector; quote the value or write ^%c", ev.text, col, ev.text[0])
		case batRedirect:
			p.Message = fmt.Sprintf("cmd.exe takes the unquoted %s at column %d as a redirection: it and its target are not passed to the connector", ev.text, col)
		}
		probs = append(probs, p)
	}
	return probs
}
