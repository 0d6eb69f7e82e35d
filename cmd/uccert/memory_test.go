package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// The soft memory limit follows the input from 1 MiB on, and never
// raises a smaller limit the user set (GOMEMLIMIT).
func TestBoundMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	debug.SetMemoryLimit(math.MaxInt64)
	boundMemory(512 << 10)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("a small input set the limit to %d", got)
	}
	boundMemory(8 << 20)
	if got, want := debug.SetMemoryLimit(-1), int64(16<<20+7*(8<<20)); got != want {
		t.Errorf("limit %d, want %d", got, want)
	}
	debug.SetMemoryLimit(20 << 20)
	boundMemory(8 << 20)
	if got := debug.SetMemoryLimit(-1); got != 20<<20 {
		t.Errorf("a smaller limit was raised to %d", got)
	}
}
