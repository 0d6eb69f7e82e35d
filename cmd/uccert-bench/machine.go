//go:build !windows

package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

type machine struct {
	cores     int
	cpu       string
	kernel    string
	goVersion string
	java      string
	openssl   string
	loadStart string
}

// loadAverage is /proc/loadavg's first three fields.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func describeMachine(goCmd string) machine {
	m := machine{cores: runtime.NumCPU(), cpu: "unknown", goVersion: runtime.Version(), loadStart: loadAverage()}
	if out, err := exec.Command("nproc").Output(); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil {
			m.cores = n
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if out, err := exec.Command(goCmd, "version").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("java", "-version").CombinedOutput(); err == nil {
		m.java = strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", " · ")), " ")
	}
	if out, err := exec.Command("openssl", "version").Output(); err == nil {
		m.openssl = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("uname", "-srm").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	return m
}
