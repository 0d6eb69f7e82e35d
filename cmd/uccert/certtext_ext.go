package main

import (
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The extensions part of certText (certtext.go documents the output).

// writeExtension writes one extension: its name (OpenSSL's, or the OID),
// " critical" when it is, and its value decoded, or in hex when it is not
// decoded here or cannot be.
func writeExtension(w *textWriter, oid string, critical bool, value []byte) {
	header := extensionName(oid) + ":"
	if critical {
		header += " critical"
	}
	w.line(12, header)
	lines, ok := extensionValue(oid, value)
	if !ok {
		lines = hexLines(value, 18)
	}
	for _, l := range lines {
		w.line(16, l)
	}
}

// extensionValue decodes the value of the extensions certText knows; ok
// is false for the others and for a value that cannot be read.
func extensionValue(oid string, v []byte) (lines []string, ok bool) {
	s := cryptobyte.String(v)
	switch oid {
	case "2.5.29.19":
		lines, ok = basicConstraints(&s)
	case "2.5.29.15":
		lines, ok = bitNames(&s, keyUsageNames())
	case "2.16.840.1.113730.1.1":
		lines, ok = bitNames(&s, netscapeCertTypeNames())
	case "2.5.29.37":
		lines, ok = extKeyUsage(&s)
	case "2.5.29.17", "2.5.29.18":
		var names []string
		names, ok = generalNames(&s, cbasn1.SEQUENCE)
		lines = []string{strings.Join(names, ", ")}
	case "2.5.29.14":
		var id cryptobyte.String
		ok = s.ReadASN1(&id, cbasn1.OCTET_STRING)
		lines = []string{colonHex(id, true)}
	case "2.5.29.35":
		lines, ok = authorityKeyID(&s)
	case "2.5.29.31", "2.5.29.46":
		lines, ok = crlDistributionPoints(&s)
	case "1.3.6.1.5.5.7.1.1", "1.3.6.1.5.5.7.1.11":
		lines, ok = infoAccess(&s)
	case "2.5.29.32":
		lines, ok = certificatePolicies(&s)
	case "2.5.29.30":
		lines, ok = nameConstraints(&s)
	case "2.5.29.54":
		n := new(big.Int)
		ok = s.ReadASN1Integer(n)
		lines = []string{intText(n)}
	case "1.3.6.1.5.5.7.1.24":
		lines, ok = tlsFeature(&s)
	case "1.3.6.1.5.5.7.48.1.5", "1.3.6.1.4.1.11129.2.4.3":
		ok = s.SkipASN1(cbasn1.NULL)
	case "2.16.840.1.113730.1.13", "1.3.6.1.4.1.311.20.2":
		var text string
		text, ok = readString(&s)
		ok = ok && !strings.HasPrefix(text, "#")
		lines = []string{text}
	case "1.3.6.1.4.1.311.21.7":
		lines, ok = msTemplate(&s)
	case "1.3.6.1.4.1.311.21.10":
		lines, ok = msApplicationPolicies(&s)
	default:
		return nil, false
	}
	if !ok || !s.Empty() {
		return nil, false
	}
	return lines, true
}

func basicConstraints(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	ca := false
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) && !seq.ReadASN1Boolean(&ca) {
		return nil, false
	}
	text := "CA:FALSE"
	if ca {
		text = "CA:TRUE"
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		n := new(big.Int)
		if !seq.ReadASN1Integer(n) {
			return nil, false
		}
		text += ", pathlen:" + intText(n)
	}
	return []string{text}, seq.Empty()
}

// bitNames reads a BIT STRING and names its set bits, joined by ", ".
func bitNames(s *cryptobyte.String, names []string) ([]string, bool) {
	var bits cryptobyte.String
	if !s.ReadASN1(&bits, cbasn1.BIT_STRING) {
		return nil, false
	}
	text, ok := bitStringNames(bits, names)
	return []string{text}, ok
}

// bitStringNames names the set bits of the contents of a BIT STRING,
// joined by ", ".
func bitStringNames(bits []byte, names []string) (string, bool) {
	if len(bits) == 0 || bits[0] > 7 || (len(bits) == 1 && bits[0] != 0) {
		return "", false
	}
	var set []string
	for i, name := range names {
		byteIndex := 1 + i/8
		if byteIndex < len(bits) && bits[byteIndex]&(0x80>>(i%8)) != 0 {
			set = append(set, name)
		}
	}
	return strings.Join(set, ", "), true
}

// readOIDList reads a SEQUENCE OF OBJECT IDENTIFIER and names each.
func readOIDList(s *cryptobyte.String, name func(string) string) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var names []string
	for !seq.Empty() {
		oid, ok := readOID(&seq)
		if !ok {
			return nil, false
		}
		names = append(names, name(oid))
	}
	return names, true
}

func extKeyUsage(s *cryptobyte.String) ([]string, bool) {
	names, ok := readOIDList(s, extKeyUsageName)
	return []string{strings.Join(names, ", ")}, ok
}

// generalNames reads GeneralNames (a SEQUENCE OF GeneralName, or its
// implicitly tagged form) and formats each name.
func generalNames(s *cryptobyte.String, tag cbasn1.Tag) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, tag) {
		return nil, false
	}
	var names []string
	for !seq.Empty() {
		n, ok := generalName(&seq, false)
		if !ok {
			return nil, false
		}
		names = append(names, n)
	}
	return names, true
}

// generalName reads one GeneralName (RFC 5280 4.2.1.6) and formats it as
// OpenSSL does; subtree selects the address/mask form of an iPAddress in
// Name Constraints.
func generalName(s *cryptobyte.String, subtree bool) (string, bool) {
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&content, &tag) || tag&0xc0 != 0x80 {
		return "", false
	}
	switch tag & 0x1f {
	case 0: // otherName
		return otherName(content)
	case 1:
		return "email:" + string(content), true
	case 2:
		return "DNS:" + string(content), true
	case 3:
		return "X400Name:<unsupported>", true
	case 4:
		name, ok := slashName(content)
		return "DirName:" + name, ok
	case 5:
		return "EdiPartyName:<unsupported>", true
	case 6:
		return "URI:" + string(content), true
	case 7:
		if subtree {
			return "IP:" + ipSubtree(content), true
		}
		return "IP Address:" + ipText(content), true
	case 8:
		oid, ok := oidText(content)
		return "Registered ID:" + oid, ok
	}
	return "", false
}

// otherName formats an otherName as OpenSSL 3.0 does:
// "othername: UPN::user@example.com"; a type OpenSSL does not name by its
// OID, a value that is not a string as "#" and its DER in hex.
func otherName(content cryptobyte.String) (string, bool) {
	oid, ok := readOID(&content)
	var value cryptobyte.String
	if !ok || !content.ReadASN1(&value, cbasn1.Tag(0).Constructed().ContextSpecific()) || !content.Empty() {
		return "", false
	}
	v, ok := readString(&value)
	if !ok || !value.Empty() {
		return "", false
	}
	name := oid
	switch oid {
	case "1.3.6.1.4.1.311.20.2.3":
		name = "UPN"
	case "1.3.6.1.5.5.7.8.5":
		name = "XmppAddr"
	case "1.3.6.1.5.5.7.8.7":
		name = "SRVName"
	case "1.3.6.1.5.5.7.8.8":
		name = "NAIRealm"
	case "1.3.6.1.5.5.7.8.9":
		name = "SmtpUTF8Mailbox"
	}
	return "othername: " + name + "::" + v, true
}

// ipText is an IPv4 address in dotted form, an IPv6 address as OpenSSL
// prints it (eight uppercase hex groups, no "::").
func ipText(b []byte) string {
	switch len(b) {
	case 4:
		return fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], b[2], b[3])
	case 16:
		groups := make([]string, 8)
		for i := range groups {
			groups[i] = fmt.Sprintf("%X", uint16(b[2*i])<<8|uint16(b[2*i+1]))
		}
		return strings.Join(groups, ":")
	}
	return fmt.Sprintf("<invalid length=%d>", len(b))
}

// ipSubtree is an address and mask of Name Constraints ("10.0.0.0/255.0.0.0").
func ipSubtree(b []byte) string {
	if len(b) == 8 || len(b) == 32 {
		return ipText(b[:len(b)/2]) + "/" + ipText(b[len(b)/2:])
	}
	return ipText(b)
}

func authorityKeyID(s *cryptobyte.String) ([]string, bool) {
	var seq, keyID, issuer, serial cryptobyte.String
	var hasKeyID, hasIssuer, hasSerial bool
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) ||
		!seq.ReadOptionalASN1(&keyID, &hasKeyID, cbasn1.Tag(0).ContextSpecific()) ||
		!seq.ReadOptionalASN1(&issuer, &hasIssuer, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!seq.ReadOptionalASN1(&serial, &hasSerial, cbasn1.Tag(2).ContextSpecific()) ||
		!seq.Empty() {
		return nil, false
	}
	var lines []string
	if hasKeyID {
		prefix := ""
		if hasIssuer || hasSerial {
			prefix = "keyid:"
		}
		lines = append(lines, prefix+colonHex(keyID, true))
	}
	for !issuer.Empty() {
		n, ok := generalName(&issuer, false)
		if !ok {
			return nil, false
		}
		lines = append(lines, n)
	}
	if hasSerial {
		if len(serial) == 0 {
			return nil, false
		}
		v := new(big.Int).SetBytes(serial)
		if serial[0]&0x80 != 0 { // negative: two's complement
			v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(serial))))
		}
		sign := ""
		if v.Sign() < 0 {
			sign = "-"
		}
		mag := new(big.Int).Abs(v).Bytes()
		if len(mag) == 0 {
			mag = []byte{0}
		}
		lines = append(lines, "serial:"+sign+colonHex(mag, true))
	}
	if lines == nil {
		lines = []string{""}
	}
	return lines, true
}

func crlDistributionPoints(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var lines []string
	for !seq.Empty() {
		var dp, name, reasons, issuer cryptobyte.String
		var hasName, hasReasons, hasIssuer bool
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) ||
			!dp.ReadOptionalASN1(&name, &hasName, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
			!dp.ReadOptionalASN1(&reasons, &hasReasons, cbasn1.Tag(1).ContextSpecific()) ||
			!dp.ReadOptionalASN1(&issuer, &hasIssuer, cbasn1.Tag(2).Constructed().ContextSpecific()) ||
			!dp.Empty() {
			return nil, false
		}
		if hasName {
			switch {
			case name.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()):
				names, ok := generalNames(&name, cbasn1.Tag(0).Constructed().ContextSpecific())
				if !ok {
					return nil, false
				}
				lines = append(lines, "Full Name:")
				for _, n := range names {
					lines = append(lines, "  "+n)
				}
			case name.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()):
				var rdn cryptobyte.String
				if !name.ReadASN1(&rdn, cbasn1.Tag(1).Constructed().ContextSpecific()) {
					return nil, false
				}
				// A RelativeDistinguishedName: read it as a one-RDN Name.
				var b cryptobyte.Builder
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(rdn) })
				})
				der, err := b.Bytes()
				if err != nil {
					return nil, false
				}
				text := nameText(der, "")
				if text == "" {
					return nil, false
				}
				lines = append(lines, "Relative Name:", "  "+text)
			default:
				return nil, false
			}
			if !name.Empty() {
				return nil, false
			}
		}
		if hasReasons {
			text, ok := bitStringNames(reasons, reasonNames())
			if !ok {
				return nil, false
			}
			lines = append(lines, "Reasons:", "  "+text)
		}
		if hasIssuer {
			lines = append(lines, "CRL Issuer:")
			for !issuer.Empty() {
				n, ok := generalName(&issuer, false)
				if !ok {
					return nil, false
				}
				lines = append(lines, "  "+n)
			}
		}
	}
	return lines, true
}

func infoAccess(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var lines []string
	for !seq.Empty() {
		var ad cryptobyte.String
		if !seq.ReadASN1(&ad, cbasn1.SEQUENCE) {
			return nil, false
		}
		method, ok := readOID(&ad)
		if !ok {
			return nil, false
		}
		location, ok := generalName(&ad, false)
		if !ok || !ad.Empty() {
			return nil, false
		}
		lines = append(lines, accessMethodName(method)+" - "+location)
	}
	return lines, true
}

func certificatePolicies(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var lines []string
	for !seq.Empty() {
		var pi cryptobyte.String
		if !seq.ReadASN1(&pi, cbasn1.SEQUENCE) {
			return nil, false
		}
		oid, ok := readOID(&pi)
		if !ok {
			return nil, false
		}
		if oid == oidAnyPolicy {
			oid = "X509v3 Any Policy"
		}
		lines = append(lines, "Policy: "+oid)
		if pi.Empty() {
			continue
		}
		var quals cryptobyte.String
		if !pi.ReadASN1(&quals, cbasn1.SEQUENCE) || !pi.Empty() {
			return nil, false
		}
		for !quals.Empty() {
			var q cryptobyte.String
			if !quals.ReadASN1(&q, cbasn1.SEQUENCE) {
				return nil, false
			}
			qid, ok := readOID(&q)
			if !ok {
				return nil, false
			}
			switch qid {
			case oidCPS:
				uri, ok := readString(&q)
				if !ok {
					return nil, false
				}
				lines = append(lines, "  CPS: "+uri)
			case oidUserNotice:
				notice, ok := userNotice(&q)
				if !ok {
					return nil, false
				}
				lines = append(lines, "  User Notice:")
				lines = append(lines, notice...)
			default:
				lines = append(lines, "  Unknown Qualifier: "+qid)
				q = nil
			}
			if !q.Empty() {
				return nil, false
			}
		}
	}
	return lines, true
}

// userNotice formats a UserNotice (RFC 5280 4.2.1.4).
func userNotice(s *cryptobyte.String) ([]string, bool) {
	var un cryptobyte.String
	if !s.ReadASN1(&un, cbasn1.SEQUENCE) {
		return nil, false
	}
	var lines []string
	if un.PeekASN1Tag(cbasn1.SEQUENCE) {
		var ref, numbers cryptobyte.String
		if !un.ReadASN1(&ref, cbasn1.SEQUENCE) {
			return nil, false
		}
		org, ok := readString(&ref)
		if !ok || !ref.ReadASN1(&numbers, cbasn1.SEQUENCE) || !ref.Empty() {
			return nil, false
		}
		var nums []string
		for !numbers.Empty() {
			n := new(big.Int)
			if !numbers.ReadASN1Integer(n) {
				return nil, false
			}
			nums = append(nums, intText(n))
		}
		lines = append(lines, "    Organization: "+org)
		label := "Number"
		if len(nums) > 1 {
			label = "Numbers"
		}
		lines = append(lines, "    "+label+": "+strings.Join(nums, ", "))
	}
	if !un.Empty() {
		text, ok := readString(&un)
		if !ok || !un.Empty() {
			return nil, false
		}
		lines = append(lines, "    Explicit Text: "+text)
	}
	return lines, true
}

func nameConstraints(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var lines []string
	for i, label := range []string{"Permitted:", "Excluded:"} {
		var trees cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&trees, &present, cbasn1.Tag(i).Constructed().ContextSpecific()) {
			return nil, false
		}
		if !present {
			continue
		}
		lines = append(lines, label)
		for !trees.Empty() {
			var tree cryptobyte.String
			if !trees.ReadASN1(&tree, cbasn1.SEQUENCE) {
				return nil, false
			}
			n, ok := generalName(&tree, true)
			if !ok {
				return nil, false
			}
			lines = append(lines, "  "+n) // minimum and maximum are unused (RFC 5280 4.2.1.10)
		}
	}
	return lines, seq.Empty()
}

func tlsFeature(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var names []string
	for !seq.Empty() {
		var n int64
		if !seq.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) {
			return nil, false
		}
		switch n {
		case 5:
			names = append(names, "status_request")
		case 17:
			names = append(names, "status_request_v2")
		default:
			names = append(names, fmt.Sprint(n))
		}
	}
	return []string{strings.Join(names, ", ")}, true
}

// msTemplate formats Microsoft's certificate template information
// (szOID_CERTIFICATE_TEMPLATE: template OID, major and minor version).
func msTemplate(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	oid, ok := readOID(&seq)
	if !ok {
		return nil, false
	}
	lines := []string{"Template: " + oid}
	for _, label := range []string{"Major Version: ", "Minor Version: "} {
		if seq.Empty() {
			break
		}
		n := new(big.Int)
		if !seq.ReadASN1Integer(n) {
			return nil, false
		}
		lines = append(lines, label+intText(n))
	}
	return lines, seq.Empty()
}

// msApplicationPolicies formats Microsoft's application policies, a
// SEQUENCE OF SEQUENCE { policy OID, ... }, with the key purpose names.
func msApplicationPolicies(s *cryptobyte.String) ([]string, bool) {
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var names []string
	for !seq.Empty() {
		var p cryptobyte.String
		if !seq.ReadASN1(&p, cbasn1.SEQUENCE) {
			return nil, false
		}
		oid, ok := readOID(&p)
		if !ok {
			return nil, false
		}
		names = append(names, extKeyUsageName(oid))
	}
	return []string{strings.Join(names, ", ")}, true
}
