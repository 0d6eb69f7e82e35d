package connector_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// The daemon listens with a Watcher's ServerConfig. When the cert store
// is replaced (uccert merge --force, like keystore.WriteFile here, writes
// a new file and renames it over the old one), new handshakes get the new
// certificates; a store that Load's checks refuse leaves the last good
// one in use.
func ExampleWatch() {
	dir, _ := os.MkdirTemp("", "uccert-watch")
	defer os.RemoveAll(dir)
	store := filepath.Join(dir, "ucc.jks")
	replace := func(from, pass string) {
		s, _ := keystore.Load(from, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
		keystore.WriteFile(store, s, keystore.WriteOptions{Overwrite: true,
			EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatJKS, Password: secret.NewPassword(pass)}})
	}
	replace("../../fixtures/stores/ucc-with-fes.jks", "changeit1")

	args := &connector.Args{
		CertStore: connector.StoreArgs{File: store, Pass: secret.NewPassword("changeit1"), HasPass: true},
		KeyStore:  connector.StoreArgs{File: "../../fixtures/stores/truststore.jks", Pass: secret.NewPassword("trustpass1"), HasPass: true},
	}
	events := make(chan string, 10)
	w, err := connector.Watch(context.Background(), args, connector.WatchOptions{
		LoadOptions: connector.LoadOptions{Host: "ucc.uc.example.com"},
		Interval:    100 * time.Millisecond,
		OnReload: func(m *connector.Material) {
			events <- fmt.Sprintf("reloaded: %d key entries, %s first", len(m.Keys.Entries), m.Keys.Entries[0].Alias)
		},
		OnError: func(err error) {
			events <- fmt.Sprintf("refused (wrong password: %v)", errors.Is(err, keystore.ErrIncorrectPassword))
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	// tls.Listen("tcp", ":8443", w.ServerConfig()) serves the current
	// material; w.ClientConfig() dials with it.
	fmt.Println(len(w.Current().Keys.Entries), "key entries")

	replace("../../fixtures/stores/fe1-renewed-first.jks", "changeit1")
	fmt.Println(<-events)
	replace("../../fixtures/stores/ucc-with-fes.jks", "another-password")
	fmt.Println(<-events)
	fmt.Println("serving:", w.Current().Keys.Entries[0].Alias)
	// Output:
	// 3 key entries
	// reloaded: 3 key entries, fe1-new first
	// refused (wrong password: true)
	// serving: fe1-new
}
