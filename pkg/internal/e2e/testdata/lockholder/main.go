// Command lockholder takes the update lock of the store named by its
// first argument as uccert does (pkg/internal/lock), prints its PID when
// it holds it, and releases it when its stdin ends. The e2e tests run it
// as "another uccert" that holds the lock, on Linux and under Wine.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/uccert/uccert/pkg/internal/lock"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: lockholder STORE")
		os.Exit(2)
	}
	release, err := lock.ForUpdate(context.Background(), os.Args[1], lock.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", os.Getpid())
	io.Copy(io.Discard, os.Stdin)
	release()
}
