package main

import (
	"os"
	"runtime/debug"
)

// boundMemory keeps a run's memory in proportion to what it reads (within
// 10× of the input, docs/formats.md): once the input passes 1 MiB, the
// garbage collector gets a soft limit of 16 MiB plus 7× the input bytes.
// Without it Go lets the heap grow to twice what is in use, which for a
// trust store of thousands of small certificates is 13× the input (make
// bench, scenario 7). A soft limit never fails a run: near it the
// collector works harder. A smaller GOMEMLIMIT given by the user stays.
func boundMemory(input int64) {
	if input < 1<<20 {
		return
	}
	limit := int64(16<<20) + 7*input
	if debug.SetMemoryLimit(-1) > limit {
		debug.SetMemoryLimit(limit)
	}
}

// fileSizes is the total size of the files at paths that exist.
func fileSizes(paths ...string) int64 {
	var n int64
	for _, p := range paths {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}
