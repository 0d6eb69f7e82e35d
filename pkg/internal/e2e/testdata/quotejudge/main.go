// Command quotejudge is built for Windows by pkg/internal/e2e's
// TestWineQuoting and run under Wine. It writes each value it is given the
// three ways uccert writes a Windows command line (connector.FormatGenesys,
// connector.FormatBat, finding.CommandArg of the Windows build), has Windows
// split each line back (the C runtime of argv.exe, a mingw program; cmd.exe
// for a startup.bat and for a hint typed at its prompt), and prints what
// came back as JSON: one object per value, each mode's arguments or error.
//
// Usage: quotejudge ARGV.EXE VALUES.JSON WORKDIR
package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
)

// Result is what Windows gave back for one value in each mode: the
// arguments argv.exe received, or why there are none.
type Result struct {
	Value string              `json:"value"`
	Lines map[string]string   `json:"lines"`
	Got   map[string][]string `json:"got"`
	Err   map[string]string   `json:"err"`
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: quotejudge ARGV.EXE VALUES.JSON WORKDIR")
		os.Exit(2)
	}
	argvExe, workDir := os.Args[1], os.Args[3]
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var values []string
	if err := json.Unmarshal(data, &values); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exe := `"` + argvExe + `"`
	cmdExe := filepath.Join(os.Getenv("SystemRoot"), "System32", "cmd.exe")
	var results []Result
	for i, v := range values {
		r := Result{Value: v, Lines: map[string]string{}, Got: map[string][]string{}, Err: map[string]string{}}
		record := func(mode, line string, got []string, err error) {
			r.Lines[mode] = line
			if err != nil {
				r.Err[mode] = err.Error()
				return
			}
			r.Got[mode] = got
		}
		tokens := []string{"-cert_store_pass", v}

		// Genesys Administrator starts the connector with this line as is,
		// without a shell.
		line, err := connector.FormatGenesys(tokens)
		if err == nil {
			got, err := run(argvExe, exe+" "+line)
			record("genesys", line, got, err)
		} else {
			record("genesys", "", nil, err)
		}

		// startup.bat (UTF-8), run by cmd.exe.
		line, err = connector.FormatBat(exe, tokens)
		if err == nil {
			bat := filepath.Join(workDir, fmt.Sprintf("startup%d.bat", i))
			if err = os.WriteFile(bat, []byte("@echo off\r\n"+line+"\r\n"), 0o644); err == nil {
				got, err := run(cmdExe, `cmd.exe /d /c "`+bat+`"`)
				record("bat", line, got, err)
			} else {
				record("bat", line, nil, err)
			}
		} else {
			record("bat", "", nil, err)
		}

		// A hint's command line, run without a shell (the C runtime) and
		// typed at cmd.exe's prompt (/s: cmd.exe runs what is between the
		// outer quotes as typed).
		line = "--alias " + finding.CommandArg(v)
		got, err := run(argvExe, exe+" "+line)
		record("hint", line, got, err)
		got, err = run(cmdExe, `cmd.exe /d /s /c "`+exe+" "+line+`"`)
		record("hint-cmd", line, got, err)

		results = append(results, r)
	}
	out, err := json.MarshalIndent(results, "", " ")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(append(out, '\n'))
}

// run starts program with the command line cmdLine exactly as given and
// returns the arguments argv.exe printed (one per line: = and the UTF-8
// bytes in hex). A launch that fails (the program does not start, or
// cmd.exe's exit 9009 "Can't recognize ...": under load Wine's
// CreateProcess fails now and then) is tried again, twice at most: a
// quoting fault fails every time.
func run(program, cmdLine string) ([]string, error) {
	var args []string
	var err error
	for range 3 {
		var launch bool
		if args, launch, err = runOnce(program, cmdLine); !launch {
			break
		}
	}
	return args, err
}

// runOnce is one try of run; launch reports a failure to launch.
func runOnce(program, cmdLine string) (args []string, launch bool, err error) {
	cmd := exec.Command(program)
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: cmdLine}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		launch := !errors.As(err, &ee) || ee.ExitCode() == 9009
		return nil, launch, fmt.Errorf("%w: %s%s", err, out, stderr.String())
	}
	args = []string{}
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			continue
		}
		h, ok := strings.CutPrefix(l, "=")
		b, err := hex.DecodeString(h)
		if !ok || err != nil {
			return nil, false, fmt.Errorf("not argv.exe's output: %q", out)
		}
		args = append(args, string(b))
	}
	return args, false, nil
}
