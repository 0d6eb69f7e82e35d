package certfile

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// AttributeName is the short name OpenSSL (and Windows) print for the
// attribute type oid (dotted) of a distinguished name, beyond the few Go's
// pkix.Name.String knows: "DC" for 0.9.2342.19200300.100.1.25, so that a
// name reads DC=companya rather than
// 0.9.2342.19200300.100.1.25=#1308636f6d70616e7961. It returns oid and
// false for a type without a name.
func AttributeName(oid string) (string, bool) {
	switch oid {
	case "2.5.4.3":
		return "CN", true
	case "2.5.4.4":
		return "SN", true
	case "2.5.4.5":
		return "serialNumber", true
	case "2.5.4.6":
		return "C", true
	case "2.5.4.7":
		return "L", true
	case "2.5.4.8":
		return "ST", true
	case "2.5.4.9":
		return "street", true
	case "2.5.4.10":
		return "O", true
	case "2.5.4.11":
		return "OU", true
	case "2.5.4.12":
		return "title", true
	case "2.5.4.13":
		return "description", true
	case "2.5.4.15":
		return "businessCategory", true
	case "2.5.4.16":
		return "postalAddress", true
	case "2.5.4.17":
		return "postalCode", true
	case "2.5.4.18":
		return "postOfficeBox", true
	case "2.5.4.20":
		return "telephoneNumber", true
	case "2.5.4.41":
		return "name", true
	case "2.5.4.42":
		return "GN", true
	case "2.5.4.43":
		return "initials", true
	case "2.5.4.44":
		return "generationQualifier", true
	case "2.5.4.45":
		return "x500UniqueIdentifier", true
	case "2.5.4.46":
		return "dnQualifier", true
	case "2.5.4.65":
		return "pseudonym", true
	case "2.5.4.97":
		return "organizationIdentifier", true
	case "1.2.840.113549.1.9.1":
		return "emailAddress", true
	case "1.2.840.113549.1.9.2":
		return "unstructuredName", true
	case "1.2.840.113549.1.9.8":
		return "unstructuredAddress", true
	case "0.9.2342.19200300.100.1.1":
		return "UID", true
	case "0.9.2342.19200300.100.1.25":
		return "DC", true
	case "1.3.6.1.4.1.311.60.2.1.1":
		return "jurisdictionL", true
	case "1.3.6.1.4.1.311.60.2.1.2":
		return "jurisdictionST", true
	case "1.3.6.1.4.1.311.60.2.1.3":
		return "jurisdictionC", true
	}
	return oid, false
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
			name, known := AttributeName(oid)
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
