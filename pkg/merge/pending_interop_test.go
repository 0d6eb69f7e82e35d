package merge

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/judge"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/request"
	"github.com/uccert/uccert/pkg/secret"
)

// Day zero judged by the real tools: uccert's request, signed by an
// OpenSSL CA (the fixtures' issuing CA, copy_extensions), comes back as a
// PKCS#7 reply with its chain (openssl crl2pkcs7, as AD CS offers .p7b);
// merged with the pending key, Java loads a key entry with the 3-certificate
// chain, keytool names it by the host, and a JSSE mutual-TLS handshake with
// it as server and as client succeeds (Server and Client Authentication).
func TestPendingKeyJudgedByJava(t *testing.T) {
	jvm := judge.Java(t)
	dir := t.TempDir()
	r, err := request.Generate(request.Options{Host: "ucc.uc.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	csr := filepath.Join(dir, "ucc.csr")
	if err := os.WriteFile(csr, r.CSR, 0o644); err != nil {
		t.Fatal(err)
	}
	certPEM, err := judge.OpenSSLSignCSR(t, csr, "../../fixtures/pki/issuing.pem", "../../fixtures/pki/issuing.key.pem", 365)
	if err != nil {
		t.Fatal(err)
	}
	leaf := filepath.Join(dir, "ucc.pem")
	if err := os.WriteFile(leaf, []byte(certPEM), 0o644); err != nil {
		t.Fatal(err)
	}
	reply := filepath.Join(dir, "certnew.p7b")
	if _, err := judge.OpenSSL(t, nil, "crl2pkcs7", "-nocrl", "-certfile", leaf, "-certfile", "../../fixtures/pki/chain.pem",
		"-outform", "DER", "-out", reply); err != nil {
		t.Fatal(err)
	}
	replyStore, err := keystore.Load(reply, keystore.DecodeOptions{})
	if err != nil || replyStore.Format != keystore.FormatPKCS7 {
		t.Fatalf("%v %+v", err, replyStore)
	}
	pending := pendingInput(t, "pending.p12", r)
	res, err := Merge([]Input{pending, {Name: "certnew.p7b", Store: replyStore}}, Options{Format: keystore.FormatJKS, Host: "ucc.uc.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("findings on the result: %+v", res.Findings)
	}
	out := filepath.Join(dir, "ucc-keys.jks")
	if err := keystore.WriteFile(out, res.Store, keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{
		Format: keystore.FormatJKS, Password: secret.NewPassword("changeit1")}}); err != nil {
		t.Fatal(err)
	}
	issued, _ := certfile.Decode([]byte(certPEM))
	entries := jvm.ListStore(t, out, "JKS", "changeit1")
	if len(entries) != 1 || entries[0].Kind != "PrivateKeyEntry" || entries[0].ChainLen != 3 || entries[0].Status != "ok" ||
		entries[0].SHA256 != strings.ReplaceAll(certfile.Fingerprint(issued.Certificates[0]), ":", "") {
		t.Fatalf("Java sees %+v (want the issued certificate %s)", entries, certfile.Fingerprint(issued.Certificates[0]))
	}
	if got := judge.KeytoolList(t, out, "JKS", "changeit1"); !reflect.DeepEqual(got, []string{"ucc.uc.example.com"}) {
		t.Errorf("keytool -list: %q", got)
	}
	const trust = "../../fixtures/stores/truststore.jks"
	addr := jvm.StartTLSServer(t, out, "JKS", "changeit1", trust, "JKS", "trustpass1")
	got, replyText, err := jvm.TLSClient(t, addr, "ucc.uc.example.com", out, "JKS", "changeit1", trust, "JKS", "trustpass1")
	if err != nil || got != entries[0].SHA256 || !strings.HasPrefix(replyText, "server-saw-client:") {
		t.Errorf("mutual TLS with the issued certificate: %v; server presented %s, reply %q", err, got, replyText)
	}
}
