package certfile

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

func TestDN(t *testing.T) {
	name := pkix.Name{
		CommonName: "ucc.companya.com",
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "com"},
			{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "companya"},
			{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: "jdoe"},
			{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "jdoe@companya.com"},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "a,b+c \"d\" #"},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: "x"},
		},
	}
	der, err := asn1.Marshal(name.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	want := `1.2.3.4=#130178,CN=a\,b\+c \"d\" #,emailAddress=jdoe@companya.com,UID=jdoe,DC=companya,DC=com`
	if got := DN(der); got != want {
		t.Errorf("DN = %q\nwant %q", got, want)
	}
	if got := DN([]byte{1, 2, 3}); got != "#010203" {
		t.Errorf("garbage: %q", got)
	}
	if SubjectDN(nil) != "" || IssuerDN(nil) != "" {
		t.Error("nil certificate")
	}
}
