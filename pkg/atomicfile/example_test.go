package atomicfile_test

import (
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
