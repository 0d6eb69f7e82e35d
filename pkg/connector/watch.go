package connector

import (
	"context"
	"crypto/tls"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultWatchInterval is WatchOptions.Interval when none is given.
const DefaultWatchInterval = 2 * time.Second

// ErrWatcherClosed: Update was called after Close or after Watch's
// context ended.
var ErrWatcherClosed = errors.New("certificate watcher closed")

// WatchOptions tune Watch.
type WatchOptions struct {
	// LoadOptions are Load's: each material Watch builds passes the same
	// checks as Load's (a Host or FE without a key entry is refused).
	LoadOptions
	// Interval is how often the files are looked at besides the change
	// notifications, which may never come (DefaultWatchInterval when zero
	// or negative); a file written in place must stay unchanged for half
	// of it before it is used.
	Interval time.Duration
	// OnReload is called with the new material after each successful
	// swap (a rotation, or Update), not after the first load.
	OnReload func(*Material)
	// OnError is called when a rotation is refused: the material in use
	// stays. The error is a *finding.Failed listing what the checks
	// refused (errors.Is sees through it), or the error of reading a
	// file (errors.Is fs.ErrNotExist for a deleted file). A refused
	// content is reported once, not at every look.
	OnError func(error)
}

// Watcher keeps a connector's material current while its files change:
// see Watch.
type Watcher struct {
	opts     WatchOptions
	interval time.Duration
	current  atomic.Pointer[Material]
	server   *tls.Config

	ctx     context.Context
	cancel  context.CancelFunc
	stopped chan struct{}
	err     error // of closing the notifier; read after stopped

	// mu serialises looks at the files, reloads, Update and the
	// callbacks; it guards the fields below.
	mu     sync.Mutex
	args   *Args
	files  *fileSet
	notify *fsnotify.Watcher // nil: polling only
	dirs   map[string]bool   // folders handed to notify
}

// watchConfig holds what tests change; Watch uses the zero value.
type watchConfig struct {
	noNotify bool // poll only, as when the system gives no notifications
}

// Watch loads the material of a as Load does and keeps it current: it
// watches the cert store, the key store and the krb5.conf (the folders
// that hold them, since tools such as uccert replace a file by renaming
// a new one over it), and looks at them every Interval as well, for file
// systems that send no notification. When a file changes, Watch reads
// each file once, runs Load's checks on exactly those bytes (the offline
// checks of `uccert verify`, no live ones) and, when nothing blocks
// (preflight.Blocking), swaps the material atomically and calls
// OnReload; else it keeps the material in use and calls OnError. A file
// replaced whole (renamed over, or created anew) is taken at once; a file
// written in place is taken once its content has stayed the same for
// half an Interval, so that a half-written file is not reported.
//
// The first load must succeed: its error is returned as Load's would be
// (a *finding.Failed for what the checks refuse), or the error of
// reading a file. Watch stops when ctx ends or Close is called.
//
// OnReload and OnError run on the watcher's goroutine, one at a time;
// they must not call Update or Close (start a goroutine for that).
func Watch(ctx context.Context, a *Args, opts WatchOptions) (*Watcher, error) {
	return watch(ctx, a, opts, watchConfig{})
}

func watch(ctx context.Context, a *Args, opts WatchOptions, cfg watchConfig) (*Watcher, error) {
	if a == nil {
		return nil, ErrNoArgs
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w := &Watcher{opts: opts, interval: opts.Interval, stopped: make(chan struct{}), dirs: map[string]bool{}}
	if w.interval <= 0 {
		w.interval = DefaultWatchInterval
	}
	files, m, err := w.loadNew(a)
	if err != nil {
		return nil, err
	}
	w.args, w.files = a, files
	w.current.Store(m)
	w.server = &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return w.current.Load().TLS, nil
		},
	}
	if !cfg.noNotify {
		// Without notifications (none on this system, too many watches)
		// the files are still looked at every Interval.
		w.notify, _ = fsnotify.NewWatcher()
	}
	w.watchFolders()
	w.ctx, w.cancel = context.WithCancel(ctx)
	go w.run()
	return w, nil
}

// ServerConfig returns the configuration for the daemon's listener. It
// stays the same; its GetConfigForClient gives each handshake the
// configuration of the material current when the handshake starts
// (Material.TLS), so that a rotation never changes a handshake in
// flight. Settings made on the returned config itself (NextProtos...)
// are not used by the handshake: set them in a wrapper of
// GetConfigForClient on a clone of what it returns.
func (w *Watcher) ServerConfig() *tls.Config { return w.server }

// ClientConfig returns a copy of the current material's configuration
// for one outgoing connection: set ServerName on it and dial. Take a new
// one for each dial to present the current certificates.
func (w *Watcher) ClientConfig() *tls.Config { return w.current.Load().TLS.Clone() }

// Current returns the material in use.
func (w *Watcher) Current() *Material { return w.current.Load() }

// Update loads the material of new arguments now (a changed password, a
// store moved elsewhere): when it passes Load's checks, it replaces the
// material, calls OnReload and watches the new files; else the material
// and the arguments in use stay and the error is returned (as Watch's
// first load returns it; OnError is not called).
func (w *Watcher) Update(a *Args) error {
	if a == nil {
		return ErrNoArgs
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx.Err() != nil {
		return ErrWatcherClosed
	}
	files, m, err := w.loadNew(a)
	if err != nil {
		return err
	}
	w.args, w.files = a, files
	w.current.Store(m)
	w.watchFolders()
	if w.opts.OnReload != nil {
		w.opts.OnReload(m)
	}
	return nil
}

// Close stops watching: the watcher's goroutine and its file
// notifications end before Close returns. The material stays usable
// (ServerConfig keeps serving it). Close may be called more than once.
func (w *Watcher) Close() error {
	w.cancel()
	<-w.stopped
	return w.err
}

// loadNew reads the files of a, each once, and loads the material from
// those bytes.
func (w *Watcher) loadNew(a *Args) (*fileSet, *Material, error) {
	files := newFileSet(a, w.interval/2)
	now := time.Now()
	for _, f := range files.files {
		f.look(now, always)
	}
	data, err := files.contents()
	if err != nil {
		return nil, nil, err
	}
	m, err := load(a, w.opts.LoadOptions, data)
	if err != nil {
		return nil, nil, err
	}
	files.adopted()
	return files, m, nil
}

// watchFolders hands the folders of the files to the notifier (again
// for those it refused before: a folder that did not exist yet) and
// stops watching those no file is in any more. Callers hold mu (or own w
// alone).
func (w *Watcher) watchFolders() {
	if w.notify == nil {
		return
	}
	want := map[string]bool{}
	for _, f := range w.files.files {
		want[filepath.Dir(f.path)] = true
	}
	for d := range w.dirs {
		if !want[d] {
			w.notify.Remove(d)
			delete(w.dirs, d)
		}
	}
	for d := range want {
		if !w.dirs[d] && w.notify.Add(d) == nil {
			w.dirs[d] = true
		}
	}
}

// run waits for notifications, the polling tick and the end of an
// in-place change's settling time, and looks at the files each time.
func (w *Watcher) run() {
	defer close(w.stopped)
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w.notify != nil {
		defer func() { w.err = w.notify.Close() }()
		events, errs = w.notify.Events, w.notify.Errors
	}
	tick := time.NewTicker(w.interval)
	defer tick.Stop()
	settle := time.NewTimer(w.interval)
	settle.Stop()
	defer settle.Stop()
	for {
		var names []string
		how := bySum // the tick, the settle timer, a notifier error
		select {
		case <-w.ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			names, how = append(names, ev.Name), byStat
			// A rename-replace comes as a burst: look once for all of it.
			for more := true; more; {
				select {
				case ev, ok := <-events:
					if ok {
						names = append(names, ev.Name)
					}
					more = ok
				default:
					more = false
				}
			}
		case _, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			// Events may have been lost (a full queue): look as the tick does.
		case <-tick.C:
		case <-settle.C:
		}
		if again := w.look(names, how); !again.IsZero() {
			settle.Reset(time.Until(again))
		}
	}
}

// look looks at the files (reading those that changed, those an event
// names, and others as how says) and reloads when their contents call for
// it. It returns when to look again for an in-place change to settle
// (zero: no need).
func (w *Watcher) look(names []string, how reading) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx.Err() != nil {
		return time.Time{}
	}
	if names == nil {
		w.watchFolders() // the tick: retry folders that could not be watched
	}
	named := map[string]bool{}
	for _, n := range names {
		named[filepath.Clean(n)] = true
	}
	now := time.Now()
	for _, f := range w.files.files {
		clean := filepath.Clean(f.path)
		h := how
		if named[clean] || named[filepath.Dir(clean)] {
			h = always
		}
		f.look(now, h)
	}
	reload, again := w.files.decide(now)
	if reload {
		w.reload()
	}
	return again
}

// reload builds the material from the files' latest contents, swaps it
// in and calls OnReload, or keeps the material in use and calls OnError.
func (w *Watcher) reload() {
	data, err := w.files.contents()
	var m *Material
	if err == nil {
		m, err = load(w.args, w.opts.LoadOptions, data)
	}
	if err != nil {
		w.files.refused()
		if w.opts.OnError != nil {
			w.opts.OnError(err)
		}
		return
	}
	w.files.adopted()
	w.current.Store(m)
	if w.opts.OnReload != nil {
		w.opts.OnReload(m)
	}
}
