package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/urfave/cli/v2"
	"golang.org/x/sync/errgroup"
)

// loaded is one input file as loadEach read it: its store, or why not.
type loaded struct {
	path  string
	store *keystore.Store
	err   error
}

// loadInputs reads every input (loadEach) and stops at the first that
// cannot be used.
func loadInputs(e *env, pw *passwords, paths []string, passFlag string, inPass, inKeyPass []string, askKey bool) ([]merge.Input, error) {
	all, err := loadEach(e, pw, paths, passFlag, inPass, inKeyPass, askKey, false)
	if err != nil {
		return nil, err
	}
	ins := make([]merge.Input, 0, len(all))
	for _, l := range all {
		if l.err != nil {
			return nil, l.err
		}
		ins = append(ins, merge.Input{Name: l.path, Store: l.store})
	}
	return ins, nil
}

// loadEach reads every input with its paired passwords (passFlag names
// the option in messages): passwords are resolved one input after the
// other (they may prompt), then the inputs are decoded in parallel (key
// derivations dominate), and finally locked JKS keys may prompt for their
// password. Progress shows for long runs on a terminal. With listOnly, a
// JKS whose password is neither given nor can be asked for is read as
// keytool -list does (keystore.DecodeOptions.Unverified). The error is for
// what stops every input (a password that cannot be asked for); each
// input's own failure is in its loaded.err, naming the file.
func loadEach(e *env, pw *passwords, paths []string, passFlag string, inPass, inKeyPass []string, askKey, listOnly bool) (out []*loaded, err error) {
	// Reading leaves nothing to clean up: a signal ends it at once (an
	// input may be a FIFO or a slow share).
	err = e.quietly(func() (err error) {
		out, err = loadEachNow(e, pw, paths, passFlag, inPass, inKeyPass, askKey, listOnly)
		return err
	})
	return out, err
}

func loadEachNow(e *env, pw *passwords, paths []string, passFlag string, inPass, inKeyPass []string, askKey, listOnly bool) ([]*loaded, error) {
	type job struct {
		data []byte
		opts keystore.DecodeOptions
	}
	out := make([]*loaded, len(paths))
	jobs := make([]*job, len(paths))
	boundMemory(fileSizes(paths...))
	for i, path := range paths {
		out[i] = &loaded{path: path}
		data, err := keystore.ReadFile(path)
		if err != nil {
			out[i].err = withFile(path, err)
			continue
		}
		j := &job{data: data}
		f := keystore.Detect(data)
		switch {
		case listOnly && f == keystore.FormatJKS && pairFor(inPass, i) == "" && pw.e.prompter == nil:
			j.opts.Unverified = true
		case keystore.NeedsPassword(data): // a store, or a PEM file with an encrypted key
			if j.opts.Password, err = pw.get(pairFor(inPass, i), passFlag, "password for "+filepath.Base(path)); err != nil {
				return nil, withFile(path, err)
			}
			if src := pairFor(inKeyPass, i); src != "" {
				kp, err := pw.get(src, "--in-key-pass", "key password for "+filepath.Base(path))
				if err != nil {
					return nil, withFile(path, err)
				}
				j.opts.KeyPasswords = []secret.Password{kp}
			}
		}
		jobs[i] = j
	}
	prog := newProgress(e, len(paths))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, j := range jobs {
		if j == nil {
			continue
		}
		g.Go(func() error {
			s, err := keystore.Decode(j.data, j.opts)
			mu.Lock()
			prog.step(paths[i])
			mu.Unlock()
			if err != nil {
				out[i].err = withFile(paths[i], fmt.Errorf("%s: %w", paths[i], err))
				return nil
			}
			out[i].store = s
			return nil
		})
	}
	g.Wait()
	prog.done()
	for i, j := range jobs {
		if j == nil || out[i].err != nil {
			continue
		}
		if askKey && pairFor(inKeyPass, i) == "" && pw.e.prompter != nil && hasLockedKey(out[i].store) {
			kp, err := pw.get("prompt", "--in-key-pass", "key password for "+filepath.Base(paths[i]))
			if err != nil {
				return nil, withFile(paths[i], err)
			}
			j.opts.KeyPasswords = []secret.Password{kp}
			if out[i].store, err = keystore.Decode(j.data, j.opts); err != nil {
				out[i].err = withFile(paths[i], fmt.Errorf("%s: %w", paths[i], err))
			}
		}
	}
	return out, nil
}

func hasLockedKey(s *keystore.Store) bool {
	for _, e := range s.Entries {
		if errors.Is(e.KeyErr, keystore.ErrKeyPassword) {
			return true
		}
	}
	return false
}

// output is the -o/--type/--out-pass/--append/--force/--compat/
// --lock-timeout policy shared by the commands that write a store.
type output struct {
	path    string
	format  keystore.Format
	profile keystore.Profile
	append  bool
	force   bool
	passSrc string
	// keepProfile writes an existing PKCS#12 OUT (--append) with the
	// profile it was read with: no --compat given.
	keepProfile bool
	// lockWait bounds the wait for another run updating OUT
	// (keystore.UpdateOptions.LockTimeout: negative means no wait).
	lockWait time.Duration
}

func outputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the store to write (`OUT`)"},
		&cli.StringFlag{Name: "type", Usage: "store `TYPE`: jks or pkcs12 (default: from OUT's extension, .jks or .p12/.pfx)"},
		&cli.StringFlag{Name: "out-pass", Usage: "password `SRC` for OUT (at least 6 characters); prompts twice on a terminal when omitted"},
		&cli.BoolFlag{Name: "append", Usage: "OUT exists: open it with --out-pass, keep every entry, add the new ones"},
		&cli.BoolFlag{Name: "force", Usage: "OUT exists: replace it (a regular file only; a link is written through)"},
		lockTimeoutFlag("with --append: "),
		&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout"},
	}
}

// lockTimeoutFlag is --lock-timeout of every command that updates a store.
func lockTimeoutFlag(when string) cli.Flag {
	return &cli.DurationFlag{Name: "lock-timeout", Value: defaultLockWait, Usage: when + "wait at most `DURATION` (30s, 2m) for another run updating the store; 0: do not wait"}
}

// lockWait reads --lock-timeout as keystore.UpdateOptions.LockTimeout
// wants it (negative: one try).
func lockWait(c *cli.Context) (time.Duration, error) {
	switch d := c.Duration("lock-timeout"); {
	case d < 0:
		return 0, usagef("--lock-timeout %v: give a duration of 0 or more, such as 30s or 2m", d)
	case d == 0:
		return -1, nil
	default:
		return d, nil
	}
}

// parseOutput validates the output flags before any work (usage errors).
func parseOutput(c *cli.Context) (*output, error) {
	o := &output{path: c.String("output"), append: c.Bool("append"), force: c.Bool("force"), passSrc: c.String("out-pass")}
	if o.path == "" {
		return nil, usagef("%s: -o OUT is required", c.Command.Name)
	}
	if o.append && o.force {
		return nil, usagef("--append and --force exclude each other: --append keeps OUT's entries, --force replaces OUT")
	}
	var err error
	if o.lockWait, err = lockWait(c); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(o.path); err == nil && fi.IsDir() {
		example := "ucc-keys.jks"
		if c.Command.Name == "truststore" {
			example = "ucc-trust.jks"
		}
		return nil, usagef("-o %s is a folder: give the path of the store file to write in it, such as %s", esc(o.path), esc(filepath.Join(o.path, example)))
	}
	if t := c.String("type"); t != "" {
		f, err := keystore.ParseFormat(t)
		if err != nil {
			return nil, usagef("--type: %s", err.Error())
		}
		o.format = f
	} else if o.format = keystore.FormatFromExtension(o.path); o.format == keystore.FormatUnknown {
		return nil, usagef("cannot tell the store type of %s from its extension: give --type jks or --type pkcs12", o.path)
	}
	o.keepProfile = !c.IsSet("compat")
	if c.IsSet("compat") {
		p, err := keystore.ParseProfile(c.String("compat"))
		if err != nil {
			return nil, usagef("--compat: %s", err.Error())
		}
		if o.format != keystore.FormatPKCS12 {
			return nil, usagef("--compat applies to PKCS#12 output only")
		}
		o.profile = p
	}
	return o, nil
}

// check refuses, before any input is read, an existing OUT without
// --append or --force, a missing one with --append, and an OUT that is
// not a regular file (a link is written through to its target:
// keystore.WriteTarget).
func (o *output) check() error {
	_, fi, err := keystore.WriteTarget(o.path)
	var nr *keystore.NotRegularError
	switch {
	case errors.As(err, &nr) && nr.Mode&fs.ModeSymlink != 0:
		return withFile(o.path, fmt.Errorf("%w: give that path as -o, or remove the link", err))
	case errors.As(err, &nr):
		return withFile(o.path, fmt.Errorf("%w: give the path of a store file", err))
	case err != nil:
		return withFile(o.path, err)
	}
	exists := fi != nil
	switch {
	case exists && !o.append && !o.force:
		return withFile(o.path, fmt.Errorf("%s: %w: give --append to add to it or --force to replace it", o.path, keystore.ErrExists))
	case !exists && o.append:
		return withFile(o.path, fmt.Errorf("%s: --append: %w", o.path, os.ErrNotExist))
	}
	return nil
}

// password resolves OUT's password (asked twice at a prompt for a new
// store) and refuses what Java could not use.
func (o *output) password(pw *passwords) (secret.Password, error) {
	label := "password for " + filepath.Base(o.path)
	check := func(p secret.Password) error {
		if err := secret.CheckStorePassword(p); err != nil {
			return withFile(o.path, fmt.Errorf("%s: %w", o.path, err))
		}
		if err := keystore.CheckPassword(o.format, p); err != nil {
			return withFile(o.path, fmt.Errorf("%s: %w", o.path, err))
		}
		return nil
	}
	if o.append {
		p, err := pw.get(o.passSrc, "--out-pass", label)
		if err != nil {
			return p, err
		}
		return p, check(p)
	}
	return pw.getNew(o.passSrc, "--out-pass", "new "+label, check)
}

// defaultLockWait is --lock-timeout's default.
const defaultLockWait = 60 * time.Second

// write builds the store (build gets OUT's current store with --append,
// nil otherwise) and writes it atomically: with --append under OUT's
// update lock, so that concurrent runs take turns and none loses an entry.
// While it waits for the lock it says for whom (after
// keystore.LockNotice). A signal cancels ctx: the write removes its
// temporary and lock files and returns.
func (o *output) write(ctx context.Context, e *env, password secret.Password, build func(base *keystore.Store) (*keystore.Store, error)) error {
	wopts := keystore.WriteOptions{
		EncodeOptions: keystore.EncodeOptions{Format: o.format, Password: password, Profile: o.profile, Now: e.now()},
		Overwrite:     o.force,
	}
	if o.append {
		return o.update(ctx, e, wopts, build)
	}
	s, err := build(nil)
	if err != nil {
		return err
	}
	return withFile(o.path, keystore.WriteFileContext(ctx, o.path, s, wopts))
}

// update is keystore.Update of OUT with --lock-timeout and the lock's
// messages on stderr (whom it waits for, a lock file taken over): the one
// way the CLI changes a store in place (--append; a command that removes
// entries should use it too).
func (o *output) update(ctx context.Context, e *env, wopts keystore.WriteOptions, modify func(current *keystore.Store) (*keystore.Store, error)) error {
	var read keystore.Profile
	var modifyErr error
	err := keystore.Update(ctx, o.path, keystore.UpdateOptions{
		WriteOptions: wopts,
		LockTimeout:  o.lockWait,
		KeepProfile:  o.keepProfile,
		OnLockWait: func(h keystore.LockHolder) {
			fmt.Fprintf(e.stderr, "uccert: waiting for %s (%s)\n", h, esc(h.File))
		},
		OnStaleLock: func(h keystore.LockHolder) {
			fmt.Fprintf(e.stderr, "uccert: note: %s was left behind by %s, which has ended; taken over\n", esc(h.File), h)
		},
	}, func(current *keystore.Store) (*keystore.Store, error) {
		read = current.Profile
		s, err := modify(current)
		modifyErr = err
		return s, err
	})
	switch {
	case errors.Is(err, keystore.ErrLocked):
		return withFile(o.path, fmt.Errorf("%w; run this again when it has finished, or give a longer --lock-timeout", err))
	case err != nil && (modifyErr == nil || !errors.Is(err, modifyErr)):
		err = withFile(o.path, err) // reading, writing or locking OUT failed
	}
	if err == nil && o.keepProfile && wopts.Format == keystore.FormatPKCS12 && read == keystore.ProfileLegacy {
		fmt.Fprintf(e.stderr, "uccert: note: %s keeps its legacy PKCS#12 profile (3DES, SHA-1 MAC: read by JREs before 8u301); give --compat modern to change it\n", esc(o.path))
	}
	return err
}

// newPasswordTries is how often a new password may be typed, as keytool
// allows.
const newPasswordTries = 3

// getNew resolves the password of a new store and checks it. Typed at a
// prompt, it is asked twice; a password check refuses, or a confirmation
// that differs, is said on stderr and asked again, up to three times.
func (p *passwords) getNew(src, flag, label string, check func(secret.Password) error) (secret.Password, error) {
	if src != "" && src != "prompt" {
		pw, err := p.get(src, flag, label)
		if err != nil {
			return pw, err
		}
		return pw, check(pw)
	}
	var last error
	for try := 0; try < newPasswordTries; try++ {
		if last != nil {
			fmt.Fprintf(p.e.stderr, "uccert: %s; try again\n", esc(last.Error()))
		}
		first, err := p.get(src, flag, label)
		if err != nil {
			return first, err
		}
		if last = check(first); last != nil {
			continue
		}
		again, err := p.get("prompt", flag, label+" (again)")
		if err != nil {
			return first, err
		}
		if !first.Equal(again) {
			last = errors.New("the two passwords typed differ")
			continue
		}
		return first, nil
	}
	return secret.Password{}, fmt.Errorf("%w (%d tries)", last, newPasswordTries)
}
