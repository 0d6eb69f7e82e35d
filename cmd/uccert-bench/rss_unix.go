//go:build !windows

package main

import (
	"fmt"
	"os/exec"
	"syscall"
)

// peakRSS runs argv once and returns its peak resident set size.
func peakRSS(argv []string) (int64, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%v: %w\n%s", argv, err, lastLines(string(out), 10))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, fmt.Errorf("no resource usage for %v", argv[0])
	}
	return ru.Maxrss << 10, nil // Linux reports KiB
}
