package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// entries lists dir's file names.
func entries(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}

func TestWrite(t *testing.T) {
	errCheck := errors.New("check refused")
	cases := []struct {
		name      string
		old       string // "" = no file before
		opts      Options
		wantErr   error
		wantData  string
		wantPerm  os.FileMode
		checkSeen bool
	}{
		{name: "new file", opts: Options{Perm: 0o644}, wantData: "new", wantPerm: 0o644},
		{name: "replace", old: "old", opts: Options{Perm: 0o644, Overwrite: true}, wantData: "new", wantPerm: 0o644},
		{name: "private", old: "old", opts: Options{Perm: 0o600, Overwrite: true}, wantData: "new", wantPerm: 0o600},
		{name: "exists", old: "old", opts: Options{Perm: 0o644}, wantErr: ErrExists, wantData: "old", wantPerm: 0o600},
		{name: "check refuses", old: "old", opts: Options{Perm: 0o644, Overwrite: true, Check: func(string) error { return errCheck }},
			wantErr: errCheck, wantData: "old", wantPerm: 0o600},
		{name: "check sees the data", opts: Options{Perm: 0o644, Check: func(tmp string) error {
			b, err := os.ReadFile(tmp)
			if err != nil || string(b) != "new" || filepath.Dir(tmp) == "" {
				return errors.New("temporary file incomplete")
			}
			return nil
		}}, wantData: "new", wantPerm: 0o644},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.prom")
			if c.old != "" {
				if err := os.WriteFile(path, []byte(c.old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(path, []byte("new"), c.opts)
			if !errors.Is(err, c.wantErr) || (err != nil) != (c.wantErr != nil) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil || string(got) != c.wantData {
				t.Fatalf("file holds %q (%v), want %q", got, rerr, c.wantData)
			}
			if names := entries(t, dir); names != "out.prom" {
				t.Errorf("folder holds %s: a temporary file was left", names)
			}
			if runtime.GOOS != "windows" {
				fi, _ := os.Stat(path)
				if fi.Mode().Perm() != c.wantPerm {
					t.Errorf("mode %v, want %v", fi.Mode().Perm(), c.wantPerm)
				}
			}
		})
	}
}

// A path whose temporary name cannot exist (too long for the file
// system) fails before anything is touched.
func TestWriteCannotCreateTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, strings.Repeat("a", 250))
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Skipf("SKIPPING: the file system refuses a 250-byte name: %v", err)
	}
	err := Write(path, []byte("new"), Options{Perm: 0o644, Overwrite: true})
	if err == nil || !strings.Contains(err.Error(), "temporary file") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file holds %q", got)
	}
}

// A folder that does not exist is the file system's error.
func TestWriteNoFolder(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "missing", "x"), []byte("new"), Options{Perm: 0o644})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}
