package krb5conf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jcmturner/gokrb5/v8/config"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/internal/limitio"
	"github.com/uccert/uccert/pkg/internal/textdist"
)

// File is a parsed krb5.conf: gokrb5's model plus a line-aware model of
// what MIT krb5 and Java read.
type File struct {
	// Config is gokrb5's model of the file, the one the connector daemon
	// uses. It is nil when gokrb5 cannot load the file (a finding says
	// why), and it can lack realms that the line-aware model has (a
	// realm whose '{' is never closed).
	Config *config.Config
	// LibDefaults holds the relations directly under [libdefaults], in
	// file order (all [libdefaults] sections together).
	LibDefaults []Relation
	// Realms holds the blocks of [realms], in file order.
	Realms []Realm
	// DomainRealm holds the entries of [domain_realm], in file order.
	DomainRealm []Mapping
	// NumLines is the number of lines in the file.
	NumLines int

	sectionLine map[string]int // first header line of each section
	all         []located      // every relation, in any section and block
}

// Relation is one `tag = value` line.
type Relation struct {
	// Tag is the name left of '=', without a final-marker '*'.
	Tag string
	// Value is the text right of '=', trimmed, with double quotes removed
	// and, like gokrb5 does, without a trailing '#' or ';' comment.
	Value string
	Line  int
}

// Realm is one `NAME = { ... }` block of [realms].
type Realm struct {
	Name string
	// Line is the line of `NAME = {` (or of `NAME =` when '{' follows on
	// the next line).
	Line int
	// Relations are the block's own relations, in file order; relations
	// of nested blocks are not included.
	Relations []Relation
}

// Values returns the relations of the realm with the given tag.
func (r Realm) Values(tag string) []Relation {
	var out []Relation
	for _, rel := range r.Relations {
		if rel.Tag == tag {
			out = append(out, rel)
		}
	}
	return out
}

// Mapping is one [domain_realm] entry: a host name, or a domain when it
// starts with '.', mapped to a realm.
type Mapping struct {
	Domain, Realm string
	Line          int
}

// LibDefault returns the first [libdefaults] relation with the given tag,
// which is the one MIT krb5 and Java use.
func (f *File) LibDefault(tag string) (Relation, bool) {
	for _, r := range f.LibDefaults {
		if r.Tag == tag {
			return r, true
		}
	}
	return Relation{}, false
}

// SectionLine returns the line of the first [name] header, or 0.
func (f *File) SectionLine(name string) int { return f.sectionLine[name] }

// Realm returns the first realm block with exactly this name.
func (f *File) Realm(name string) (Realm, bool) {
	for _, r := range f.Realms {
		if r.Name == name {
			return r, true
		}
	}
	return Realm{}, false
}

// located is a relation with where it is.
type located struct {
	Relation
	section string
	depth   int // number of enclosing blocks
}

// knownSections are the sections of MIT krb5's krb5.conf and kdc.conf.
func knownSections() []string {
	return []string{"appdefaults", "capaths", "dbdefaults", "dbmodules", "domain_realm",
		"kdcdefaults", "libdefaults", "logging", "login", "plugins", "realms"}
}

func knownSection(name string) bool {
	return slices.Contains(knownSections(), name)
}

// Load reads (at most MaxSize bytes) and parses a krb5.conf. Errors name
// the path; see Parse.
func Load(path string) (*File, []finding.Finding, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, nil, limitio.NamePath(path, err)
	}
	f, findings, err := Parse(data)
	if err != nil {
		return f, findings, fmt.Errorf("%s: %w", path, err)
	}
	return f, findings, nil
}

// ReadFile reads a krb5.conf, refusing one larger than MaxSize
// (ErrTooLarge) without reading it whole. The error does not name path.
func ReadFile(path string) ([]byte, error) {
	return limitio.ReadFile(path, MaxSize, ErrTooLarge)
}

// Lint runs every check of this package on the krb5.conf data read from
// path (path names it in the findings: "path:line"): the syntax findings
// of Parse, then those of Check for opts, then an ok finding for each
// check of Checks that found nothing. A nil data (a file that could not
// be read) is reported as krb5-syntax with readErr's cause.
func Lint(path string, data []byte, readErr error, opts CheckOptions) (*File, []finding.Finding) {
	if readErr != nil {
		msg, hint := "cannot read krb5.conf: "+causeText(readErr), "check the path and the file's permissions"
		if errors.Is(readErr, fs.ErrNotExist) {
			msg, hint = "the file does not exist", "check the -krb_conf_file path (relative paths are relative to the connector's working folder)"
			if abs, err := filepath.Abs(path); err == nil && abs != path {
				msg += " (looked for " + abs + ")"
			}
		}
		return nil, []finding.Finding{{Check: CheckSyntax, Severity: finding.Error, Subject: path, Message: msg, Hint: hint, Err: fmt.Errorf("%w: %w", ErrUnreadable, readErr)}}
	}
	f, findings, err := Parse(data)
	if f == nil {
		return nil, []finding.Finding{{Check: CheckSyntax, Severity: finding.Error, Subject: path, Message: causeText(err), Err: fmt.Errorf("%w: %w", ErrUnreadable, err)}}
	}
	findings = append(findings, Check(f, opts)...)
	seen := map[finding.Check]bool{}
	for i := range findings {
		seen[findings[i].Check] = true
		findings[i].Subject = fmt.Sprintf("%s:%d", path, findings[i].Line)
	}
	for _, c := range Checks() {
		if !seen[c] {
			findings = append(findings, finding.Finding{Check: c, Severity: finding.OK, Subject: path, Message: passed(c, f)})
		}
	}
	return f, findings
}

// causeText is an error's text without the path that os errors put in
// front (the subject names the file already).
func causeText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// lineSubject is the subject of a finding on line n of a file whose path
// is not known (Parse, Check); Lint names the path.
func lineSubject(n int) string { return fmt.Sprintf("line %d", n) }

// Parse parses a krb5.conf and returns its syntax findings (check
// krb5-syntax) in line order.
//
// The File and the findings are returned for any input up to MaxSize
// bytes. The error is then nil, or a *SyntaxError (errors.Is ErrSyntax)
// for the first error-severity finding, so that a strict caller can stop
// at the error and a linter can go on to Check. Larger inputs yield only
// an error wrapping ErrTooLarge.
func Parse(data []byte) (*File, []finding.Finding, error) {
	if len(data) > MaxSize {
		return nil, nil, fmt.Errorf("%d bytes or more: %w", len(data), ErrTooLarge)
	}
	p := newParser(data)
	p.run()
	p.gokrb5()
	p.duplicates()

	sort.SliceStable(p.issues, func(i, j int) bool { return p.issues[i].Line < p.issues[j].Line })
	findings := make([]finding.Finding, len(p.issues))
	var first *SyntaxError
	for i, is := range p.issues {
		findings[i] = is.Finding
		if first == nil && is.Severity == finding.Error {
			first = &SyntaxError{Line: is.Line, Col: is.col, Msg: is.Message}
		}
	}
	if first != nil {
		return p.f, findings, first
	}
	return p.f, findings, nil
}

const (
	// maxPerCheck caps the findings of one check, so that hostile input
	// cannot make the findings many times larger than the file.
	maxPerCheck = 100
	// maxGokrb5Lines caps the lines given to gokrb5, which compiles
	// regular expressions for every line (about 17 µs and 16 KB each).
	maxGokrb5Lines = 4096
	// maxRelations caps the relations and realms kept in the model.
	maxRelations = 10000
)

// maxExcerpt is how many characters of a line a finding quotes: enough
// to find the line, not enough to echo a file given by mistake (such as
// /etc/shadow) whole.
const maxExcerpt = 40

// excerpt quotes s for a message, as %q does (control characters and
// bytes that are not UTF-8 escaped), cut to maxExcerpt characters.
func excerpt(s string) string {
	cut, n := 0, 0
	for cut < len(s) && n < maxExcerpt {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
		n++
	}
	if cut < len(s) {
		return strconv.Quote(s[:cut]) + "…" // bytes cut as they are: %q shows what is not UTF-8
	}
	return strconv.Quote(s)
}

type frame struct {
	tag       string
	line, col int
	realm     int // index into File.Realms for a [realms] block, else -1
}

type issue struct {
	finding.Finding
	col int
}

type parser struct {
	f      *File
	lines  []string
	issues []issue

	section    string // "" before the first header
	stack      []frame
	pending    *frame   // `tag =` waiting for '{' on the next line
	nestedLine int      // first line of a block nested in a realm block
	sectionOf  []string // the section each line is in
	kept       int      // relations and realms in the model
	// Lines that are not krb5.conf syntax before anything that is: after
	// maxJunkLines of them the file is taken for another kind of file
	// and its lines are no longer quoted.
	structured bool
	junk       int
	junkLine   int // the first line not quoted
}

// maxJunkLines is how many lines that are not krb5.conf syntax, before
// any that is, are reported one by one.
const maxJunkLines = 3

// keep counts one more relation or realm for the model and reports
// whether there is room for it.
func (p *parser) keep(n int) bool {
	if p.kept++; p.kept == maxRelations+1 {
		p.add(finding.Warn, n, 0, fmt.Sprintf("more than %d relations: the rest of the file is not checked", maxRelations),
			"a krb5.conf this long is unusual")
	}
	return p.kept <= maxRelations
}

func newParser(data []byte) *parser {
	s := string(data)
	var lines []string
	if s != "" {
		lines = strings.Split(s, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return &parser{
		f:     &File{NumLines: len(lines), sectionLine: map[string]int{}},
		lines: lines,
	}
}

func (p *parser) add(sev finding.Severity, line, col int, msg, hint string) {
	switch {
	case len(p.issues) == maxPerCheck:
		sev, msg, hint, col = finding.Error, fmt.Sprintf("more than %d syntax problems; the rest are not reported", maxPerCheck), "", 0
	case len(p.issues) > maxPerCheck:
		return
	}
	p.issues = append(p.issues, issue{finding.Finding{Check: CheckSyntax, Severity: sev, Subject: lineSubject(line), Line: line, Message: msg, Hint: hint}, col})
}

// column returns the 1-based column of the first non-blank byte.
func column(raw string) int {
	return len(raw) - len(strings.TrimLeft(raw, " \t")) + 1
}

func (p *parser) run() {
	p.sectionOf = make([]string, len(p.lines))
	for i, raw := range p.lines {
		n := i + 1
		p.sectionOf[i] = p.section
		if i == 0 && strings.HasPrefix(raw, "\ufeff") {
			raw = raw[len("\ufeff"):]
			if t := strings.TrimSpace(raw); strings.HasPrefix(t, "[") {
				p.add(finding.Error, 1, 1, "the file starts with a UTF-8 byte-order mark: gokrb5 then does not see the "+
					excerpt(t)+" header and ignores that whole section",
					`save the file as plain UTF-8 or ASCII ("UTF-8", not "UTF-8 with BOM")`)
			}
		}
		t := strings.TrimSpace(raw)
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		if p.directive(raw, t, n) {
			continue
		}
		if p.pending != nil {
			pf := *p.pending
			p.pending = nil
			if t == "{" {
				p.open(pf.tag, pf.line, n, column(raw))
				continue
			}
			p.add(finding.Error, pf.line, pf.col, fmt.Sprintf("%s has no value and no '{' follows on the next line", excerpt(pf.tag+" =")),
				"give it a value, or open a block with `"+pf.tag+" = {`")
		}
		switch t[0] {
		case '[':
			p.header(raw, t, n)
		case '}':
			p.close(raw, t, n)
		case '{':
			p.add(finding.Error, n, column(raw), "'{' without a `tag =` before it",
				"write the block as `NAME = {` on one line")
		default:
			p.relation(raw, t, n)
		}
	}
	if p.pending != nil {
		p.record(p.pending.tag, "", p.pending.line, p.pending.col, "")
		p.pending = nil
	}
	p.unclosed("the end of the file")
	if p.junkLine > 0 {
		p.add(finding.Error, p.junkLine, 0, fmt.Sprintf("%d more lines are not krb5.conf syntax either, and none before them is: this does not look like a krb5.conf (its lines are not quoted)", p.junk-maxJunkLines),
			"give the path of the krb5.conf the connector uses (-krb_conf_file)")
	}
}

// directive handles include, includedir and module lines.
func (p *parser) directive(raw, t string, n int) bool {
	i := strings.IndexAny(t, " \t")
	if i < 0 {
		return false
	}
	word, rest := t[:i], t[i+1:]
	if (word != "include" && word != "includedir" && word != "module") || strings.Contains(rest, "=") {
		return false
	}
	if raw[0] == ' ' || raw[0] == '\t' {
		p.add(finding.Error, n, column(raw), word+" must start at the beginning of the line: MIT krb5 ignores or rejects an indented one",
			"remove the indentation")
		return true
	}
	p.add(finding.Warn, n, 1, fmt.Sprintf("%s %s: the included configuration is not checked (include/includedir not followed)",
		word, strings.TrimSpace(rest)),
		"check the included files separately, or copy their settings into this file")
	return true
}

func (p *parser) header(raw, t string, n int) {
	closing := strings.IndexByte(t, ']')
	var name string
	if closing < 0 {
		p.add(finding.Error, n, column(raw), "section header without ']'", "write it as [name]")
		name = strings.TrimSpace(t[1:])
	} else {
		name = t[1:closing]
		if rest := strings.TrimSpace(t[closing+1:]); rest != "" && rest != "*" {
			p.add(finding.Error, n, column(raw)+closing+1, fmt.Sprintf("text after the section header: %s", excerpt(rest)),
				"put each relation on its own line under the header")
		}
	}
	p.unclosed(fmt.Sprintf("[%s] on line %d: MIT krb5 rejects the file", name, n))
	p.section = name
	p.structured = true
	p.sectionOf[n-1] = name
	if _, seen := p.f.sectionLine[name]; !seen {
		p.f.sectionLine[name] = n
	}
	switch {
	case closing < 0:
	case strings.TrimSpace(name) == "":
		p.add(finding.Error, n, column(raw), "empty section name", "")
	case !knownSection(name):
		hint := "MIT krb5, Java and gokrb5 ignore unknown sections"
		if k := closestSection(name); k != "" {
			hint = "did you mean [" + k + "]? " + hint
		}
		p.add(finding.Warn, n, column(raw), fmt.Sprintf("unknown section [%s]", name), hint)
	}
}

// unclosed reports every block still open when where (a section header or
// the end of the file) is reached.
func (p *parser) unclosed(where string) {
	for _, fr := range p.stack {
		msg := fmt.Sprintf("'{' of %s is never closed before %s", excerpt(fr.tag+" = {"), where)
		if fr.realm >= 0 {
			msg += fmt.Sprintf("; gokrb5 silently drops realm %s", fr.tag)
		}
		p.add(finding.Error, fr.line, fr.col, msg, "add the closing '}' after the block's last line")
	}
	p.stack = p.stack[:0]
}

func (p *parser) close(raw, t string, n int) {
	if len(p.stack) == 0 {
		p.add(finding.Error, n, column(raw), "'}' without a matching '{': MIT krb5 and gokrb5 reject the file", "remove it, or add the `NAME = {` it closes")
		return
	}
	p.stack = p.stack[:len(p.stack)-1]
	if rest := strings.TrimSpace(t[1:]); rest != "" && rest != "*" {
		p.add(finding.Warn, n, column(raw)+1, fmt.Sprintf("text after '}' is ignored: %s", excerpt(rest)),
			"put it on its own line")
	}
}

func (p *parser) open(tag string, tagLine, braceLine, braceCol int) {
	fr := frame{tag: tag, line: braceLine, col: braceCol, realm: -1}
	switch {
	case p.section == "realms" && len(p.stack) == 0 && p.keep(tagLine):
		fr.realm = len(p.f.Realms)
		p.f.Realms = append(p.f.Realms, Realm{Name: tag, Line: tagLine})
	case p.section == "realms" && p.nestedLine == 0:
		p.nestedLine = tagLine
	case p.section == "domain_realm":
		p.add(finding.Error, tagLine, 0, fmt.Sprintf("[domain_realm] takes only `domain = REALM` lines, not the block %s", excerpt(tag+" = {")), "")
	}
	p.stack = append(p.stack, fr)
}

func (p *parser) relation(raw, t string, n int) {
	col := column(raw)
	eq := strings.IndexByte(t, '=')
	if eq < 0 || !p.structured && !plausibleTag(strings.TrimSpace(t[:eq])) {
		// Before any krb5.conf syntax, a line with an '=' but no word
		// before it (binary data, prose) is no relation either.
		if !p.structured {
			if p.junk++; p.junk > maxJunkLines {
				if p.junkLine == 0 {
					p.junkLine = n
				}
				return
			}
		}
		p.add(finding.Error, n, col, fmt.Sprintf("not a relation (tag = value), [section], '}' or comment: %s", excerpt(t)),
			"add the missing '=', or comment the line out with '#'")
		return
	}
	p.structured = true
	tag := strings.TrimSpace(t[:eq])
	value := strings.TrimSpace(t[eq+1:])
	switch {
	case tag == "":
		p.add(finding.Error, n, col, "relation without a tag before '='", "")
		return
	case strings.ContainsAny(tag, " \t"):
		p.add(finding.Error, n, col, fmt.Sprintf("a tag is a single word, not %s", excerpt(tag)), "")
		return
	}
	tag = strings.TrimSuffix(tag, "*")
	if p.section == "" {
		if len(p.stack) > 0 {
			return // inside a block already reported
		}
		p.add(finding.Error, n, col, fmt.Sprintf("relation %s outside any [section]: MIT krb5 and gokrb5 ignore it", excerpt(tag)),
			"move it under its section, e.g. default_realm under [libdefaults]")
		if value == "{" {
			p.stack = append(p.stack, frame{tag: tag, line: n, col: col + strings.IndexByte(t, '{'), realm: -1})
		}
		return
	}
	switch {
	case value == "":
		p.pending = &frame{tag: tag, line: n, col: col}
	case value[0] == '{':
		if rest := strings.TrimSpace(value[1:]); rest != "" {
			p.add(finding.Error, n, col+strings.IndexByte(t, '{')+1, fmt.Sprintf("text after '{': %s", excerpt(rest)),
				"end the line after '{' and put each relation and the closing '}' on its own line "+
					"(MIT krb5 reads the whole `{ ... }` as one string value, and gokrb5 fails on it)")
			return
		}
		p.open(tag, n, n, col+strings.IndexByte(t, '{'))
	default:
		p.record(tag, value, n, col, raw)
	}
}

// record stores a `tag = value` relation of the current section and block.
func (p *parser) record(tag, value string, n, col int, raw string) {
	if strings.HasPrefix(value, `"`) {
		value = unquote(value)
	} else if i := strings.IndexAny(value, "#;"); i >= 0 {
		p.add(finding.Warn, n, strings.LastIndex(raw, value)+i+1,
			fmt.Sprintf("comment after the value of %s: MIT krb5 and Java keep %s as part of the value, gokrb5 drops it",
				tag, excerpt(strings.TrimSpace(value[i:]))),
			"put comments on lines of their own")
		value = strings.TrimSpace(value[:i])
	}
	if !p.keep(n) {
		return
	}
	rel := Relation{Tag: tag, Value: value, Line: n}
	p.f.all = append(p.f.all, located{Relation: rel, section: p.section, depth: len(p.stack)})
	switch {
	case p.section == "libdefaults" && len(p.stack) == 0:
		p.f.LibDefaults = append(p.f.LibDefaults, rel)
	case p.section == "realms" && len(p.stack) == 0:
		p.add(finding.Error, n, col, fmt.Sprintf("[realms] entry %s is not a block", tag),
			"write it as `"+tag+" = {`, one relation per line (kdc = ...), then '}'")
	case p.section == "realms" && len(p.stack) == 1 && p.stack[0].realm >= 0:
		r := &p.f.Realms[p.stack[0].realm]
		r.Relations = append(r.Relations, rel)
	case p.section == "domain_realm" && len(p.stack) == 0:
		p.f.DomainRealm = append(p.f.DomainRealm, Mapping{Domain: tag, Realm: value, Line: n})
	}
}

// unquote decodes a double-quoted value the way MIT krb5's profile
// parser does; text after the closing quote is ignored.
func unquote(s string) string {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String()
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// duplicates reports [libdefaults] tags set twice with different values.
func (p *parser) duplicates() {
	first := map[string]Relation{}
	for _, r := range p.f.LibDefaults {
		f, seen := first[r.Tag]
		if !seen {
			first[r.Tag] = r
			continue
		}
		if f.Value != r.Value {
			p.add(finding.Warn, r.Line, 0, fmt.Sprintf("%s is set again (first on line %d, to %s): MIT krb5 and Java use the first value, gokrb5 this one",
				r.Tag, f.Line, excerpt(f.Value)), "keep one "+r.Tag+" line")
		}
	}
}

// gokrb5 loads the file with gokrb5 and reports what it rejects. When
// the line pass found errors, gokrb5's failure is left unreported: it is
// almost always the same problem, and File.Config == nil shows it.
func (p *parser) gokrb5() {
	significant := 0
	for i, l := range p.lines {
		if t := strings.TrimSpace(l); t != "" && t[0] != '#' && t[0] != ';' {
			if significant++; significant > maxGokrb5Lines {
				p.add(finding.Warn, i+1, 0, fmt.Sprintf("more than %d lines of settings: gokrb5's model of the file is not built", maxGokrb5Lines),
					"a krb5.conf this long is unusual (gokrb5 compiles regular expressions for every line it reads)")
				return
			}
		}
	}
	cfg, err := loadGokrb5(p.lines)
	p.f.Config = cfg
	if err == nil {
		return
	}
	for _, is := range p.issues {
		if is.Severity == finding.Error {
			return
		}
	}
	sev, msg, hint := finding.Error, "gokrb5 cannot load this file: "+err.Error(),
		"the connector daemon reads krb5.conf with gokrb5; rewrite this line in a form both MIT krb5 and gokrb5 accept"
	var line int
	var pe panicError
	switch {
	case errors.As(err, &pe):
		line = p.nestedLine
		if line > 0 {
			hint = "gokrb5 v8 does not support blocks nested inside a realm; remove the nested block"
		} else {
			line, hint = p.f.sectionLine["realms"], ""
		}
	case errors.As(err, new(config.UnsupportedDirective)):
		sev, msg, hint = finding.Warn, "gokrb5: "+err.Error(), "gokrb5 ignores this realm's v4_ settings"
		seen := false
		line = p.find("realms", func(s string) bool {
			first := !seen && strings.HasPrefix(s, "v4_")
			seen = seen || first
			return first
		})
	default:
		line = p.locate(err.Error())
		if line >= 1 && strings.TrimSpace(p.lines[line-1]) == "{" {
			hint = "gokrb5 needs '{' on the same line as `NAME =`"
		}
	}
	p.add(sev, max(line, 1), 0, msg, hint)
}

type panicError struct{ v any }

func (e panicError) Error() string { return fmt.Sprintf("gokrb5 panicked: %v", e.v) }

// loadGokrb5 runs gokrb5's parser on the lines of the file that are not
// blank or comments (gokrb5 skips those lines too). It recovers gokrb5's
// panics.
func loadGokrb5(lines []string) (cfg *config.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			cfg, err = nil, panicError{r}
		}
	}()
	var b bytes.Buffer
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" && t[0] != '#' && t[0] != ';' {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	sc := bufio.NewScanner(&b)
	sc.Buffer(make([]byte, 0, 4096), MaxSize+1)
	return config.NewFromScanner(sc)
}

// locate finds the line a gokrb5 error is about: in the section the
// message names, the longest line whose text (as gokrb5 sees it, without
// comment) the message quotes, else that section's header, else 0.
func (p *parser) locate(msg string) int {
	section := ""
	for _, sec := range []struct{ word, name string }{
		{"libdefaults", "libdefaults"}, {"domaain_realm", "domain_realm"}, {"domain_realm", "domain_realm"},
		{"realms section", "realms"}, {"Realms section", "realms"},
	} {
		if strings.Contains(msg, sec.word) {
			section = sec.name
			break
		}
	}
	// gokrb5 quotes at most one line plus a short text: when the message
	// is long, only lines about as long can be quoted (this bounds the
	// work on hostile input).
	bestLen := max(len(msg)-256, 0)
	if len(msg) <= 4096 {
		bestLen = 0
	}
	line := p.find(section, func(s string) bool {
		if len(s) > bestLen && strings.Contains(msg, s) {
			bestLen = len(s)
			return true
		}
		return false
	})
	if line == 0 {
		line = p.f.sectionLine[section]
	}
	return line
}

// find returns the last line, in section (any section if ""), for whose
// text, without comment and blanks, match returns true; 0 if none.
func (p *parser) find(section string, match func(string) bool) int {
	line := 0
	for i, raw := range p.lines {
		if section != "" && p.sectionOf[i] != section {
			continue
		}
		s := raw
		if j := strings.IndexAny(s, "#;"); j >= 0 {
			s = s[:j]
		}
		if s = strings.TrimSpace(s); s != "" && match(s) {
			line = i + 1
		}
	}
	return line
}

// closestSection returns the known section name within edit distance 2
// of name, or "".
func closestSection(name string) string {
	k, _ := textdist.Closest(strings.ToLower(name), knownSections(), 2)
	return k
}

// plausibleTag reports whether s can be a krb5.conf tag: printable ASCII
// without spaces (MIT's tags, realm names, domains), '*' allowed.
func plausibleTag(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
