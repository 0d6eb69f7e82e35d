package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/internal/judge"
)

// `uccert inspect --text FILE` judged by `openssl x509 -noout -text`: both
// texts are read into fields (a path of section names and a key, e.g.
// "Certificate/Data/Validity/Not Before", and its value) and extensions
// (name, criticality, value), and every field and extension must agree.
//
// OpenSSL runs with -nameopt oneline,-space_eq,-esc_msb: OpenSSL 3.0's
// one-line names without spaces around "=" and with UTF-8 as it is, which
// is the form of cmd/uccert/certtext.go. Values are compared exactly; the
// value of an extension with its whitespace runs made one space (OpenSSL
// 3.0 glues "Reasons:" in CRL Distribution Points to the last URI).
//
// The remaining differences, all deliberate (cmd/uccert/certtext.go):
//   - uccert does not print the RSA modulus, the EC public point, DSA's
//     pub, P, Q and G, nor the signature value: Modulus, pub (except for
//     Ed25519, where both print it), P, Q, G and Signature Value may be
//     missing from uccert's text.
//   - OpenSSL repeats the RSASSA-PSS parameters after "Signature Value:"
//     (so they read as part of it); uccert shows them once, in Data.
//   - uccert ends with "SHA256 Fingerprint=", compared with
//     `openssl x509 -noout -fingerprint -sha256` instead.
//   - An extension OpenSSL does not know: OpenSSL prints its bytes with
//     dots for the unprintable ones, uccert in hex; only the name (the
//     OID) and criticality are compared, and that uccert's value is hex.
//   - Microsoft's template name extension (1.3.6.1.4.1.311.20.2): uccert
//     names and decodes it; its value must be OpenSSL's dump without the
//     dots.
//   - An RSASSA-PSS key with parameter restrictions (OpenSSL 3.0 writes
//     them in another form, "SHA2-256"): only the unrestricted key is
//     made here.
//   - Values with ", " or "+" (which OpenSSL quotes or escapes) and CRL
//     Issuer names (which OpenSSL prints in another form) are not used
//     here; cmd/uccert/certtext_test.go checks uccert's form of them.
func TestInspectTextAgainstOpenSSL(t *testing.T) {
	judge.Require(t, "openssl")
	exe := uccertHost(t)

	type certCase struct {
		name, file string
		env        []string // for uccert
	}
	var cases []certCase
	for _, name := range []string{"root", "issuing", "fe1", "fe2", "fe3", "fe4", "cnonly", "wildcard", "sha1", "rsa1024",
		"noeku", "serveronly", "expired", "notyet", "ucc", "wronghost", "other-root", "other-leaf"} {
		cases = append(cases, certCase{name: name, file: filepath.Join("..", "..", "..", "fixtures", "pki", name+".pem")})
	}
	for _, g := range opensslCertificates(t) {
		cases = append(cases, certCase{name: "openssl " + g.name, file: g.file, env: g.env})
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			theirs, err := judge.OpenSSL(t, nil, "x509", "-noout", "-text", "-nameopt", "oneline,-space_eq,-esc_msb", "-in", c.file)
			if err != nil {
				t.Fatal(err)
			}
			fingerprint, err := judge.OpenSSL(t, nil, "x509", "-noout", "-fingerprint", "-sha256", "-in", c.file)
			if err != nil {
				t.Fatal(err)
			}
			ours := certTextOf(t, runHost(t, exe, c.env, "inspect", "--text", c.file))

			of, oe := parseCertText(t, ours)
			tf, te := parseCertText(t, theirs)
			for _, path := range []string{"Version", "Serial Number", "Signature Algorithm", "Issuer", "Validity/Not Before",
				"Validity/Not After", "Subject", "Subject Public Key Info/Public Key Algorithm"} {
				if _, ok := tf["Certificate/Data/"+path]; !ok {
					t.Errorf("the test read no %s from OpenSSL's text", path)
				}
			}
			if len(te) == 0 {
				t.Error("the test read no extension from OpenSSL's text")
			}
			fp := strings.TrimSpace(fingerprint)
			if got := of["Certificate/SHA256 Fingerprint"]; !strings.EqualFold("SHA256 Fingerprint="+got, fp) {
				t.Errorf("fingerprint %q, openssl -fingerprint says %q", got, fp)
			}
			delete(of, "Certificate/SHA256 Fingerprint")
			for path, want := range tf {
				got, ok := of[path]
				switch {
				case !ok && omittedByUccert(path):
				case !ok:
					t.Errorf("%s: missing; OpenSSL: %q", path, want)
				case got != want:
					t.Errorf("%s: %q; OpenSSL: %q", path, got, want)
				}
			}
			for path, got := range of {
				if _, ok := tf[path]; !ok {
					t.Errorf("%s: %q; OpenSSL has no such field", path, got)
				}
			}
			compareExtensions(t, oe, te)
			if t.Failed() {
				t.Logf("uccert:\n%s\nOpenSSL:\n%s", ours, theirs)
			}
		})
	}
}

// omittedByUccert reports whether an OpenSSL field is one uccert leaves out.
func omittedByUccert(path string) bool {
	if strings.HasPrefix(path, "Certificate/Signature Value") {
		return true
	}
	switch strings.TrimPrefix(path, "Certificate/Data/Subject Public Key Info/") {
	case "Modulus", "pub", "P", "Q", "G":
		return true
	}
	return false
}

func compareExtensions(t *testing.T, ours, theirs []textExt) {
	t.Helper()
	if len(ours) != len(theirs) {
		t.Errorf("%d extensions, OpenSSL %d:\n uccert  %+v\n OpenSSL %+v", len(ours), len(theirs), ours, theirs)
		return
	}
	oidName := regexp.MustCompile(`^[0-9]+(\.[0-9]+)+$`)
	hexValue := regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2})*:?( [0-9a-f]{2}(:[0-9a-f]{2})*:?)*$`)
	for i, o := range ours {
		th := theirs[i]
		switch {
		case th.name == "1.3.6.1.4.1.311.20.2":
			if o.name != "Microsoft Certificate Template Name" || o.critical != th.critical || o.value != strings.ReplaceAll(th.value, ".", "") {
				t.Errorf("extension %d: %+v; OpenSSL %+v", i, o, th)
			}
		case oidName.MatchString(th.name):
			if o.name != th.name || o.critical != th.critical || !hexValue.MatchString(o.value) {
				t.Errorf("extension %d: %+v; OpenSSL %+v", i, o, th)
			}
		case o != th:
			t.Errorf("extension %d:\n uccert  %+v\n OpenSSL %+v", i, o, th)
		}
	}
}

// certTextOf returns the certificate text of an `uccert inspect --text`
// of a file with one certificate, without its indentation.
func certTextOf(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "Certificate:" {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		var text []string
		for _, l := range lines[i:] {
			if strings.TrimSpace(l) == "" {
				continue
			}
			if !strings.HasPrefix(l, strings.Repeat(" ", indent)) {
				break
			}
			text = append(text, l[indent:])
		}
		return strings.Join(text, "\n") + "\n"
	}
	t.Fatalf("no certificate text in\n%s", out)
	return ""
}

// textExt is an extension in a certificate text.
type textExt struct {
	name     string
	critical bool
	value    string // the value lines, whitespace runs made one space
}

// valueLine matches the continuation lines of a field: hex dumps, with
// OpenSSL's " (Negative)" before a negative serial number.
var valueLine = regexp.MustCompile(`^(\(Negative\))?[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*:?$`)

// parseCertText reads an `openssl x509 -text` style text into fields and
// extensions. A line "Key: value" (or "Key=value") is a field; a line
// "Key:" without a value (or "Validity") opens a section for the lines
// indented deeper; hex lines continue the field above them. The lines
// four deeper than "X509v3 extensions:" are extensions, everything
// deeper their values.
func parseCertText(t *testing.T, text string) (map[string]string, []textExt) {
	t.Helper()
	fields := map[string]string{}
	var exts []textExt
	type section struct {
		indent int
		path   string
	}
	var stack []section
	lastPath, lastIndent := "", -1
	extIndent := -1
	for _, raw := range strings.Split(text, "\n") {
		l := strings.TrimRight(raw, " ")
		if l == "" {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		l = l[indent:]
		if extIndent >= 0 {
			switch {
			case indent > extIndent+4 && len(exts) > 0:
				e := &exts[len(exts)-1]
				e.value = strings.Join(strings.Fields(e.value+" "+l), " ")
				continue
			case indent == extIndent+4:
				name, rest, _ := strings.Cut(l, ":")
				if rest != "" && strings.TrimSpace(rest) != "critical" {
					t.Fatalf("extension header %q", l)
				}
				exts = append(exts, textExt{name: name, critical: strings.TrimSpace(rest) == "critical"})
				continue
			}
			extIndent = -1
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if valueLine.MatchString(l) && lastIndent >= 0 && indent > lastIndent {
			fields[lastPath] = strings.TrimSpace(fields[lastPath] + " " + l)
			continue
		}
		if l == "X509v3 extensions:" {
			extIndent = indent
			continue
		}
		key, value, ok := strings.Cut(l, ": ")
		switch {
		case ok:
		case strings.HasSuffix(l, ":"):
			key, value = strings.TrimSuffix(l, ":"), ""
		case strings.Contains(l, "="):
			key, value, _ = strings.Cut(l, "=")
		default:
			key, value = l, ""
		}
		path := strings.TrimSpace(key)
		if len(stack) > 0 {
			path = stack[len(stack)-1].path + "/" + path
		}
		if _, dup := fields[path]; dup && !strings.HasPrefix(path, "Certificate/Signature Value") {
			t.Fatalf("field %s twice in\n%s", path, text)
		}
		fields[path] = strings.TrimSpace(value)
		lastPath, lastIndent = path, indent
		if value == "" {
			stack = append(stack, section{indent, path})
		}
	}
	return fields, exts
}

// generated is a certificate made by OpenSSL for the test.
type generated struct {
	name, file string
	env        []string // for uccert
}

// richConfig is the `openssl req` configuration of the certificate with
// every extension uccert decodes (and two it does not), issued by the
// test's CA; its subject has repeated, multi-valued, UTF-8 and unnamed
// attributes.
const richConfig = `[req]
distinguished_name = dn
prompt = no
string_mask = utf8only
x509_extensions = ext
[dn]
0.DC = com
1.DC = example
C = DE
ST = Bayern
L = München
O = UC Example
OU = Ops
CN = rich.uc.example.com
+UID = jdoe
emailAddress = pki@example.com
x.1.3.6.1.4.1.99.7 = custom
[ext]
basicConstraints = critical,CA:TRUE,pathlen:2
keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly
extendedKeyUsage = serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, OCSPSigning, ipsecIKE, msCodeInd, msCodeCom, msCTLSign, msEFS, msSmartcardLogin, 1.3.6.1.5.2.3.5, 1.3.6.1.5.2.3.4, anyExtendedKeyUsage, 1.2.3.4.99, 1.3.6.1.4.1.311.10.3.12, 1.3.6.1.5.5.7.3.5, 1.3.6.1.5.5.7.3.6, 1.3.6.1.5.5.7.3.7, msSGC, nsSGC, 1.3.6.1.5.5.7.3.21, 1.3.6.1.5.5.7.3.22
subjectAltName = @san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always,issuer:always
crlDistributionPoints = crl1, crl2
authorityInfoAccess = OCSP;URI:http://ocsp.example.com/, caIssuers;URI:http://ca.example.com/ca.crt, caIssuers;URI:ldap://ldap.example.com/cn=ca?cACertificate
subjectInfoAccess = caRepository;URI:http://repo.example.com/
certificatePolicies = 1.3.6.1.4.1.99.1, @pol, 2.5.29.32.0
issuerAltName = email:ca@example.com
nameConstraints = permitted;DNS:.example.com, permitted;IP:192.168.0.0/255.255.0.0, excluded;email:bad@example.com, permitted;IP:2001:db8::/ffff:ffff::
inhibitAnyPolicy = 0
1.2.3.4.5.6 = ASN1:UTF8String:hello ext
1.3.6.1.4.1.311.20.2 = ASN1:BMPString:WebServer
nsComment = "OpenSSL Generated Certificate"
nsCertType = client, email, sslCA
tlsfeature = status_request
[san]
DNS.1 = rich.uc.example.com
DNS.2 = *.rich.uc.example.com
IP.1 = 192.0.2.1
IP.2 = 2001:db8::1
email.1 = pki@example.com
URI.1 = https://rich.uc.example.com/x
RID.1 = 1.2.3.4
dirName.1 = dir_sect
otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:jdoe@example.com
otherName.2 = 1.2.3.4.5.7;UTF8:other value
otherName.3 = 1.3.6.1.5.5.7.8.7;IA5:_sip._tls.example.com
[dir_sect]
C = US
O = Dir Org
CN = Dir Name
[crl1]
fullname = URI:http://crl.example.com/a.crl, URI:ldap://ldap.example.com/cn=a
reasons = keyCompromise, CACompromise
[crl2]
fullname = URI:http://crl2.example.com/b.crl
[pol]
policyIdentifier = 1.3.6.1.4.1.99.2
CPS.1 = "http://example.com/cps"
userNotice.1 = @notice
[notice]
explicitText = "Explicit notice text"
organization = "Org Name"
noticeNumbers = 1, 2
`

// opensslCertificates makes, with OpenSSL, the certificates the fixtures
// lack: every extension uccert decodes, negative and long serial numbers,
// P-384, Ed25519, RSASSA-PSS signatures and keys, and DSA.
func opensslCertificates(t *testing.T) []generated {
	t.Helper()
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	openssl := func(args ...string) {
		t.Helper()
		if _, err := judge.OpenSSL(t, nil, args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path("rich.cnf"), []byte(richConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"),
		"-subj", "/O=UC E2E/CN=UC E2E Test CA", "-days", "30", "-set_serial", "7",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", path("ca.pem"))
	issued := func(args ...string) []string {
		return append([]string{"-CA", path("ca.pem"), "-CAkey", path("ca.key")}, args...)
	}
	negative := []string{"GODEBUG=x509negativeserial=1"} // crypto/x509 refuses negative serials without it

	var out []generated
	add := func(name string, env []string, args ...string) {
		t.Helper()
		file := path(strings.ReplaceAll(name, " ", "-") + ".pem")
		openssl(append([]string{"req", "-x509", "-nodes", "-keyout", path("leaf.key"), "-days", "30", "-out", file}, args...)...)
		out = append(out, generated{name, file, env})
	}
	add("rich", nil, issued("-newkey", "rsa:2048", "-utf8", "-config", path("rich.cnf"),
		"-set_serial", "0x0123456789abcdef0123456789abcdef")...)
	add("serial -5", negative, issued("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-subj", "/CN=neg5", "-set_serial", "-5")...)
	add("serial -1", negative, issued("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-subj", "/CN=neg1", "-set_serial", "-1")...)
	add("long negative serial", negative, issued("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-subj", "/CN=negbig", "-set_serial", "-0x0123456789abcdef0123")...)
	add("serial 2^63", nil, issued("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-subj", "/CN=big", "-set_serial", "0x8000000000000000")...)
	add("P-384", nil, issued("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-subj", "/CN=p384", "-sha384")...)
	add("P-521 self-signed", nil, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-subj", "/CN=p521", "-sha512")
	add("Ed25519", nil, "-newkey", "ed25519", "-subj", "/CN=ed25519")
	add("RSASSA-PSS signature", nil, "-newkey", "rsa:2048", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sha256", "-subj", "/CN=pss")
	openssl("genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("pss.key"))
	add("RSASSA-PSS key", nil, "-key", path("pss.key"), "-subj", "/CN=psskey")
	openssl("dsaparam", "-out", path("dsa.param"), "2048")
	add("DSA", nil, "-newkey", "dsa:"+path("dsa.param"), "-subj", "/CN=dsa")
	return out
}
