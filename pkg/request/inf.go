package request

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// INF is the request in the words of Windows' certreq: a policy file
// with the subject, the key, the DNS names (extension 2.5.29.17 as dns=
// lines) and the purposes (Server Authentication 1.3.6.1.5.5.7.3.1,
// Client Authentication 1.3.6.1.5.5.7.3.2), with CRLF line ends. It is
// ASCII when the subject is; otherwise UTF-16LE with a byte order mark,
// the Unicode form Windows' INF reader takes.
//
// The request itself is the CSR: submit that (certreq -submit); the INF
// records what it asks for where AD CS administrators look for it. Given
// to certreq -new, it would make a new key in the Windows certificate
// store instead, which is what requesting with uccert avoids.
func (r *Request) INF() []byte {
	var lines []string
	add := func(l ...string) { lines = append(lines, l...) }
	add("; certreq policy file written by uccert request for "+r.Host+".",
		"; It describes the certificate request (.csr) uccert made; the key stays in the",
		"; pending key file. Submit the .csr: certreq -submit -attrib \"CertificateTemplate:NAME\" FILE.csr FILE.cer",
		"; (certreq -new with this file would make another key, in the Windows store).",
		"",
		"[Version]",
		`Signature="$Windows NT$"`,
		"",
		"[NewRequest]",
		`Subject = "`+strings.ReplaceAll(r.name.windows(), `"`, `""`)+`"`)
	switch r.KeyType {
	case ECP256:
		add("KeyAlgorithm = ECDSA_P256",
			"KeyLength = 256",
			`ProviderName = "Microsoft Software Key Storage Provider"`,
			"KeyUsage = 0x80 ; digitalSignature")
	default:
		bits := "2048"
		if r.KeyType == RSA3072 {
			bits = "3072"
		}
		add("KeyAlgorithm = RSA",
			"KeyLength = "+bits,
			"KeySpec = 1 ; AT_KEYEXCHANGE",
			"KeyUsage = 0xa0 ; digitalSignature, keyEncipherment")
	}
	add("HashAlgorithm = sha256",
		"RequestType = PKCS10",
		"",
		"[Extensions]",
		"; subject alternative names",
		`2.5.29.17 = "{text}"`)
	for i, n := range r.DNSNames {
		sep := "&"
		if i == len(r.DNSNames)-1 {
			sep = ""
		}
		add(`_continue_ = "dns=` + n + sep + `"`)
	}
	add("",
		"[EnhancedKeyUsageExtension]",
		"OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication",
		"OID = 1.3.6.1.5.5.7.3.2 ; Client Authentication",
		"")
	text := strings.Join(lines, "\r\n")
	if isASCII(text) {
		return []byte(text)
	}
	u := utf16.Encode([]rune(text))
	out := make([]byte, 2, 2+2*len(u))
	out[0], out[1] = 0xff, 0xfe
	for _, c := range u {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
