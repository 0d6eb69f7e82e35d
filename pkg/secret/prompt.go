package secret

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// TerminalPrompter returns a Prompter that writes the label to out
// (normally os.Stderr, never stdout, which may carry --json output) and
// reads a line from the terminal in without echo. When in is nil or not
// a terminal, Prompt fails with ErrNoTerminal before writing anything.
func TerminalPrompter(in *os.File, out io.Writer) Prompter {
	return terminalPrompter{in: in, out: out}
}

type terminalPrompter struct {
	in  *os.File
	out io.Writer
}

func (t terminalPrompter) Prompt(label string) (string, error) {
	if t.in == nil || !term.IsTerminal(int(t.in.Fd())) {
		return "", ErrNoTerminal
	}
	if label == "" {
		label = "Password"
	}
	if !strings.HasSuffix(strings.TrimRight(label, " "), ":") {
		label += ":"
	}
	if !strings.HasSuffix(label, " ") {
		label += " "
	}
	if t.out != nil {
		if _, err := io.WriteString(t.out, label); err != nil {
			return "", fmt.Errorf("write prompt: %w", err)
		}
	}
	b, err := term.ReadPassword(int(t.in.Fd()))
	if t.out != nil {
		// The user's Enter was not echoed: end the prompt line.
		_, _ = io.WriteString(t.out, "\n")
	}
	if err != nil {
		return "", fmt.Errorf("read password from terminal: %w", err)
	}
	return string(b), nil
}
