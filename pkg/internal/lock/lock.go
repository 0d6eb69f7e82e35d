// Package lock is the update lock of a store file: merge --append and
// remove take it around their read-modify-write, so that concurrent
// updaters run one after the other and none loses an entry.
//
// The lock is a file beside the store, STORE.lock, holding the process ID
// and host name of its owner ("1234 ws01"), and locked by the operating
// system (flock(2) on Unix, LockFileEx on Windows) while it is owned. The
// operating system drops that lock when its owner dies, however it dies:
// a STORE.lock left behind by a killed process is taken over at once (and
// reported), never waited for. The owner removes the file when it is done.
package lock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrLocked: another process holds the update lock of a store.
var ErrLocked = errors.New("another process is updating the file")

// lockPoll is how often a busy lock is retried.
const lockPoll = 25 * time.Millisecond

// released is what an owner writes into the lock file before it removes
// it: a waiter that locks such a file (one being removed, or left by an
// owner that died while removing it) takes it for gone.
const released = "released\n"

// Holder is the owner of a lock, as the lock file names it.
type Holder struct {
	// PID is the owner's process ID; 0 when the file does not say (its
	// owner has not written it yet, or it was made by something else).
	PID int
	// Host is the owner's host name (lock files on a shared folder).
	Host string
}

// String is "PID 1234" or "PID 1234 on host ws01" (when Host is not
// this machine's name), or "another process" when the PID is unknown.
func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	s := "PID " + strconv.Itoa(h.PID)
	if h.Host != "" && h.Host != hostname() {
		s += " on host " + h.Host
	}
	return s
}

// LockedError: the lock was still held when the wait ended.
type LockedError struct {
	// File is the lock file (STORE.lock).
	File string
	// Holder owns the lock, as far as its file says.
	Holder Holder
	// Waited is how long the wait lasted.
	Waited time.Duration
	// Cause is why the lock file could not even be opened, when that is
	// what the wait saw last and the holder is unknown (on Windows, a
	// file being removed, or open elsewhere without sharing).
	Cause error
}

func (e *LockedError) Error() string {
	s := fmt.Sprintf("%s: %s holds %s (waited %v)", ErrLocked, e.Holder, e.File, Waited(e.Waited))
	if e.Cause != nil {
		s += " (" + e.Cause.Error() + ")"
	}
	return s
}

// Unwrap makes errors.Is(err, ErrLocked) true, and keeps the cause.
func (e *LockedError) Unwrap() []error {
	if e.Cause != nil {
		return []error{ErrLocked, e.Cause}
	}
	return []error{ErrLocked}
}

// Options say how ForUpdate waits.
type Options struct {
	// Timeout bounds the wait for another owner: then ForUpdate fails
	// with a *LockedError. Zero waits as long as ctx allows; a negative
	// value tries once.
	Timeout time.Duration
	// NoticeAfter is how long ForUpdate waits before it calls OnWait.
	NoticeAfter time.Duration
	// OnWait, if set, is called once the wait has lasted NoticeAfter,
	// with the lock file and its owner, and again when the owner changes.
	OnWait func(file string, h Holder)
	// OnStale, if set, is called when ForUpdate takes over a lock file
	// that an owner left behind (it died without removing it).
	OnStale func(file string, h Holder)
}

// File is the lock file of the store at path.
func File(path string) string { return path + ".lock" }

// ForUpdate takes the update lock of the store at path: it creates or
// opens path's lock file, locks it, and writes its own PID and host name
// into it. While another process holds the lock, ForUpdate polls until
// the lock is free, opts.Timeout has passed (a *LockedError) or ctx is
// done (ctx's cause, wrapped). The returned function releases the lock
// and removes the file.
func ForUpdate(ctx context.Context, path string, opts Options) (release func(), err error) {
	name := File(path)
	start := time.Now()
	var deadline <-chan time.Time
	if opts.Timeout != 0 {
		t := time.NewTimer(max(opts.Timeout, 0))
		defer t.Stop()
		deadline = t.C
	}
	var notice <-chan time.Time
	if opts.OnWait != nil {
		t := time.NewTimer(opts.NoticeAfter)
		defer t.Stop()
		notice = t.C
	}
	var (
		last     Holder
		noticed  bool
		told     Holder
		transErr error // the last error that was taken for a busy lock
	)
	for {
		f, busy, terr, err := tryOnce(name)
		if err != nil {
			return nil, fmt.Errorf("%s: lock: %w", path, err)
		}
		if !busy {
			prev, err := readHolder(f)
			if err == nil && string(prev) == released {
				// A file being removed by its last owner, or left by an
				// owner that died while removing it: not a lock.
				if same, _ := sameFile(f, name); same {
					os.Remove(name)
				}
				unlock(f)
				f.Close()
				continue
			}
			if same, err := sameFile(f, name); err != nil || !same {
				// Removed or replaced while we locked it: lock the
				// file that is there now.
				unlock(f)
				f.Close()
				continue
			}
			if h := parseHolder(prev); h.PID != 0 && opts.OnStale != nil {
				opts.OnStale(name, h)
			}
			if err := writeHolder(f); err != nil {
				os.Remove(name)
				unlock(f)
				f.Close()
				return nil, fmt.Errorf("%s: lock: %w", path, err)
			}
			return func() {
				// Said released, removed, then unlocked: a waiter that
				// already holds this file open sees that it is gone.
				f.WriteAt([]byte(released), 0)
				f.Truncate(int64(len(released)))
				os.Remove(name)
				unlock(f)
				f.Close()
			}, nil
		}
		transErr = terr
		if f != nil {
			if b, err := readHolder(f); err == nil && string(b) != released {
				last = parseHolder(b)
			}
			f.Close()
		}
		if noticed && last != told && opts.OnWait != nil {
			told = last
			opts.OnWait(name, last)
		}
		if opts.Timeout < 0 {
			return nil, lockedError(path, name, last, start, transErr)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: %w", path, context.Cause(ctx))
		case <-deadline:
			return nil, lockedError(path, name, last, start, transErr)
		case <-notice:
			noticed, told = true, last
			opts.OnWait(name, last)
		case <-time.After(lockPoll):
		}
	}
}

// lockedError is the error of a wait that ended with the lock still
// held; when the lock file could not even be opened, that error is kept.
func lockedError(path, name string, h Holder, start time.Time, cause error) error {
	le := &LockedError{File: name, Holder: h, Waited: time.Since(start)}
	if h.PID == 0 {
		le.Cause = cause
	}
	return fmt.Errorf("%s: %w", path, le)
}

// maxHolder bounds what is read of a lock file.
const maxHolder = 256

func readHolder(f *os.File) ([]byte, error) {
	b := make([]byte, maxHolder)
	n, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:n], nil
}

// parseHolder reads "PID HOST\n"; anything else is an unknown holder.
func parseHolder(b []byte) Holder {
	fields := strings.Fields(string(bytes.TrimSpace(b)))
	if len(fields) == 0 {
		return Holder{}
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return Holder{}
	}
	h := Holder{PID: pid}
	if len(fields) > 1 {
		h.Host = fields[1]
	}
	return h
}

// writeHolder replaces the file's content with this process's PID and
// host name.
func writeHolder(f *os.File) error {
	line := strconv.Itoa(os.Getpid())
	if h := hostname(); h != "" {
		line += " " + h
	}
	line += "\n"
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(line), 0)
	return err
}

// hostname is this machine's name, without spaces ("" when unknown).
func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(h), "_")
}

// Waited is how a wait's length is said: whole seconds from a second up.
func Waited(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
