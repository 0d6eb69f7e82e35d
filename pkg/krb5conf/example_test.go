package krb5conf_test

import (
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/krb5conf"
)

const guideSample = `[libdefaults]
    default_realm = UC.EXAMPLE.COM
    default_tkt_enctypes = des-cbc-md5 des-cbc-crc
    default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
[realms]
    UC.EXAMPLE.COM = {
        kdc = dc1.uc.example.com
        admin_server = dc1.uc.example.com
[domain_realm]
    .uc.example.com = UC.EXAMPLE.COM
`

// Parse reports syntax problems with their line; the error is the first
// of them, for callers that stop there.
func ExampleParse() {
	f, findings, err := krb5conf.Parse([]byte(guideSample))
	for _, x := range findings {
		fmt.Printf("%s %s line %d\n", x.Severity, x.Check, x.Line)
	}
	var se *krb5conf.SyntaxError
	if errors.As(err, &se) {
		fmt.Printf("first syntax error: line %d, column %d\n", se.Line, se.Col)
	}
	// gokrb5's model lost the realm whose '}' is missing; ours kept it.
	fmt.Println(len(f.Config.Realms), len(f.Realms))
	// Output:
	// error krb5-syntax line 6
	// first syntax error: line 6, column 22
	// 0 1
}

// Check runs the semantic checks, here for the connector host.
func ExampleCheck() {
	f, _, err := krb5conf.Parse([]byte(`[libdefaults]
    default_realm = UC.EXAMPLE.COM
    default_tkt_enctypes = des-cbc-md5 des-cbc-crc
    default_checksum = rsa-md5
[realms]
    UC.EXAMPLE.COM = {
        kdc = dc1.uc.example.com
    }
[domain_realm]
    .example.com = EXAMPLE.COM
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range krb5conf.Check(f, krb5conf.CheckOptions{Host: "fe1.uc.example.com"}) {
		fmt.Printf("line %d: %s (%s)\n", x.Line, x.Check, x.Severity)
	}
	// Output:
	// line 3: krb5-weak-enctype (error)
	// line 4: krb5-weak-checksum (warn)
	// line 10: krb5-domain-realm-undefined (error)
	// line 10: krb5-host-realm-mismatch (error)
}

func ExampleRealmForHost() {
	f, _, _ := krb5conf.Parse([]byte(`[domain_realm]
    .uc.example.com = UC.EXAMPLE.COM
    fe9.uc.example.com = LAB.EXAMPLE.COM
`))
	for _, host := range []string{"fe1.uc.example.com", "fe9.uc.example.com", "fe1.other.example.net"} {
		realm, how := krb5conf.RealmForHost(f, host)
		fmt.Printf("%s: %s (%s)\n", host, realm, how)
	}
	// Output:
	// fe1.uc.example.com: UC.EXAMPLE.COM (by the [domain_realm] entry .uc.example.com on line 2)
	// fe9.uc.example.com: LAB.EXAMPLE.COM (by the [domain_realm] entry fe9.uc.example.com on line 3)
	// fe1.other.example.net: OTHER.EXAMPLE.NET (by MIT krb5's fallback, the upper-cased parent domain, as no [domain_realm] entry matches)
}

// KDCHosts gives the names to resolve for the live check
// krb5-kdc-unresolvable.
func ExampleKDCHosts() {
	f, _, _ := krb5conf.Parse([]byte(`[realms]
    UC.EXAMPLE.COM = {
        kdc = dc1.uc.example.com
        kdc = dc2.uc.example.com:750
    }
`))
	for _, k := range krb5conf.KDCHosts(f) {
		fmt.Printf("%s %s port %d (line %d)\n", k.Realm, k.Host, k.Port, k.Line)
	}
	// Output:
	// UC.EXAMPLE.COM dc1.uc.example.com port 88 (line 3)
	// UC.EXAMPLE.COM dc2.uc.example.com port 750 (line 4)
}
