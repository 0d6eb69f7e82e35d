package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/secret"
	"github.com/urfave/cli/v2"
)

// loadInputs reads every input with its paired passwords (passFlag names
// the option in messages): passwords are
// resolved one input after the other (they may prompt), then the inputs
// are decoded in parallel (key derivations dominate), and finally locked
// JKS keys may prompt for their password. Progress shows for long runs on
// a terminal.
func loadInputs(e *env, pw *passwords, paths []string, passFlag string, inPass, inKeyPass []string, askKey bool) ([]merge.Input, error) {
	type job struct {
		data  []byte
		opts  keystore.DecodeOptions
		store *keystore.Store
		err   error
	}
	jobs := make([]*job, len(paths))
	for i, path := range paths {
		data, err := keystore.ReadFileLimited(path)
		if err != nil {
			return nil, err
		}
		j := &job{data: data}
		if keystore.Detect(data).IsStore() {
			p, err := pw.get(pairFor(inPass, i), passFlag, "password for "+filepath.Base(path))
			if err != nil {
				return nil, err
			}
			j.opts.Password = p.Reveal()
			if src := pairFor(inKeyPass, i); src != "" {
				kp, err := pw.get(src, "--in-key-pass", "key password for "+filepath.Base(path))
				if err != nil {
					return nil, err
				}
				j.opts.KeyPasswords = []string{kp.Reveal()}
			}
		}
		jobs[i] = j
	}
	prog := newProgress(e, len(paths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			jobs[i].store, jobs[i].err = keystore.Decode(jobs[i].data, jobs[i].opts)
			mu.Lock()
			prog.step(paths[i])
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	prog.done()
	ins := make([]merge.Input, 0, len(paths))
	for i, j := range jobs {
		if j.err != nil {
			return nil, fmt.Errorf("%s: %w", paths[i], j.err)
		}
		if askKey && pairFor(inKeyPass, i) == "" && pw.e.prompter != nil && hasLockedKey(j.store) {
			kp, err := pw.get("prompt", "--in-key-pass", "key password for "+filepath.Base(paths[i]))
			if err != nil {
				return nil, err
			}
			j.opts.KeyPasswords = []string{kp.Reveal()}
			if j.store, err = keystore.Decode(j.data, j.opts); err != nil {
				return nil, fmt.Errorf("%s: %w", paths[i], err)
			}
		}
		ins = append(ins, merge.Input{Name: paths[i], Store: j.store})
	}
	return ins, nil
}

func hasLockedKey(s *keystore.Store) bool {
	for _, e := range s.Entries {
		if errors.Is(e.KeyErr, keystore.ErrKeyPassword) {
			return true
		}
	}
	return false
}

// output is the -o/--type/--out-pass/--append/--force/--compat policy
// shared by merge and truststore.
type output struct {
	path    string
	format  keystore.Format
	profile keystore.Profile
	append  bool
	force   bool
	passSrc string
	// release drops the update lock taken for --append (nil otherwise).
	release func()
}

func outputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the store to write (`OUT`)"},
		&cli.StringFlag{Name: "type", Usage: "store `TYPE`: jks or pkcs12 (default: from OUT's extension, .jks or .p12/.pfx)"},
		&cli.StringFlag{Name: "out-pass", Usage: "password `SRC` for OUT (at least 6 characters); prompts twice on a terminal when omitted"},
		&cli.BoolFlag{Name: "append", Usage: "OUT exists: open it with --out-pass, keep every entry, add the new ones"},
		&cli.BoolFlag{Name: "force", Usage: "OUT exists: replace it"},
		&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout"},
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
	if t := c.String("type"); t != "" {
		f, err := keystore.ParseStoreFormat(t)
		if err != nil {
			return nil, usagef("--type: %s", err.Error())
		}
		o.format = f
	} else if o.format = keystore.FormatFromExtension(o.path); o.format == keystore.FormatUnknown {
		return nil, usagef("cannot tell the store type of %s from its extension: give --type jks or --type pkcs12", o.path)
	}
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

// open resolves OUT's password, refuses what Java could not use, and for
// --append reads the existing store. An existing OUT without --append or
// --force fails here, before any input is read.
func (o *output) open(pw *passwords) (password string, base *keystore.Store, err error) {
	_, statErr := os.Stat(o.path)
	exists := statErr == nil
	switch {
	case exists && !o.append && !o.force:
		return "", nil, fmt.Errorf("%s: %w: give --append to add to it or --force to replace it", o.path, keystore.ErrExists)
	case !exists && o.append:
		return "", nil, fmt.Errorf("%s: --append: %w", o.path, os.ErrNotExist)
	}
	label := "password for " + filepath.Base(o.path)
	var p secret.Password
	if o.append {
		p, err = pw.get(o.passSrc, "--out-pass", label)
	} else {
		p, err = pw.getNew(o.passSrc, "--out-pass", "new "+label)
	}
	if err != nil {
		return "", nil, err
	}
	if err := secret.CheckStorePassword(p); err != nil {
		return "", nil, fmt.Errorf("%s: %w", o.path, err)
	}
	if err := keystore.CheckPassword(o.format, p.Reveal()); err != nil {
		return "", nil, fmt.Errorf("%s: %w", o.path, err)
	}
	if o.append {
		// Concurrent --append runs take turns: each reads what the
		// previous one wrote, so none loses an entry.
		ctx, cancel := context.WithTimeout(context.Background(), lockWait)
		o.release, err = keystore.LockForUpdate(ctx, o.path)
		cancel()
		if err != nil {
			return "", nil, err
		}
		base, err = keystore.Load(o.path, keystore.DecodeOptions{Password: p.Reveal()})
		if err != nil {
			return "", nil, err
		}
		if base.Format != o.format {
			return "", nil, fmt.Errorf("%s: --append: the file is %s, not %s", o.path, base.Format, o.format)
		}
		for _, e := range base.Entries {
			if e.Kind == keystore.KindKey && e.Key == nil {
				return "", nil, fmt.Errorf("%s: --append: entry %q: %w", o.path, e.Alias, e.KeyErr)
			}
		}
	}
	return p.Reveal(), base, nil
}

// lockWait bounds how long --append waits for another run to finish.
const lockWait = 60 * time.Second

// close releases the update lock, if any.
func (o *output) close() {
	if o.release != nil {
		o.release()
		o.release = nil
	}
}

// write stores s atomically (read back, compared, renamed).
func (o *output) write(e *env, s *keystore.Store, password string) error {
	return keystore.WriteFile(o.path, s, keystore.WriteOptions{
		EncodeOptions: keystore.EncodeOptions{Format: o.format, Password: password, Profile: o.profile, Now: e.now()},
		Overwrite:     o.append || o.force,
	})
}

// getNew resolves the password of a new store; typed at a prompt, it is
// asked twice.
func (p *passwords) getNew(src, flag, label string) (secret.Password, error) {
	if src != "" && src != "prompt" {
		return p.get(src, flag, label)
	}
	first, err := p.get(src, flag, label)
	if err != nil {
		return first, err
	}
	again, err := p.get("prompt", flag, label+" (again)")
	if err != nil {
		return first, err
	}
	if !first.Equal(again) {
		return secret.Password{}, errors.New("the two passwords typed differ")
	}
	return first, nil
}
