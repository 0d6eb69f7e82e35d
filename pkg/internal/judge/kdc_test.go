package judge

import (
	"os"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
)

func TestStartKDC(t *testing.T) {
	k := StartKDC(t)
	if k.Realm != KDCRealm || k.Port == 0 {
		t.Fatalf("realm %q port %d", k.Realm, k.Port)
	}
	k.AddPrincipal(t, "alice", "Alice-Pass-1")
	k.AddPrincipalNoPreauth(t, "bob", "Bob-Pass-1")

	path := k.Krb5Conf(t)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"default_realm = UC.EXAMPLE.COM", "kdc = " + k.Addr(), "udp_preference_limit = 1", ".uc.example.com = UC.EXAMPLE.COM"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("krb5.conf lacks %q:\n%s", want, text)
		}
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("gokrb5 cannot load %s: %v", path, err)
	}
	login := func(user, pass string) error {
		cl := client.NewWithPassword(user, k.Realm, pass, cfg, client.DisablePAFXFAST(true))
		defer cl.Destroy()
		return cl.Login()
	}
	if err := login("alice", "Alice-Pass-1"); err != nil {
		t.Errorf("alice, right password: %v", err)
	}
	if err := login("bob", "Bob-Pass-1"); err != nil {
		t.Errorf("bob, right password: %v", err)
	}
	if err := login("alice", "wrong"); err == nil || !strings.Contains(err.Error(), "KDC_ERR_PREAUTH_FAILED") {
		t.Errorf("alice, wrong password: got %v, want KDC_ERR_PREAUTH_FAILED", err)
	}
	if err := login("bob", "wrong"); err == nil || strings.Contains(err.Error(), "KDC_ERR_PREAUTH_FAILED") {
		t.Errorf("bob (no preauth), wrong password: got %v, want an AS-REP decryption error", err)
	}

	k.Stop(t)
	k.Stop(t) // harmless
	if err := login("alice", "Alice-Pass-1"); err == nil {
		t.Error("login succeeded after Stop")
	}
}
