package request

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/fixtures"
)

func TestParseDN(t *testing.T) {
	cases := []struct {
		in      string
		want    string // as uccert prints it (certfile.DN of the DER)
		windows string // as the INF writes it
	}{
		{"CN=ucc.uc.example.com", "CN=ucc.uc.example.com", "CN=ucc.uc.example.com"},
		{"cn=ucc01,ou=UC,o=UC Example,c=de", "CN=ucc01,OU=UC,O=UC Example,C=DE", "CN=ucc01,OU=UC,O=UC Example,C=DE"},
		// OpenSSL's default print form, blanks around everything.
		{"CN = ucc01 , O = UC Example , C = US ", "CN=ucc01,O=UC Example,C=US", "CN=ucc01,O=UC Example,C=US"},
		// Escapes and quotes.
		{`CN=ucc01,O=Example\, Inc.`, `CN=ucc01,O=Example\, Inc.`, `CN=ucc01,O="Example, Inc."`},
		{`CN=ucc01,O="Example, Inc."`, `CN=ucc01,O=Example\, Inc.`, `CN=ucc01,O="Example, Inc."`},
		{`CN=a\+b\=c\;d\<e\>f\\g\#h`, `CN=a\+b=c\;d\<e\>f\\g#h`, `CN="a+b=c;d<e>f\g#h"`},
		{`CN=M\C3\BCller`, `CN=Müller`, `CN=Müller`},
		{`CN=Müller,O=Bücher & Co`, `CN=Müller,O=Bücher & Co`, `CN=Müller,O=Bücher & Co`},
		{`CN=trailing\ `, `CN=trailing\ `, `CN="trailing "`},
		// OpenSSL's -subj form: most general first.
		{"/C=US/O=Example, Inc./CN=ucc01", `CN=ucc01,O=Example\, Inc.,C=US`, `CN=ucc01,O="Example, Inc.",C=US`},
		{`/DC=com/DC=example/CN=a\/b`, `CN=a/b,DC=example,DC=com`, `CN=a/b,DC=example,DC=com`},
		// Multi-valued RDNs.
		{"CN=ucc01+UID=x", "", ""}, // UID is not among the supported names
		{"CN=ucc01,OU=UC+L=Berlin", "CN=ucc01,OU=UC+L=Berlin", "CN=ucc01,OU=UC+L=Berlin"},
		// Windows' names.
		{"CN=ucc01,S=Bayern,E=pki@example.com,T=Server,STREET=Main St 1,SERIALNUMBER=42", "CN=ucc01,ST=Bayern,emailAddress=pki@example.com,title=Server,street=Main St 1,serialNumber=42",
			"CN=ucc01,S=Bayern,E=pki@example.com,T=Server,STREET=Main St 1,SERIALNUMBER=42"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			n, err := parseDN(c.in)
			if c.want == "" {
				if !errors.Is(err, ErrSubject) {
					t.Fatalf("%v, want ErrSubject", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			der, err := n.der()
			if err != nil {
				t.Fatal(err)
			}
			if got := certfile.DN(der); got != c.want {
				t.Errorf("DN %q, want %q", got, c.want)
			}
			if got := n.windows(); got != c.windows {
				t.Errorf("windows %q, want %q", got, c.windows)
			}
		})
	}
}

// The string types are those CAs expect: PrintableString where possible,
// UTF8String otherwise, IA5String for DC and emailAddress, and a
// PrintableString country.
func TestDNStringTypes(t *testing.T) {
	n, err := parseDN("CN=Müller,O=Plain,C=de,DC=example,emailAddress=a@b.example")
	if err != nil {
		t.Fatal(err)
	}
	der, err := n.der()
	if err != nil {
		t.Fatal(err)
	}
	var seq pkix.RDNSequence
	var raw []asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		t.Fatal(err)
	}
	// Re-read the values with their tags.
	var rdns []asn1.RawValue
	if _, err := asn1.Unmarshal(der, &rdns); err != nil {
		t.Fatal(err)
	}
	for _, rdn := range rdns {
		var set []struct {
			Type  asn1.ObjectIdentifier
			Value asn1.RawValue
		}
		if _, err := asn1.UnmarshalWithParams(rdn.FullBytes, &set, "set"); err != nil {
			t.Fatal(err)
		}
		raw = append(raw, set[0].Value)
	}
	want := []int{asn1.TagIA5String, asn1.TagIA5String, asn1.TagPrintableString, asn1.TagPrintableString, asn1.TagUTF8String}
	for i, v := range raw {
		if v.Tag != want[i] {
			t.Errorf("attribute %d (%v): tag %d, want %d", i, seq[i][0].Type, v.Tag, want[i])
		}
	}
}

func TestParseDNRefuses(t *testing.T) {
	cases := map[string]string{
		"empty":                      "",
		"blank":                      "   ",
		"no CN":                      "O=UC Example,C=US",
		"two CNs":                    "CN=a,CN=b",
		"unknown type":               "CN=a,X=b",
		"OID type":                   "CN=a,2.5.4.10=b",
		"no equals":                  "CN=a,UC Example",
		"empty value":                "CN=a,O=",
		"empty RDN":                  "CN=a,,O=b",
		"trailing comma":             "CN=a,",
		"trailing slash":             "/O=b/CN=a/",
		"unclosed quote":             `CN=a,O="b`,
		"quote inside":               `CN=a"b`,
		"escaped quote":              `CN=a\"b`,
		"bad escape":                 `CN=a\qb`,
		"backslash at end":           `CN=a\`,
		"hex not UTF-8":              `CN=a\ff`,
		"hex BER value":              `CN=#0c0161`,
		"control character":          "CN=a\tb\x01",
		"newline":                    "CN=a\nb",
		"C too long":                 "CN=a,C=USA",
		"C digits":                   "CN=a,C=12",
		"CN over 64":                 "CN=" + strings.Repeat("x", 65),
		"non-ASCII DC":               "CN=a,DC=bü",
		"serialNumber not printable": "CN=a,serialNumber=a*b",
		"not UTF-8":                  "CN=\xff",
		"too long":                   "CN=a,O=" + strings.Repeat("x,O=", 300),
		"too many attributes":        "CN=a" + strings.Repeat(",O=x", 40),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			n, err := parseDN(in)
			if !errors.Is(err, ErrSubject) || n != nil {
				t.Fatalf("parseDN(%q) = %v, %v; want ErrSubject", in, n, err)
			}
			if raw := fixtures.LibraryText(err, []byte(in)); raw != "" {
				t.Errorf("library text %q in %q", raw, err)
			}
		})
	}
}

func FuzzParseDN(f *testing.F) {
	for _, s := range []string{"CN=ucc.uc.example.com", `CN=a,O="b, c",C=US`, `/C=US/O=x/CN=y+OU=z`, `CN=\41\+,O=a\ `, "CN=Müller,DC=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseDN(s)
		if err != nil {
			if !errors.Is(err, ErrSubject) {
				t.Fatalf("undeclared error %v", err)
			}
			return
		}
		der, err := n.der()
		if err != nil {
			t.Fatalf("parsed %q but cannot encode it: %v", s, err)
		}
		var seq pkix.RDNSequence
		if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) != 0 {
			t.Fatalf("%q encodes to bad DER: %v", s, err)
		}
		var name pkix.Name
		name.FillFromRDNSequence(&seq)
		if name.CommonName == "" {
			t.Fatalf("%q: no CN in the encoding", s)
		}
		// What the INF writes, read back, is the same name.
		back, err := parseDN(n.windows())
		if err != nil {
			t.Fatalf("%q: the Windows form %q does not read back: %v", s, n.windows(), err)
		}
		der2, _ := back.der()
		if string(der2) != string(der) {
			t.Fatalf("%q: the Windows form %q reads back as %s, not %s", s, n.windows(), certfile.DN(der2), certfile.DN(der))
		}
	})
}
