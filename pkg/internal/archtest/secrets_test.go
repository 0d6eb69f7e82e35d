package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/uccert/uccert/pkg/verify"
)

// Every password a public struct holds is a secret.Password: a daemon
// that logs its parsed arguments or options with any fmt verb, as JSON
// or through slog prints no password.
func TestPasswordsNeverPrint(t *testing.T) {
	const storePass, keyPass, kdcPass = "Store-Secret-4711", "Key-Secret-0815", "Kdc-Secret-1234"
	args, _, err := connector.ParseCommandLine(`ucc.exe -host cfg -cert_store_file a.p12 -cert_store_pass ` + storePass +
		` -cert_store_type pkcs12 -key_store_file t.jks -key_store_pass ` + keyPass + ` -key_store_type jks -krb_conf_file k.conf`)
	if err != nil {
		t.Fatal(err)
	}
	if args.CertStore.Pass.Reveal() != storePass || args.KeyStore.Pass.Reveal() != keyPass {
		t.Fatal("the command line was not parsed")
	}
	vopts := verify.Options{KDCUser: "svc", KDCPassword: secret.NewPassword(kdcPass)}
	vopts.Host = "ucc.example.com"
	values := map[string]any{
		"connector.Args":         args,
		"*connector.Args":        &args,
		"connector.StoreArgs":    args.CertStore,
		"keystore.DecodeOptions": keystore.DecodeOptions{Password: secret.NewPassword(storePass), KeyPasswords: []secret.Password{secret.NewPassword(keyPass)}},
		"keystore.EncodeOptions": keystore.EncodeOptions{Password: secret.NewPassword(storePass)},
		"keystore.UpdateOptions": keystore.UpdateOptions{WriteOptions: keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Password: secret.NewPassword(storePass)}}},
		"preflight.StoreSpec":    preflight.StoreSpec{Path: "a.p12", Password: secret.NewPassword(storePass), HasPassword: true},
		"verify.Options":         vopts,
	}
	for name, v := range values {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		if b, err := json.Marshal(v); err == nil {
			outs = append(outs, string(b))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded", "value", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("loaded", "value", v)
		outs = append(outs, buf.String())
		for _, out := range outs {
			for _, p := range []string{storePass, keyPass, kdcPass} {
				if strings.Contains(out, p) {
					t.Errorf("%s prints a password: %s", name, out)
				}
			}
		}
	}
	// Other holds no password either: a mistyped password flag is a
	// Problem, not an "other" token.
	typo, probs := connector.Parse([]string{"-host", "h", "-cert_store_pas", storePass, "-key_store_pass:" + keyPass})
	if strings.Join(typo.Other, " ") != "-host h" || len(probs) != 2 {
		t.Errorf("Other %q, problems %v", typo.Other, probs)
	}
	for _, p := range probs {
		if strings.Contains(p.Message+p.Flag, storePass) || strings.Contains(p.Message+p.Flag, keyPass) {
			t.Errorf("problem shows a password: %v", p)
		}
	}
	red := strings.Join(connector.Redact([]string{"-cert_store_pas", storePass, "-key_store_pass:" + keyPass}), " ")
	if strings.Contains(red, storePass) || strings.Contains(red, keyPass) || !strings.Contains(red, "-key_store_pass:"+connector.Redacted) {
		t.Errorf("Redact: %s", red)
	}
}
