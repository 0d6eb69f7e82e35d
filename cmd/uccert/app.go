package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Exit codes (docs/cli.md, every --help): 0 success, 1 failure, 2 usage error.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env is everything a command may touch outside its arguments; tests build
// their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// prompter is nil when stdin is not a terminal.
	prompter secret.Prompter
	getenv   func(string) (string, bool)
	now      func() time.Time
	// localFQDN is this machine's FQDN (verify's default --host).
	localFQDN func(context.Context) (string, error)
	// stdoutTTY and stderrTTY say whether output goes to a terminal
	// (colour, symbols, progress).
	stdoutTTY, stderrTTY bool
	// stdoutVT says whether the terminal on stdout interprets ANSI escape
	// sequences: Windows consoles only once virtual terminal processing is
	// enabled, which older consoles refuse (then output is plain text).
	stdoutVT bool
	// interrupts is what SIGINT and SIGTERM do (runMain; nil in tests that
	// call run).
	interrupts *interrupts
	// armInterrupts installs the signal handler of interrupts when a
	// command starts (runMain; nil in tests that call run).
	armInterrupts func()
	// restoreTerminal puts the terminal back as it was when the run began
	// (a signal may end a password prompt); nil when stdin is no terminal.
	restoreTerminal func()
}

func newSystemEnv() *env {
	e := &env{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		getenv:    os.LookupEnv,
		now:       time.Now,
		localFQDN: systemFQDN,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	e.stdoutVT = e.stdoutTTY && enableVT(os.Stdout)
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		e.prompter = secret.TerminalPrompter(os.Stdin, os.Stderr)
		if state, err := term.GetState(fd); err == nil {
			e.restoreTerminal = func() { term.Restore(fd, state) }
		}
	}
	return e
}

// color reports whether human output may use colour and symbols.
func (e *env) color() bool {
	if _, set := e.getenv("NO_COLOR"); set {
		return false
	}
	return e.stdoutTTY && e.stdoutVT
}

// usageError marks an error as a usage error (exit 2).
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	app := newApp(e)
	args = reorderArgs(app, args)
	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	if ie := interruptedBy(ctx, err); ie != nil {
		// A signal ended the run; what it was writing is removed.
		var silent *silentError
		switch {
		case errors.As(err, &silent):
			// It has printed its result (verify's report, JSON included).
			fmt.Fprintf(e.stderr, "uccert: %s\n", ie)
			return ie.code()
		case !errors.As(err, new(*interruptedError)):
			err = fmt.Errorf("%w: %w", ie, err)
		}
		if wantsJSON(args) {
			writeJSONFailure(e.stdout, err)
		}
		fmt.Fprintf(e.stderr, "uccert: %s\n", esc(err.Error()))
		return ie.code()
	}
	if errors.Is(err, secret.ErrNoTerminal) {
		// No terminal to ask on is the same situation whether the password
		// option was omitted or said "prompt": a usage error.
		err = usagef("%s; give the password with env:VAR, file:PATH or stdin", err.Error())
	}
	var silent *silentError
	if !errors.As(err, &silent) && wantsJSON(args) {
		// A script asked for JSON: every outcome is JSON on stdout.
		writeJSONFailure(e.stdout, err)
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "uccert: %s\nRun 'uccert --help' or 'uccert COMMAND --help' for usage.\n", esc(ue.msg))
		return exitUsage
	}
	if errors.As(err, &silent) {
		return silent.code
	}
	var failed *finding.Failed
	if errors.As(err, &failed) {
		// Findings that stop the command: each with its fix.
		for _, f := range failed.Findings {
			fmt.Fprintf(e.stderr, "uccert: %s: %s\n", esc(f.Subject), esc(f.Message))
			if f.Hint != "" {
				fmt.Fprintf(e.stderr, "  fix: %s\n", esc(f.Hint))
			}
		}
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "uccert: %s\n", esc(err.Error()))
	return exitFailure
}

// silentError ends a command with an exit code after it has already said
// everything (verify's failed checks).
type silentError struct{ code int }

func (s *silentError) Error() string { return fmt.Sprintf("exit status %d", s.code) }

func newApp(e *env) *cli.App {
	onUsage := func(_ *cli.Context, err error, _ bool) error { return usagef("%s", err.Error()) }
	app := &cli.App{
		// Repeatable options take each value whole: a password source
		// or an alias may hold a comma or end in a space.
		DisableSliceFlagSeparator: true,
		Name:                      "uccert",
		Usage:                     "prepare and check the TLS/MTLS and Kerberos material of a UC Connector",
		UsageText:                 "uccert [--version] COMMAND [options] [arguments]",
		Description: `uccert replaces the manual keytool/openssl procedure of the UC Connector deployment
guide: it reads Front End .pfx exports, merges them into one JKS or PKCS#12 store
whose keys all use the store password, builds the trust store from the CA
certificates, checks everything before start-up, and prints the connector's
-cert_store_*/-key_store_*/-krb_conf_file arguments. For the connector host's own
certificate it makes the key and a request for the CA (request), and merges the reply.

EXAMPLES:
   uccert inspect fe1.pfx
   uccert merge -o ucc-keys.jks --in-pass env:FE_PASS --out-pass prompt fe1.pfx fe2.pfx
   uccert truststore -o ucc-trust.jks --out-pass prompt CA.cer
   uccert request --host ucc01.example.com -o ucc01.csr --key-out ucc01-pending.p12 --key-pass prompt

` + passwordSources + jsonContract + exitCodes,
		HideVersion: true,
		// Any fixed time: otherwise urfave/cli stats the executable on
		// every run for a date no help text shows.
		Compiled:             time.Unix(0, 0),
		EnableBashCompletion: true,
		Writer:               e.stdout,
		ErrWriter:            e.stderr,
		Reader:               e.stdin,
		OnUsageError:         onUsage,
		ExitErrHandler:       func(*cli.Context, error) {},
		Flags:                []cli.Flag{&cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version and exit"}},
		CommandNotFound:      nil,
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				fmt.Fprintf(e.stdout, "uccert %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return nil
			}
			if c.NArg() > 0 {
				return usagef("unknown command %q", c.Args().First())
			}
			cli.ShowAppHelp(c)
			return usagef("no command given")
		},
		Commands: []*cli.Command{
			inspectCommand(e),
			mergeCommand(e),
			truststoreCommand(e),
			removeCommand(e),
			verifyCommand(e),
			argsCommand(e),
			requestCommand(e),
			completionCommand(e),
		},
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = onUsage
		cmd.HideHelpCommand = true
		if before := cmd.Before; e.armInterrupts != nil {
			cmd.Before = func(c *cli.Context) error {
				e.armInterrupts()
				if before != nil {
					return before(c)
				}
				return nil
			}
		}
	}
	return app
}

// passwords resolves password sources for one command run; it holds the
// one Resolver (stdin may be read once).
type passwords struct {
	e *env
	r *secret.Resolver
}

func newPasswords(e *env) *passwords {
	return &passwords{e: e, r: &secret.Resolver{Getenv: e.getenv, Stdin: e.stdin, Prompter: e.prompter}}
}

// get resolves src (a flag value) for label. When src is empty it prompts
// on a terminal, and is otherwise a usage error naming flag.
func (p *passwords) get(src, flag, label string) (secret.Password, error) {
	if src == "" {
		if p.e.prompter == nil {
			return secret.Password{}, usagef("%s: none given and no terminal to ask on; use %s SRC (pass:TEXT, env:VAR, file:PATH or stdin)", label, flag)
		}
		src = "prompt"
	}
	s, err := secret.ParseSource(src)
	if err != nil {
		return secret.Password{}, usagef("%s: %s", flag, err.Error())
	}
	var pw secret.Password
	err = p.e.quietly(func() (err error) {
		pw, err = p.r.Resolve(s, esc(label)) // the label names a file: it goes to the terminal
		return err
	})
	if err != nil && s.Kind == secret.KindFile {
		err = withFile(s.Value, err) // the password file is the file that failed
	}
	return pw, err
}

// checkSources parses every source up front so that a typo or two uses of
// stdin fail before any work.
func checkSources(flag string, values ...string) error {
	var srcs []secret.Source
	for _, v := range values {
		if v == "" {
			continue
		}
		s, err := secret.ParseSource(v)
		if err != nil {
			return usagef("%s: %s", flag, err.Error())
		}
		srcs = append(srcs, s)
	}
	if err := secret.CheckStdinOnce(srcs...); err != nil {
		return usagef("%s", err.Error())
	}
	return nil
}

// pairFor returns the value of a repeatable per-input option for input i:
// one value applies to all inputs, otherwise the i-th.
func pairFor(values []string, i int) string {
	switch {
	case len(values) == 0:
		return ""
	case len(values) == 1:
		return values[0]
	case i < len(values):
		return values[i]
	}
	return ""
}

func checkPairing(flag string, values []string, n int) error {
	if len(values) > 1 && len(values) != n {
		return usagef("%s given %d times for %d inputs: give it once (for all) or once per input", flag, len(values), n)
	}
	return nil
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}
