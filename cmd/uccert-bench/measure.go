//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// runner runs commands from the repository root and shows them with the
// temporary directory written as $BENCH.
type runner struct {
	tmp string
	log io.Writer
}

// sample is one measurement: wall-clock time and the CPU time (user +
// system) spent on it. CPU time shows the work done even when other
// processes share the cores.
type sample struct {
	wall, cpu time.Duration
}

// timed runs one whole process and measures it from fork/exec to exit.
// A non-zero exit is an error: a failing run measures nothing.
func (r *runner) timed(argv []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	s := sample{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return s, fmt.Errorf("%s: %w\n%s", r.display(argv), err, lastLines(out.String(), 15))
	}
	return s, nil
}

// sequence runs commands one after the other; its times are their sums.
func (r *runner) sequence(cmds [][]string) (sample, error) {
	var total sample
	for _, argv := range cmds {
		s, err := r.timed(argv)
		if err != nil {
			return sample{}, err
		}
		total.wall += s.wall
		total.cpu += s.cpu
	}
	return total, nil
}

// display renders argv as a shell command, the temporary directory as
// $BENCH. Arguments holding a shell variable ($BENCH, or ${N} in the loops
// shown in the report) are double-quoted so that it expands.
func (r *runner) display(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if r.tmp != "" {
			a = strings.ReplaceAll(a, r.tmp, "$BENCH")
		}
		parts[i] = shellQuote(a)
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	plain, vars := true, strings.Contains(s, "$")
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:=,@%+", c)) {
			if !vars || !strings.ContainsRune("${}", c) {
				plain = false
			}
		}
	}
	switch {
	case plain:
		return s
	case vars && !strings.ContainsAny(s, "\"\\`"):
		return `"` + s + `"`
	default:
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stats summarise the repetitions of one side (wall-clock times, and the
// median CPU time).
type stats struct {
	samples                  []sample // in run order
	median, fastest, slowest time.Duration
	medianCPU                time.Duration
}

func median(ds []time.Duration) time.Duration {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func summarize(ss []sample) stats {
	st := stats{samples: ss}
	var wall, cpu []time.Duration
	for _, s := range ss {
		wall = append(wall, s.wall)
		cpu = append(cpu, s.cpu)
	}
	st.median, st.medianCPU = median(wall), median(cpu)
	st.fastest, st.slowest = slices.Min(wall), slices.Max(wall)
	return st
}

// side is one way of doing a scenario's job.
type side struct {
	label    string   // "uccert", "keytool", "KDF floor"
	commands []string // what one repetition runs, as shown in the report
	prose    bool     // commands are a description, not shell commands
	reset    func() error
	run      func() (sample, error)
	result   stats
}

// scenario compares uccert (a) with keytool or a computed floor (b, may be
// nil) against a target.
type scenario struct {
	id     int
	title  string
	target string
	a, b   *side
	// refs are measured in the same alternation as a and b and reported
	// beside them (the start-up floor of scenario 5); no target.
	refs []*side
	// cheap scenarios (no keytool) get more repetitions (-runs-fast).
	cheap bool
	// reps, when set, is the number of repetitions (start-up needs
	// many: one run takes milliseconds).
	reps int
	runs int
	// before runs once before the warm-up (inputs made by a previous run).
	before func() error
	// judge returns the ratio shown in the table and whether the target
	// is met.
	judge func(a stats, b *stats) (ratio string, pass bool)
	notes []string
}

// measure warms each side up once, then alternates them runs times.
func (s *scenario) measure(runs int, log io.Writer) error {
	sides := s.sides()
	once := func(sd *side) (sample, error) {
		if sd.reset != nil {
			if err := sd.reset(); err != nil {
				return sample{}, err
			}
		}
		return sd.run()
	}
	if s.before != nil {
		if err := s.before(); err != nil {
			return err
		}
	}
	for _, sd := range sides {
		if _, err := once(sd); err != nil {
			return fmt.Errorf("%s warm-up: %w", sd.label, err)
		}
	}
	samples := make([][]sample, len(sides))
	for i := range runs {
		for j, sd := range sides {
			smp, err := once(sd)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", sd.label, i+1, err)
			}
			samples[j] = append(samples[j], smp)
			fmt.Fprintf(log, "   run %d %-9s %s (CPU %s)\n", i+1, sd.label, dur(smp.wall), dur(smp.cpu))
		}
	}
	for j, sd := range sides {
		sd.result = summarize(samples[j])
	}
	s.runs = runs
	return nil
}

// sides are a, b (when set) and the references, in measuring order.
func (s *scenario) sides() []*side {
	sides := []*side{s.a}
	if s.b != nil {
		sides = append(sides, s.b)
	}
	return append(sides, s.refs...)
}

func (s *scenario) verdict() (ratio string, pass bool) {
	var b *stats
	if s.b != nil {
		b = &s.b.result
	}
	return s.judge(s.a.result, b)
}

// faster judges "uccert at least x times faster than b".
func faster(x float64) func(stats, *stats) (string, bool) {
	return func(a stats, b *stats) (string, bool) {
		r := float64(b.median) / float64(a.median)
		c := float64(b.medianCPU) / float64(a.medianCPU)
		return fmt.Sprintf("%.0f× faster (CPU %.0f×)", r, c), r >= x
	}
}

// output runs a command and returns its combined output.
func output(argv []string) (string, error) {
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, lastLines(string(out), 15))
	}
	return string(out), nil
}
