package certfile

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// attributeNames are the short names OpenSSL (and Windows) print for the
// attribute types of distinguished names, beyond the few Go's
// pkix.Name.String knows: DC=companya rather than
// 0.9.2342.19200300.100.1.25=#1308636f6d70616e7961.
var attributeNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.13":                   "description",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.17":                   "postalCode",
	"2.5.4.41":                   "name",
	"2.5.4.42":                   "GN",
	"2.5.4.43":                   "initials",
	"2.5.4.44":                   "generationQualifier",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.65":                   "pseudonym",
	"2.5.4.97":                   "organizationIdentifier",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.2.840.113549.1.9.2":       "unstructuredName",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
}

// DN formats a DER distinguished name (a certificate's RawSubject or
// RawIssuer) in RFC 4514 order, most specific first, as Go's
// pkix.Name.String does, but with the attribute names OpenSSL and Windows
// show (DC=, UID=, emailAddress=, ...): "CN=ucc.companya.com,DC=companya,
// DC=com". Attribute types without a name are written as the dotted OID
// and their value as #hex of its DER. Values are escaped by RFC 4514's
// rules; any other character, control characters included, is returned as
// it is: escape the result before printing it to a terminal. A name that
// does not parse is returned as #hex.
func DN(raw []byte) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) != 0 {
		return "#" + hex.EncodeToString(raw)
	}
	var b strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		for j, atv := range rdns[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			oid := atv.Type.String()
			name, known := attributeNames[oid]
			if !known {
				name = oid
			}
			b.WriteString(name)
			b.WriteByte('=')
			s, ok := atv.Value.(string)
			if !known || !ok || !utf8.ValidString(s) {
				der, err := asn1.Marshal(atv.Value)
				if err != nil {
					b.WriteString("#")
					continue
				}
				b.WriteString("#" + hex.EncodeToString(der))
				continue
			}
			b.WriteString(escapeValue(s))
		}
	}
	return b.String()
}

// SubjectDN is DN of c's subject ("" for a nil certificate).
func SubjectDN(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return DN(c.RawSubject)
}

// IssuerDN is DN of c's issuer ("" for a nil certificate).
func IssuerDN(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return DN(c.RawIssuer)
}

// escapeValue escapes an attribute value as RFC 4514 section 2.4 asks.
func escapeValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(`,+"\<>;`, r),
			i == 0 && (r == ' ' || r == '#'),
			i == len(s)-1 && r == ' ':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == 0:
			b.WriteString(`\00`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
