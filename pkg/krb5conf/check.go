package krb5conf

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"

	"github.com/uccert/uccert/pkg/finding"
)

// CheckOptions tunes Check.
type CheckOptions struct {
	// Host is the connector host's FQDN. When empty,
	// krb5-host-realm-mismatch is not checked.
	Host string
}

// Check runs the semantic checks on a parsed file and returns their
// findings in line order (none when all is well). It does not repeat the
// syntax findings of Parse.
//
// krb5-host-realm-mismatch is skipped while default_realm is missing or
// undefined (that is reported already, and fixing it may fix both).
func Check(f *File, opts CheckOptions) []finding.Finding {
	if f == nil {
		return nil
	}
	c := &checker{f: f, kdcs: map[string]int{}, folded: map[string]Realm{}, count: map[finding.Check]int{}}
	for _, r := range f.Realms {
		n := c.kdcs[r.Name] // MIT krb5 merges blocks of the same name
		for _, k := range r.Values("kdc") {
			if k.Value != "" {
				n++
			}
		}
		c.kdcs[r.Name] = n
		if _, ok := c.folded[strings.ToLower(r.Name)]; !ok {
			c.folded[strings.ToLower(r.Name)] = r
		}
	}
	defined := c.defaultRealm()
	c.realms()
	c.domainRealm()
	if defined && opts.Host != "" {
		c.hostRealm(opts.Host)
	}
	c.enctypes()
	c.checksums()
	sort.SliceStable(c.out, func(i, j int) bool { return c.out[i].Line < c.out[j].Line })
	return c.out
}

type checker struct {
	f      *File
	out    []finding.Finding
	kdcs   map[string]int        // realm name → number of kdc relations
	folded map[string]Realm      // lower-case realm name → first realm
	count  map[finding.Check]int // findings per check
}

func (c *checker) defined(name string) bool {
	_, ok := c.kdcs[name]
	return ok
}

func (c *checker) add(check finding.Check, sev finding.Severity, line int, msg, hint string) {
	switch c.count[check]++; {
	case c.count[check] == maxPerCheck+1:
		msg, hint = fmt.Sprintf("more than %d %s problems; the rest are not reported", maxPerCheck, check), ""
	case c.count[check] > maxPerCheck+1:
		return
	}
	c.out = append(c.out, finding.Finding{Check: check, Severity: sev, Subject: lineSubject(max(line, 1)), Line: max(line, 1), Message: msg, Hint: hint})
}

// caseHint suggests the realm of the file that differs from name only in
// case, if any.
func (c *checker) caseHint(name string) string {
	if r, ok := c.folded[strings.ToLower(name)]; ok {
		return fmt.Sprintf("realm names are case-sensitive: [realms] defines %s on line %d", r.Name, r.Line)
	}
	return ""
}

// defaultRealm checks default_realm and reports whether it names a realm
// of [realms].
func (c *checker) defaultRealm() bool {
	dr, ok := c.f.LibDefault("default_realm")
	if !ok || dr.Value == "" {
		line, msg := c.f.SectionLine("libdefaults"), "no default_realm in [libdefaults]"
		if ok {
			line, msg = dr.Line, "default_realm is empty"
		}
		hint := "add `default_realm = REALM` under [libdefaults]: the connector's Active Directory domain in upper case"
		if len(c.f.Realms) == 1 {
			hint = fmt.Sprintf("add `default_realm = %s` under [libdefaults]", c.f.Realms[0].Name)
		}
		c.add(CheckNoDefaultRealm, finding.Error, line, msg, hint)
		return false
	}
	if c.defined(dr.Value) {
		return true
	}
	hint := c.caseHint(dr.Value)
	if hint == "" {
		hint = fmt.Sprintf("add a block `%s = {` with a `kdc = ...` line and `}` under [realms], or correct default_realm", dr.Value)
	}
	c.add(CheckDefaultRealmUndefined, finding.Error, dr.Line,
		fmt.Sprintf("default_realm %s is not defined in [realms]", dr.Value), hint)
	return false
}

func (c *checker) realms() {
	seen := map[string]bool{}
	for _, r := range c.f.Realms {
		if seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		if c.kdcs[r.Name] == 0 {
			c.add(CheckRealmNoKDC, finding.Error, r.Line, fmt.Sprintf("realm %s has no kdc", r.Name),
				"add `kdc = dc1.example.com` inside the block, one line per domain controller "+
					"(gokrb5 looks KDCs up in DNS only with dns_lookup_kdc = true)")
		}
		if up := strings.ToUpper(r.Name); up != r.Name {
			c.add(CheckRealmLowercase, finding.Warn, r.Line,
				fmt.Sprintf("realm %s is not upper-case: an Active Directory realm is its DNS domain in upper case (%s)", r.Name, up),
				fmt.Sprintf("write %s here, in default_realm and in [domain_realm] (realm names are case-sensitive)", up))
		}
	}
}

func (c *checker) domainRealm() {
	for _, m := range c.f.DomainRealm {
		if c.defined(m.Realm) {
			continue
		}
		hint := c.caseHint(m.Realm)
		if hint == "" {
			hint = fmt.Sprintf("add a block `%s = {` with its kdc under [realms], or correct the realm name", m.Realm)
		}
		c.add(CheckDomainRealmUndefined, finding.Error, m.Line,
			fmt.Sprintf("[domain_realm] maps %s to %s, which [realms] does not define", m.Domain, m.Realm), hint)
	}
}

func (c *checker) hostRealm(host string) {
	dr, _ := c.f.LibDefault("default_realm")
	realm, how, line := resolveHost(c.f, host)
	if realm == "" || realm == dr.Value {
		return
	}
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	domain := host
	if i := strings.IndexByte(host, '.'); i >= 0 {
		domain = host[i:]
	}
	msg := fmt.Sprintf("host %s is in realm %s (%s), but default_realm is %s (line %d)", host, realm, how, dr.Value, dr.Line)
	var hint string
	if line > 0 {
		hint = fmt.Sprintf("if %s belongs to %s, change line %d to map it to %s; otherwise set default_realm = %s",
			host, dr.Value, line, dr.Value, realm)
	} else {
		hint = fmt.Sprintf("add `%s = %s` under [domain_realm]", domain, dr.Value)
		line = dr.Line
	}
	c.add(CheckHostRealmMismatch, finding.Error, line, msg, hint)
}

// enctypeTags are the relations that list encryption types.
func enctypeTags() []string {
	return []string{"default_tkt_enctypes", "default_tgs_enctypes", "permitted_enctypes"}
}

// weakEnctype classifies an encryption type name or number (lower case):
// "DES" (single DES), "export RC4" (40-bit), or "".
func weakEnctype(name string) string {
	switch name {
	case "des", "des-cbc-crc", "des-cbc-md4", "des-cbc-md5", "des-cbc-raw", "des3-cbc-raw", "des-hmac-sha1",
		"1", "2", "3", "4", "6", "8":
		return "DES"
	case "arcfour-hmac-exp", "rc4-hmac-exp", "arcfour-hmac-md5-exp", "24":
		return "export RC4"
	}
	return ""
}

const aesHint = "list `aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96` instead, enable AES for the connector's " +
	"Kerberos account in Active Directory (msDS-SupportedEncryptionTypes / \"This account supports Kerberos AES 256 bit encryption\") " +
	"and reset its password so that AES keys exist"

func (c *checker) enctypes() {
	tags := enctypeTags()
	for _, rel := range c.f.all {
		if !slices.Contains(tags, rel.Tag) || strings.TrimSpace(rel.Value) == "" {
			continue
		}
		var weak []string
		kind := ""
		for _, tok := range strings.FieldsFunc(rel.Value, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
			if strings.HasPrefix(tok, "-") { // MIT krb5: remove from the list
				continue
			}
			if k := weakEnctype(strings.ToLower(strings.TrimPrefix(tok, "+"))); k != "" {
				weak = append(weak, tok)
				if kind == "" || k == "DES" {
					kind = k
				}
			}
		}
		usable := false // as gokrb5 reads the list: names separated by spaces
		for _, tok := range strings.Fields(rel.Value) {
			usable = usable || etypeID.EtypeSupported(tok) != 0
		}
		switch {
		case len(weak) > 0:
			msg := fmt.Sprintf("%s lists %s (%s)", rel.Tag, kind, strings.Join(weak, " "))
			if kind == "DES" {
				msg += ": DES is disabled in current Active Directory and Java and unsupported by gokrb5"
			} else {
				msg += ": 40-bit export-grade encryption"
			}
			if !usable {
				msg += "; no usable encryption type is left"
			}
			c.add(CheckWeakEnctype, finding.Error, rel.Line, msg, aesHint)
		case !usable:
			msg := fmt.Sprintf("%s has no encryption type gokrb5 can use (%s)", rel.Tag, rel.Value)
			hint := "use full names separated by spaces, e.g. aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 " +
				"(gokrb5 knows neither DEFAULT nor family names like aes)"
			if strings.Contains(rel.Value, ",") {
				msg += ": gokrb5 separates names by spaces only"
			}
			c.add(CheckWeakEnctype, finding.Error, rel.Line, msg, hint)
		}
	}
	if r, ok := c.f.LibDefault("allow_weak_crypto"); ok {
		switch strings.ToLower(r.Value) {
		case "true", "yes", "y", "t", "1", "on":
			c.add(CheckWeakEnctype, finding.Warn, r.Line,
				"allow_weak_crypto = "+r.Value+" lets MIT krb5 and gokrb5 use DES and 40-bit RC4",
				"remove it (the default is false) and use AES")
		}
	}
}

// checksumTags are the relations that choose a checksum type.
func checksumTags() []string {
	return []string{"default_checksum", "kdc_req_checksum_type", "ap_req_checksum_type", "safe_checksum_type"}
}

// weakChecksum names the broken algorithm of a checksum type name or
// number (lower case), or returns "".
func weakChecksum(name string) string {
	switch name {
	case "crc32", "1":
		return "CRC-32"
	case "md4", "rsa-md4", "2":
		return "MD4"
	case "md4-des", "rsa-md4-des", "rsa-md4-des-k", "3", "6":
		return "MD4-DES"
	case "des-cbc", "des-mac", "des-mac-k", "4", "5":
		return "DES-MAC"
	case "md5", "rsa-md5", "7":
		return "MD5"
	case "md5-des", "rsa-md5-des", "8":
		return "MD5-DES"
	case "rsa-md5-des3", "9":
		return "MD5-DES3"
	}
	return ""
}

func (c *checker) checksums() {
	tags := checksumTags()
	for _, rel := range c.f.all {
		fields := strings.Fields(rel.Value)
		if !slices.Contains(tags, rel.Tag) || len(fields) == 0 {
			continue
		}
		if alg := weakChecksum(strings.ToLower(fields[0])); alg != "" {
			c.add(CheckWeakChecksum, finding.Warn, rel.Line,
				fmt.Sprintf("%s = %s selects the %s checksum, which can be forged", rel.Tag, rel.Value, alg),
				"remove the line: the checksum then follows the session key (HMAC-SHA1 for AES)")
		}
	}
}
