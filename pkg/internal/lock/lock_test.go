package lock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestForUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ucc.jks")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	release, err := ForUpdate(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := ForUpdate(ctx, path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	// Replacing the file while a waiter waits: the waiter locks the new file.
	got := make(chan error, 1)
	go func() {
		r, err := ForUpdate(context.Background(), path)
		if err == nil {
			r()
		}
		got <- err
	}()
	tmp := path + ".new"
	os.WriteFile(tmp, []byte("y"), 0o600)
	os.Rename(tmp, path)
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter never got the lock")
	}
	if _, err := ForUpdate(context.Background(), filepath.Join(t.TempDir(), "missing.jks")); err == nil {
		t.Fatal("locked a missing file")
	}
}
