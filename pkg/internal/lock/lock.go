// Package lock is the update lock of a store file: merge --append and
// remove take it around their read-modify-write, so that concurrent
// updaters run one after the other and none loses an entry.
package lock

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrLocked: another process holds the update lock of a store.
var ErrLocked = errors.New("another process is updating the file")

// lockPoll is how often a busy lock is retried.
const lockPoll = 25 * time.Millisecond

// ForUpdate takes an exclusive lock for a read-modify-write of the
// store at path (merge --append): concurrent updaters run one after the
// other, and each reads what the previous one wrote, so no entry is
// lost. It waits until ctx is done, then fails with ErrLocked. The
// returned function releases the lock.
//
// On Unix the lock is flock(2) on the file itself, re-taken when the file
// was replaced while waiting; elsewhere it is a PATH.lock file created
// exclusively and removed on release.
func ForUpdate(ctx context.Context, path string) (release func(), err error) {
	for {
		release, busy, err := tryLock(path)
		if err != nil {
			return nil, fmt.Errorf("%s: lock: %w", path, err)
		}
		if !busy {
			return release, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: %w (%s)", path, ErrLocked, lockHint(path))
		case <-time.After(lockPoll):
		}
	}
}
