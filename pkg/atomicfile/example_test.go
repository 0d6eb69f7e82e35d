package atomicfile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/uccert/uccert/pkg/atomicfile"
)

// Writing a text file that another program may read at any moment (a
// Prometheus textfile collector): it sees the old or the new content,
// never a part; without Overwrite an existing file is never replaced.
func ExampleWrite() {
	dir, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "uccert.prom")
	if err := atomicfile.Write(path, []byte("uccert_verify_ok 1\n"), atomicfile.Options{Perm: 0o644}); err != nil {
		fmt.Println(err)
		return
	}
	err = atomicfile.Write(path, []byte("uccert_verify_ok 0\n"), atomicfile.Options{Perm: 0o644})
	fmt.Println(errors.Is(err, atomicfile.ErrExists))
	err = atomicfile.Write(path, []byte("uccert_verify_ok 0\n"), atomicfile.Options{Perm: 0o644, Overwrite: true})
	data, _ := os.ReadFile(path)
	fmt.Print(err, " ", string(data))
	// Output:
	// true
	// <nil> uccert_verify_ok 0
}

// A file behind a symbolic link (current.prom → ucc01.prom) is written
// through the link, which stays a link; anything but a regular file is
// never replaced; a cancelled context writes nothing.
func ExampleWriteContext() {
	dir, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "ucc01.prom"), []byte("uccert_verify_ok 1\n"), 0o644)
	link := filepath.Join(dir, "current.prom")
	if err := os.Symlink("ucc01.prom", link); err != nil {
		fmt.Println("no symbolic links here")
		return
	}
	target, _, _ := atomicfile.Target(link)
	fmt.Println(filepath.Base(target))

	ctx := context.Background()
	opts := atomicfile.Options{Perm: 0o644, Overwrite: true}
	err = atomicfile.WriteContext(ctx, link, []byte("uccert_verify_ok 0\n"), opts)
	data, _ := os.ReadFile(filepath.Join(dir, "ucc01.prom"))
	fi, _ := os.Lstat(link)
	fmt.Print(err, " ", fi.Mode()&os.ModeSymlink != 0, " ", string(data))

	err = atomicfile.WriteContext(ctx, dir, []byte("x"), opts)
	fmt.Println(errors.Is(err, atomicfile.ErrNotRegular))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err = atomicfile.WriteContext(cancelled, link, []byte("uccert_verify_ok 1\n"), opts)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// ucc01.prom
	// <nil> true uccert_verify_ok 0
	// true
	// true
}
