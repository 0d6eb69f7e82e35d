package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/keystore"
)

// buildUccert compiles the command once per test binary run.
func buildUccert(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "uccert")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func aliasesOf(t *testing.T, path, pass string) (string, error) {
	s, err := keystore.Load(path, keystore.DecodeOptions{Password: secret.NewPassword(pass)})
	if err != nil {
		return "", err
	}
	var a []string
	for _, e := range s.Entries {
		a = append(a, e.Alias)
	}
	sort.Strings(a)
	return strings.Join(a, ","), nil
}

// SIGKILL at random moments during merge --append and --force: OUT always
// opens, with either its old or its new content.
func TestCrashSafety(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL semantics are Unix")
	}
	bin := buildUccert(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ucc.p12")
	base := filepath.Join(dir, "base.p12")
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, b)
		}
	}
	run("merge", "-o", base, "--out-pass", "pass:changeit1", "--in-pass", "pass:fe1-export", abs(t, "exports", "fe1-openssl.pfx"))
	baseData, _ := os.ReadFile(base)
	oldAliases, err := aliasesOf(t, base, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	appendArgs := []string{"merge", "-o", out, "--append", "--out-pass", "pass:changeit1", "--in-pass", "pass:changeit1", abs(t, "stores", "many.p12")}
	forceArgs := []string{"merge", "-o", out, "--force", "--out-pass", "pass:changeit1", "--in-pass", "pass:changeit1", abs(t, "stores", "many.jks")}

	// The new contents, and how long a run takes (the window to kill in).
	want := map[string]string{}
	var longest time.Duration
	for name, args := range map[string][]string{"append": appendArgs, "force": forceArgs} {
		os.WriteFile(out, baseData, 0o600)
		start := time.Now()
		run(args...)
		if d := time.Since(start); d > longest {
			longest = d
		}
		if want[name], err = aliasesOf(t, out, "changeit1"); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewSource(7))
	outcomes := map[string]int{}
	const runs = 120
	for i := 0; i < runs; i++ {
		name, args := "append", appendArgs
		if i%2 == 1 {
			name, args = "force", forceArgs
		}
		if err := os.WriteFile(out, baseData, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int63n(int64(longest) + 1)))
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()
		got, err := aliasesOf(t, out, "changeit1")
		switch {
		case err != nil:
			t.Fatalf("run %d (%s): OUT does not open after SIGKILL: %v", i, name, err)
		case got == oldAliases:
			outcomes[name+"/old"]++
		case got == want[name]:
			outcomes[name+"/new"]++
		default:
			t.Fatalf("run %d (%s): OUT holds %s; want the old (%s) or the new (%s) content", i, name, got, oldAliases, want[name])
		}
	}
	t.Logf("%d runs killed at random in [0, %v]: %v", runs, longest, outcomes)
	if outcomes["append/old"]+outcomes["force/old"] == 0 {
		t.Errorf("no run was killed before it wrote: the kill window %v is too late to test anything", longest)
	}
}

// Two merge --append runs on one OUT at the same time: both succeed and
// no entry is lost.
func TestConcurrentAppend(t *testing.T) {
	bin := buildUccert(t)
	for round := 0; round < 4; round++ {
		dir := t.TempDir()
		out := filepath.Join(dir, "ucc.jks")
		create := exec.Command(bin, "merge", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:ucc-export", abs(t, "exports", "ucc-openssl.pfx"))
		if b, err := create.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		inputs := [][2]string{{"fe1-export", "fe1-openssl.pfx"}, {"fe2-export", "fe2-legacy.pfx"}, {"fe3-export", "fe3-3des.pfx"}}
		var wg sync.WaitGroup
		errs := make([]error, len(inputs))
		for i, in := range inputs {
			wg.Add(1)
			go func(i int, pass, file string) {
				defer wg.Done()
				cmd := exec.Command(bin, "merge", "-o", out, "--append", "--out-pass", "pass:changeit1", "--in-pass", "pass:"+pass, abs(t, "exports", file))
				if b, err := cmd.CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("%s: %v\n%s", file, err, b)
				}
			}(i, in[0], in[1])
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := aliasesOf(t, out, "changeit1")
		if err != nil {
			t.Fatal(err)
		}
		if want := "fe1.uc.example.com,fe2.uc.example.com,fe3.uc.example.com,ucc.uc.example.com"; got != want {
			t.Fatalf("round %d: OUT holds %s, want %s (an entry was lost)", round, got, want)
		}
	}
}

// remove --expired while merge --append runs add entries to the same
// store: every run succeeds, the expired entry is gone and no added
// entry is lost (the update lock serialises them).
func TestConcurrentRemoveAndAppend(t *testing.T) {
	bin := buildUccert(t)
	for round := 0; round < 4; round++ {
		dir := t.TempDir()
		out := filepath.Join(dir, "ucc.jks")
		create := exec.Command(bin, "merge", "-o", out, "--out-pass", "pass:changeit1", "--in-pass", "pass:ucc-export", "--in-pass", "pass:fe1-expired",
			abs(t, "exports", "ucc-openssl.pfx"), abs(t, "exports", "fe1-expired.pfx"))
		if b, err := create.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		runs := [][]string{
			{"remove", "--expired", "--pass", "pass:changeit1", out},
			{"merge", "-o", out, "--append", "--out-pass", "pass:changeit1", "--in-pass", "pass:fe2-export", abs(t, "exports", "fe2-legacy.pfx")},
			{"merge", "-o", out, "--append", "--out-pass", "pass:changeit1", "--in-pass", "pass:fe3-export", abs(t, "exports", "fe3-3des.pfx")},
		}
		if round%2 == 1 {
			runs[0], runs[2] = runs[2], runs[0] // start order varies
		}
		var wg sync.WaitGroup
		errs := make([]error, len(runs))
		for i, args := range runs {
			wg.Add(1)
			go func(i int, args []string) {
				defer wg.Done()
				if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("%s: %v\n%s", args[0], err, b)
				}
			}(i, args)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := aliasesOf(t, out, "changeit1")
		if err != nil {
			t.Fatal(err)
		}
		if want := "fe2.uc.example.com,fe3.uc.example.com,ucc.uc.example.com"; got != want {
			t.Fatalf("round %d: OUT holds %s, want %s", round, got, want)
		}
	}
}
