package connector_test

import (
	"errors"
	"fmt"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/connector"
)

// The mtls line of the vendor's deployment guide, with its typo.
func ExampleParseCommandLine() {
	line := `-cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass changeit -cert_store_type PKCS12 ` +
		`-key_store_file C:\GCTI\ucc\trust.jks -key_store_pass changeit -ket_store_type jks`
	args, problems, err := connector.ParseCommandLine(line)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(args.Mode(), args.CertStore.File, args.CertStore.Type)
	fmt.Println(args.KeyStore.File, args.KeyStore.Type == "")
	for _, p := range problems {
		fmt.Println(p.Kind, p.Flag, "->", p.Suggestion, errors.Is(p, connector.ErrUnknownFlag))
		fmt.Println(p)
	}
	// Output:
	// mtls C:\Program Files\GCTI\ucc\ucc.p12 pkcs12
	// C:\GCTI\ucc\trust.jks true
	// unknown-flag -ket_store_type -> -key_store_type true
	// unknown flag "-ket_store_type"; did you mean -key_store_type?
}

// A startup.bat line: cmd.exe's %% and ^ are undone before splitting.
func ExampleParseBatLine() {
	line := `ucc-launcher.exe -host genesys-cfg -port 2020 -app UCC_Connector -l "C:\GCTI\ucc\license.dat" -http_port 8080 ` +
		`-cert_store_file "C:\GCTI\ucc\ucc.p12" -cert_store_pass 100%%^&more -cert_store_type pkcs12 -krb_conf_file C:\GCTI\krb5.conf`
	args, problems, err := connector.ParseBatLine(line)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(args.Mode(), len(problems))
	fmt.Println(args.Other)
	fmt.Printf("%q %q\n", connector.Redact(args.Tokens())[3], args.KrbConf)
	// Output:
	// tls-kerberos 0
	// [ucc-launcher.exe -host genesys-cfg -port 2020 -app UCC_Connector -l C:\GCTI\ucc\license.dat -http_port 8080]
	// "********" "C:\\GCTI\\krb5.conf"
}

func ExampleFormatGenesys() {
	args := &connector.Args{
		CertStore: connector.StoreArgs{File: `C:\Program Files\GCTI\ucc\ucc.p12`, Pass: secret.NewPassword(`pa"ss word`), HasPass: true, Type: "pkcs12"},
		KeyStore:  connector.StoreArgs{File: `C:\certs\`, Pass: secret.NewPassword("50%&^"), HasPass: true, Type: "jks"},
	}
	line, err := connector.FormatGenesys(args.Tokens())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(line)
	back, _, _ := connector.ParseCommandLine(line)
	fmt.Println(back.CertStore.Equal(args.CertStore) && back.KeyStore.Equal(args.KeyStore))
	redacted, _ := connector.FormatGenesys(connector.Redact(args.Tokens()))
	fmt.Println(redacted)
	// Output:
	// -cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass "pa\"ss word" -cert_store_type pkcs12 -key_store_file C:\certs\ -key_store_pass 50%&^ -key_store_type jks
	// true
	// -cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass ******** -cert_store_type pkcs12 -key_store_file C:\certs\ -key_store_pass ******** -key_store_type jks
}

func ExampleFormatBat() {
	launcher := `ucc-launcher.exe -host genesys-cfg -port 2020 -app UCC_Connector -l "C:\GCTI\ucc\license.dat" -http_port 8080`
	args := &connector.Args{
		CertStore: connector.StoreArgs{
			File: connector.RemotePath(`C:\Program Files\GCTI\ucc`, "/home/pki/out/ucc.p12"),
			Pass: secret.NewPassword("50%&more"), HasPass: true, Type: "pkcs12",
		},
	}
	line, err := connector.FormatBat(launcher, args.Tokens())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(line)
	back, _, _ := connector.ParseBatLine(line)
	fmt.Println(back.CertStore.Equal(args.CertStore))
	// Output:
	// ucc-launcher.exe -host genesys-cfg -port 2020 -app UCC_Connector -l "C:\GCTI\ucc\license.dat" -http_port 8080 -cert_store_file "C:\Program Files\GCTI\ucc\ucc.p12" -cert_store_pass "50%%&more" -cert_store_type pkcs12
	// true
}

func ExampleRemotePath() {
	fmt.Println(connector.RemotePath(`C:\GCTI\ucc`, "/tmp/x/ucc.p12"))
	fmt.Println(connector.RemotePath("/opt/ucc/", `C:\a\b.jks`))
	// Output:
	// C:\GCTI\ucc\ucc.p12
	// /opt/ucc/b.jks
}
