package request

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The subject syntax is described in the package documentation
// (request.go, "Subject names").

// Limits of a subject.
const (
	maxSubjectLen   = 1024
	maxSubjectAttrs = 32
	maxCN           = 64
)

type valueKind int

const (
	textValue      valueKind = iota // PrintableString when it can be, else UTF8String
	printableValue                  // PrintableString only
	countryValue                    // two letters, PrintableString
	ia5Value                        // IA5String (ASCII)
)

// attrType is an attribute type the subject may use.
type attrType struct {
	oid  asn1.ObjectIdentifier
	name string // as uccert (and OpenSSL) print it
	win  string // as Windows' certreq reads it
	max  int    // upper bound in characters
	kind valueKind
}

var attrTypes = [...]attrType{
	{asn1.ObjectIdentifier{2, 5, 4, 3}, "CN", "CN", maxCN, textValue},
	{asn1.ObjectIdentifier{2, 5, 4, 11}, "OU", "OU", 64, textValue},
	{asn1.ObjectIdentifier{2, 5, 4, 10}, "O", "O", 64, textValue},
	{asn1.ObjectIdentifier{2, 5, 4, 7}, "L", "L", 128, textValue},
	{asn1.ObjectIdentifier{2, 5, 4, 8}, "ST", "S", 128, textValue},
	{asn1.ObjectIdentifier{2, 5, 4, 6}, "C", "C", 2, countryValue},
	{asn1.ObjectIdentifier{2, 5, 4, 9}, "street", "STREET", 128, textValue},
	{asn1.ObjectIdentifier{2, 5, 4, 12}, "title", "T", 64, textValue},
	{asn1.ObjectIdentifier{2, 5, 4, 5}, "serialNumber", "SERIALNUMBER", 64, printableValue},
	{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, "DC", "DC", 63, ia5Value},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, "emailAddress", "E", 255, ia5Value},
}

// Indexes into attrTypes.
const attrCN = 0

// lookupAttr finds an attribute type by any of its names.
func lookupAttr(name string) (int, bool) {
	switch strings.ToLower(name) {
	case "cn", "commonname":
		return attrCN, true
	case "ou", "organizationalunitname":
		return 1, true
	case "o", "organizationname":
		return 2, true
	case "l", "localityname":
		return 3, true
	case "st", "s", "stateorprovincename":
		return 4, true
	case "c", "countryname":
		return 5, true
	case "street", "streetaddress":
		return 6, true
	case "title", "t":
		return 7, true
	case "serialnumber":
		return 8, true
	case "dc", "domaincomponent":
		return 9, true
	case "emailaddress", "e", "email":
		return 10, true
	}
	return 0, false
}

// attr is one attribute of a name: an index into attrTypes and its value.
type attr struct {
	typ   int
	value string
}

// dn is a distinguished name as encoded: RDNs most general first, each
// one or more attributes.
type dn [][]attr

// der encodes the name as an X.501 Name (RDNSequence).
func (n dn) der() ([]byte, error) {
	var seq pkix.RDNSequence
	for _, rdn := range n {
		var set pkix.RelativeDistinguishedNameSET
		for _, a := range rdn {
			t := attrTypes[a.typ]
			var v any = a.value
			if t.kind == ia5Value {
				v = asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(a.value)}
			}
			set = append(set, pkix.AttributeTypeAndValue{Type: t.oid, Value: v})
		}
		seq = append(seq, set)
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSubject, err)
	}
	return der, nil
}

// parseDN reads a subject in either form (see the subject syntax above)
// and validates it. Errors wrap ErrSubject.
func parseDN(s string) (dn, error) {
	if len(s) > maxSubjectLen {
		return nil, fmt.Errorf("%w: %d bytes, at most %d are accepted", ErrSubject, len(s), maxSubjectLen)
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: not valid UTF-8 text", ErrSubject)
	}
	// Blanks at the end belong to the last value (which may escape one).
	t := strings.TrimLeft(s, " \t")
	if strings.TrimSpace(t) == "" {
		return nil, fmt.Errorf("%w: empty; give at least CN=NAME", ErrSubject)
	}
	var rdnTexts []string
	var err error
	if strings.HasPrefix(t, "/") {
		// OpenSSL's -subj form: most general first.
		if rdnTexts, err = split(t[1:], '/'); err != nil {
			return nil, err
		}
	} else {
		// RFC 4514: most specific first.
		if rdnTexts, err = split(t, ','); err != nil {
			return nil, err
		}
		for i, j := 0, len(rdnTexts)-1; i < j; i, j = i+1, j-1 {
			rdnTexts[i], rdnTexts[j] = rdnTexts[j], rdnTexts[i]
		}
	}
	var name dn
	count, cns := 0, 0
	for _, rt := range rdnTexts {
		avas, err := split(rt, '+')
		if err != nil {
			return nil, err
		}
		var rdn []attr
		for _, ava := range avas {
			count++
			if count > maxSubjectAttrs {
				return nil, fmt.Errorf("%w: more than %d attributes", ErrSubject, maxSubjectAttrs)
			}
			a, err := parseAttr(ava)
			if err != nil {
				return nil, err
			}
			if a.typ == attrCN {
				cns++
			}
			rdn = append(rdn, a)
		}
		name = append(name, rdn)
	}
	switch {
	case cns == 0:
		return nil, fmt.Errorf("%w: %q has no CN; the subject must name the host, such as CN=ucc01.example.com", ErrSubject, s)
	case cns > 1:
		return nil, fmt.Errorf("%w: %q has %d CNs; give one", ErrSubject, s, cns)
	}
	return name, nil
}

// split cuts s at every sep that is neither escaped with a backslash
// (outside quotes) nor inside double quotes. Escapes and quotes stay in the pieces. An empty
// piece is an error (two separators in a row, or one at an end).
func split(s string, sep byte) ([]string, error) {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && !quoted: // inside quotes a backslash is itself
			i++
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	if quoted {
		return nil, fmt.Errorf("%w: %q: a double quote is not closed", ErrSubject, s)
	}
	parts = append(parts, s[start:])
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			return nil, fmt.Errorf("%w: %q: an empty part (a %q at the start or the end, or two in a row)", ErrSubject, s, string(sep))
		}
	}
	return parts, nil
}

// parseAttr reads "TYPE=VALUE".
func parseAttr(ava string) (attr, error) {
	typeText, raw, ok := strings.Cut(ava, "=")
	typeText = strings.TrimSpace(typeText)
	if !ok || typeText == "" {
		return attr{}, fmt.Errorf("%w: %q is not TYPE=VALUE", ErrSubject, strings.TrimSpace(ava))
	}
	typ, known := lookupAttr(typeText)
	if !known {
		return attr{}, fmt.Errorf("%w: unknown attribute type %q (use CN, OU, O, L, ST, C, STREET, title, serialNumber, DC or emailAddress)", ErrSubject, typeText)
	}
	t := attrTypes[typ]
	value, err := decodeValue(raw)
	if err != nil {
		return attr{}, fmt.Errorf("%w: %s: %w", ErrSubject, t.name, err)
	}
	if err := checkValue(t, value); err != nil {
		return attr{}, fmt.Errorf("%w: %s=%q: %w", ErrSubject, t.name, value, err)
	}
	if t.kind == countryValue {
		value = strings.ToUpper(value)
	}
	return attr{typ: typ, value: value}, nil
}

// decodeValue turns a value as written (spaces around it, quotes,
// escapes) into its text.
func decodeValue(raw string) (string, error) {
	raw = strings.TrimLeft(raw, " \t")
	// Trailing blanks go unless the last one is escaped.
	for len(raw) > 0 && (raw[len(raw)-1] == ' ' || raw[len(raw)-1] == '\t') {
		bs := 0
		for i := len(raw) - 2; i >= 0 && raw[i] == '\\'; i-- {
			bs++
		}
		if bs%2 == 1 {
			break
		}
		raw = raw[:len(raw)-1]
	}
	if strings.HasPrefix(raw, "#") {
		return "", fmt.Errorf("a value starting with # (BER in hex) is not supported; write the text, escaping a leading # as \\#")
	}
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		// Quoted as Windows writes values: everything inside as it is.
		inner := raw[1 : len(raw)-1]
		if strings.Contains(inner, `"`) {
			return "", fmt.Errorf("a quoted value may not hold a double quote")
		}
		return inner, nil
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"':
			return "", fmt.Errorf("a double quote inside a value; quote the whole value or escape it")
		case c != '\\':
			b.WriteByte(c)
		case i+1 >= len(raw):
			return "", fmt.Errorf("a backslash at the end of a value")
		case i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]):
			b.WriteByte(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
			i += 2
		case strings.IndexByte(`,+";<>=\# /`, raw[i+1]) >= 0:
			b.WriteByte(raw[i+1])
			i++
		default:
			return "", fmt.Errorf("unknown escape \\%c (escape , + \" \\ ; < > = # / or a space, or write a byte as \\XX)", raw[i+1])
		}
	}
	v := b.String()
	if !utf8.ValidString(v) {
		return "", fmt.Errorf("the \\XX escapes do not make UTF-8 text")
	}
	return v, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// checkValue applies the value rules of t.
func checkValue(t attrType, v string) error {
	if v == "" {
		return fmt.Errorf("empty value")
	}
	for _, r := range v {
		switch {
		case r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0:
			return fmt.Errorf("control character U+%04X", r)
		case r == '"':
			return fmt.Errorf("double quotes are not supported in names")
		case r >= utf8.RuneSelf && (t.kind == ia5Value || t.kind == printableValue || t.kind == countryValue):
			return fmt.Errorf("only ASCII characters are allowed in %s", t.name)
		case t.kind == printableValue && !printable(byte(r)):
			return fmt.Errorf("%q is not allowed in %s (letters, digits, space and '()+,-./:=? only)", r, t.name)
		}
	}
	if n := utf8.RuneCountInString(v); n > t.max {
		return fmt.Errorf("%d characters, %s holds at most %d", n, t.name, t.max)
	}
	if t.kind == countryValue {
		if len(v) != 2 || !letter(v[0]) || !letter(v[1]) {
			return fmt.Errorf("a country is two letters (ISO 3166), such as US or DE")
		}
	}
	return nil
}

func letter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// printable reports whether c may appear in an ASN.1 PrintableString.
func printable(c byte) bool {
	return letter(c) || '0' <= c && c <= '9' || strings.IndexByte(" '()+,-./:=?", c) >= 0
}

// windows writes the name as certreq's Subject= reads it (Windows'
// CertStrToName with X.500 names): most specific first, ',' between
// RDNs, '+' inside one, Windows' attribute names, and a value that holds
// a character with a meaning there (,+=<>#; or blanks at its ends) or a
// backslash in double quotes.
func (n dn) windows() string {
	var b strings.Builder
	for i := len(n) - 1; i >= 0; i-- {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		for j, a := range n[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			b.WriteString(attrTypes[a.typ].win)
			b.WriteByte('=')
			v := a.value
			if strings.ContainsAny(v, ",+=<>#;\\") || strings.TrimSpace(v) != v {
				v = `"` + v + `"`
			}
			b.WriteString(v)
		}
	}
	return b.String()
}
