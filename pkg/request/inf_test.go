package request

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf16"
)

// infLines checks the CRLF line ends of an INF and returns its lines.
func infLines(t *testing.T, inf []byte) []string {
	t.Helper()
	text := string(inf)
	if bytes.HasPrefix(inf, []byte{0xff, 0xfe}) {
		u := make([]uint16, 0, len(inf)/2)
		for i := 2; i+1 < len(inf); i += 2 {
			u = append(u, uint16(inf[i])|uint16(inf[i+1])<<8)
		}
		text = string(utf16.Decode(u))
	}
	if strings.Count(text, "\n") != strings.Count(text, "\r\n") || strings.Count(text, "\r") != strings.Count(text, "\r\n") {
		t.Fatalf("line ends are not all CRLF: %q", text)
	}
	return strings.Split(text, "\r\n")
}

func TestINF(t *testing.T) {
	cases := []struct {
		name  string
		opts  Options
		want  []string
		avoid []string
		utf16 bool
	}{
		{"rsa2048", Options{Host: "ucc.uc.example.com", DNSNames: []string{"ucc-pool.uc.example.com"}},
			[]string{"[Version]", `Signature="$Windows NT$"`, "[NewRequest]", `Subject = "CN=ucc.uc.example.com"`,
				"KeyAlgorithm = RSA", "KeyLength = 2048", "KeySpec = 1 ; AT_KEYEXCHANGE", "KeyUsage = 0xa0 ; digitalSignature, keyEncipherment",
				"HashAlgorithm = sha256", "RequestType = PKCS10", "[Extensions]", `2.5.29.17 = "{text}"`,
				`_continue_ = "dns=ucc.uc.example.com&"`, `_continue_ = "dns=ucc-pool.uc.example.com"`,
				"[EnhancedKeyUsageExtension]", "OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication", "OID = 1.3.6.1.5.5.7.3.2 ; Client Authentication"},
			[]string{"Exportable", "ECDSA"}, false},
		{"rsa3072", Options{Host: "ucc.uc.example.com", KeyType: RSA3072},
			[]string{"KeyLength = 3072", `_continue_ = "dns=ucc.uc.example.com"`}, nil, false},
		{"ec-p256, a subject with a comma", Options{Host: "ucc.uc.example.com", KeyType: ECP256, Subject: `CN=ucc.uc.example.com,O=Example\, Inc.,C=US`},
			[]string{`Subject = "CN=ucc.uc.example.com,O=""Example, Inc."",C=US"`, "KeyAlgorithm = ECDSA_P256", "KeyLength = 256",
				`ProviderName = "Microsoft Software Key Storage Provider"`, "KeyUsage = 0x80 ; digitalSignature"},
			[]string{"KeySpec", "KeyAlgorithm = RSA"}, false},
		{"non-ASCII subject: UTF-16", Options{Host: "ucc.uc.example.com", KeyType: ECP256, Subject: "CN=ucc.uc.example.com,O=Bücher"},
			[]string{`Subject = "CN=ucc.uc.example.com,O=Bücher"`}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Generate(c.opts)
			if err != nil {
				t.Fatal(err)
			}
			inf := r.INF()
			if got := bytes.HasPrefix(inf, []byte{0xff, 0xfe}); got != c.utf16 {
				t.Errorf("UTF-16 with BOM: %v, want %v", got, c.utf16)
			}
			lines := infLines(t, inf)
			have := map[string]bool{}
			for _, l := range lines {
				have[l] = true
			}
			for _, w := range c.want {
				if !have[w] {
					t.Errorf("no line %q in\n%s", w, strings.Join(lines, "\n"))
				}
			}
			for _, a := range c.avoid {
				if strings.Contains(strings.Join(lines, "\n"), a) {
					t.Errorf("%q in\n%s", a, strings.Join(lines, "\n"))
				}
			}
			// Sections in certreq's order, each once.
			var sections []string
			for _, l := range lines {
				if strings.HasPrefix(l, "[") {
					sections = append(sections, l)
				}
			}
			if got := strings.Join(sections, " "); got != "[Version] [NewRequest] [Extensions] [EnhancedKeyUsageExtension]" {
				t.Errorf("sections %s", got)
			}
		})
	}
}
