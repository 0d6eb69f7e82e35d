package keystore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// A store behind a symbolic link (current.p12 → ucc-2026.p12) is written
// through the link, as editors do: the link stays, its target is
// replaced. Anything but a regular file is never replaced.
func ExampleWriteTarget() {
	dir, _ := os.MkdirTemp("", "uccert-example")
	defer os.RemoveAll(dir)
	in, _ := keystore.Load("../../fixtures/exports/fe1-openssl.pfx", keystore.DecodeOptions{Password: secret.NewPassword("fe1-export")})
	opts := keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatPKCS12, Password: secret.NewPassword("changeit1")}}
	keystore.WriteFile(filepath.Join(dir, "ucc-2026.p12"), in, opts)
	link := filepath.Join(dir, "current.p12")
	if err := os.Symlink("ucc-2026.p12", link); err != nil {
		fmt.Println("no symbolic links here")
		return
	}
	target, _, _ := keystore.WriteTarget(link)
	fmt.Println(filepath.Base(target))

	opts.Overwrite = true
	err := keystore.WriteFile(link, in, opts)
	fi, _ := os.Lstat(link)
	fmt.Println(err, fi.Mode()&os.ModeSymlink != 0)

	err = keystore.WriteFile(dir, in, opts)
	fmt.Println(errors.Is(err, keystore.ErrNotRegular))
	// Output:
	// ucc-2026.p12
	// <nil> true
	// true
}

// Update adds to a store under its update lock (STORE.lock): another
// updater at the same time would wait (OnLockWait says for whom after
// LockNotice), and after LockTimeout fail with a *LockedError naming the
// holder's PID.
func ExampleUpdate() {
	dir, _ := os.MkdirTemp("", "uccert-example")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "ucc.p12")
	fe1, _ := keystore.Load("../../fixtures/exports/fe1-openssl.pfx", keystore.DecodeOptions{Password: secret.NewPassword("fe1-export")})
	fe2, _ := keystore.Load("../../fixtures/exports/fe2-legacy.pfx", keystore.DecodeOptions{Password: secret.NewPassword("fe2-export")})
	wopts := keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: keystore.FormatPKCS12, Password: secret.NewPassword("changeit1")}}
	keystore.WriteFile(out, fe1, wopts)

	err := keystore.Update(context.Background(), out, keystore.UpdateOptions{
		WriteOptions: wopts,
		LockTimeout:  10 * time.Second,
		OnLockWait:   func(h keystore.LockHolder) { fmt.Printf("waiting for %s (%s)\n", h, h.File) },
	}, func(current *keystore.Store) (*keystore.Store, error) {
		next := *current
		next.Entries = append(append([]*keystore.Entry{}, current.Entries...), fe2.Entries...)
		return &next, nil
	})
	s, _ := keystore.Load(out, keystore.DecodeOptions{Password: secret.NewPassword("changeit1")})
	fmt.Println(err, len(s.Entries))
	// Output:
	// <nil> 2
}
