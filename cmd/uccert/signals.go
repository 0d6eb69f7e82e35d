package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
)

// Exit codes of a run ended by a signal, as shells report them (128 + the
// signal's number), on Windows too.
const (
	exitInterrupt = 130 // SIGINT: Ctrl-C; Ctrl-Break on Windows
	exitTerminate = 143 // SIGTERM: kill, systemd; closing the console, log-off or shut-down on Windows
)

// interruptedError is the cause of a run's context once a signal ended
// it; keystore.WriteFileContext and Update return it (wrapped) after
// removing their temporary and lock files.
type interruptedError struct{ sig os.Signal }

func (e *interruptedError) Error() string {
	switch {
	case e.sig == os.Interrupt && runtime.GOOS == "windows":
		return "interrupted (Ctrl-C)"
	case e.sig == os.Interrupt:
		return "interrupted (SIGINT)"
	case runtime.GOOS == "windows":
		return "stopped (the console was closed, or Windows is logging off or shutting down)"
	}
	return "stopped (SIGTERM)"
}

// Is lets code that looks for context.Canceled find it.
func (e *interruptedError) Is(target error) bool { return target == context.Canceled }

func (e *interruptedError) code() int {
	if e.sig == os.Interrupt {
		return exitInterrupt
	}
	return exitTerminate
}

// interruptedBy returns the signal error behind err or behind ctx's
// cause, nil when no signal ended the run.
func interruptedBy(ctx context.Context, err error) *interruptedError {
	var ie *interruptedError
	if errors.As(err, &ie) || errors.As(context.Cause(ctx), &ie) {
		return ie
	}
	return nil
}

// interrupts decides what SIGINT and SIGTERM do to a run. While the run
// only reads or asks (quiet sections: prompts, reading the inputs), there
// is nothing on disk to clean up and the process ends at once (after
// restoring the terminal a password prompt had changed). Otherwise the
// signal cancels the run's context: a write under way removes its
// temporary and lock files and returns, and run reports the signal. A
// second signal ends the process at once.
type interrupts struct {
	mu     sync.Mutex
	quiet  int       // quiet sections under way
	got    os.Signal // the first signal, nil before
	cancel context.CancelCauseFunc
	// exit ends the process now with the signal's exit code.
	exit func(*interruptedError)
}

func (in *interrupts) signal(s os.Signal) {
	in.mu.Lock()
	defer in.mu.Unlock()
	ie := &interruptedError{s}
	if in.got != nil || in.quiet > 0 {
		if in.got != nil {
			ie.sig = in.got
		}
		in.exit(ie)
		return
	}
	in.got = s
	in.cancel(ie)
}

// quietly runs f as a quiet section: a signal may end the process while
// f runs. A run that a signal has already cancelled ends on entering one.
func (e *env) quietly(f func() error) error {
	in := e.interrupts
	if in == nil {
		return f()
	}
	in.mu.Lock()
	if in.got != nil {
		in.exit(&interruptedError{in.got})
	}
	in.quiet++
	in.mu.Unlock()
	defer func() {
		in.mu.Lock()
		in.quiet--
		in.mu.Unlock()
	}()
	return f()
}

// runMain is run with the process's signals: SIGINT and SIGTERM (Ctrl-C,
// Ctrl-Break, closing the console on Windows) end the run as interrupts
// says, with exit code 130 or 143.
func runMain(args []string, e *env) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	e.interrupts = &interrupts{cancel: cancel, exit: func(ie *interruptedError) {
		if e.restoreTerminal != nil {
			e.restoreTerminal()
		}
		if wantsJSON(args) {
			writeJSONFailure(e.stdout, ie)
		}
		nl := ""
		if e.stderrTTY {
			nl = "\n" // after a prompt or progress line
		}
		fmt.Fprintf(e.stderr, "%succert: %s\n", nl, ie)
		os.Exit(ie.code())
	}}
	// The handler is installed when a command starts (newApp): printing
	// the version, help or a usage error has nothing to clean up, and
	// signal.Notify starts a goroutine and a thread that such runs would
	// pay for at start-up (docs/dependencies.md, "Start-up").
	var stop func()
	e.armInterrupts = func() {
		if stop != nil {
			return
		}
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		stop = func() { signal.Stop(ch) }
		go func() {
			for s := range ch {
				e.interrupts.signal(s)
			}
		}()
	}
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	return run(ctx, args, e)
}
