package connector

import (
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/uccert/uccert/pkg/internal/limitio"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/krb5conf"
)

// fileSet follows the files a Watcher's material is built from: what
// each holds now, what the material in use was built from, and what the
// last refused rotation held. It decides when a change is a rotation to
// try. It has no goroutine and no clock of its own: the Watcher passes
// the time.
type fileSet struct {
	// settle is how long a file written in place must keep the same
	// content before it is used (half the Watcher's interval).
	settle time.Duration
	files  []*watchedFile
}

// watchedFile is one file of the arguments.
type watchedFile struct {
	path string
	read func(string) ([]byte, error) // within the file kind's limit
	// last is what the file held at the latest look; good what the
	// material in use was built from; refused what the last refused
	// rotation read (nil: none since the last swap).
	last, good, refused *fileState
}

// fileState is a file's content as read once (or the error of reading
// it), with what os.Stat said of it.
type fileState struct {
	info fs.FileInfo // nil when Stat failed
	data []byte
	sum  [sha256.Size]byte
	err  error
	// since is when this content was first seen; whole says it came as a
	// new file (renamed over the old one or created anew), finished when
	// it appeared, so it needs no settling time.
	since time.Time
	whole bool
	// steady says the file's size and time did not change while it was
	// read.
	steady bool
}

// newFileSet returns the files of a, each once, not yet read.
func newFileSet(a *Args, settle time.Duration) *fileSet {
	s := &fileSet{settle: settle}
	seen := map[string]bool{}
	add := func(path string, read func(string) ([]byte, error)) {
		if path == "" || seen[path] {
			return
		}
		seen[path] = true
		s.files = append(s.files, &watchedFile{path: path, read: read})
	}
	add(a.CertStore.File, keystore.ReadFile)
	add(a.KeyStore.File, keystore.ReadFile)
	add(a.KrbConf, readKrb5)
	return s
}

// readKrb5 reads a krb5.conf within krb5conf's limit; errors name the
// path, as keystore.ReadFile's do.
func readKrb5(path string) ([]byte, error) {
	data, err := krb5conf.ReadFile(path)
	return data, limitio.NamePath(path, err)
}

// same reports whether s and o hold the same content (or fail to be read
// the same way).
func (s *fileState) same(o *fileState) bool {
	if s == nil || o == nil {
		return s == o
	}
	if (s.err != nil) != (o.err != nil) {
		return false
	}
	if s.err != nil {
		return s.err.Error() == o.err.Error()
	}
	return s.sum == o.sum
}

// sameStat reports whether two Stat results look like the same file,
// unchanged: the same file (device and inode, or volume and index), size
// and modification time.
func sameStat(a, b fs.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// reading says when a look reads a file whose Stat did not change.
type reading int

const (
	// byStat: Stat alone (a notification about another file of the
	// folder).
	byStat reading = iota
	// bySum also reads files up to sumLimit bytes, to compare their
	// SHA-256: a file rewritten in place with the same size within the
	// file system's time resolution has the same Stat (the polling tick).
	bySum
	// always reads (a notification about the file itself).
	always
)

// sumLimit is the largest file that bySum reads whatever its Stat: a
// store of a few dozen entries.
const sumLimit = 64 << 10

// look updates f.last. The file is read when Stat tells it changed, when
// its content is a change not yet judged (to see that it stays the same
// while it settles), or as how says; else Stat alone is the look.
func (f *watchedFile) look(now time.Time, how reading) {
	info, _ := os.Stat(f.path)
	if info != nil {
		// On Windows, SameFile reads a file's identity when first asked,
		// from the path: ask now, before the path can name another file.
		os.SameFile(info, info)
	}
	prev := f.last
	pending := prev != nil && !prev.same(f.good) && !prev.same(f.refused)
	read := how == always || pending || prev == nil || !sameStat(prev.info, info) ||
		how == bySum && info != nil && info.Size() <= sumLimit
	if !read {
		return
	}
	cur := &fileState{info: info}
	data, err := f.read(f.path)
	after, _ := os.Stat(f.path)
	cur.steady = sameStat(info, after)
	if err != nil {
		cur.err = err
	} else {
		cur.data, cur.sum = data, sha256.Sum256(data)
		if cur.data == nil {
			cur.data = []byte{} // nil would make check read the file again
		}
	}
	switch {
	case prev.same(cur) && cur.steady:
		cur.since, cur.whole = prev.since, prev.whole
	default:
		cur.since = now
		// A file that is another file than before (or that did not exist)
		// was renamed over the old one or created: finished, unless it
		// changed while it was read.
		cur.whole = cur.err == nil && cur.steady && (prev == nil || prev.info == nil || !os.SameFile(prev.info, info))
	}
	f.last = cur
}

// decide says what the latest contents call for: a reload now, nothing
// (they are the material's, or were refused already), or another look at
// the time returned, when an in-place change has not settled yet.
func (s *fileSet) decide(now time.Time) (reload bool, again time.Time) {
	changed, refused := false, true
	for _, f := range s.files {
		if !f.last.same(f.good) {
			changed = true
		}
		if !f.last.same(f.refused) {
			refused = false
		}
	}
	if !changed {
		// Back to what is in use (a refused file put back): nothing to do,
		// and a later copy of the refused content is news again.
		for _, f := range s.files {
			f.refused = nil
		}
		return false, time.Time{}
	}
	if refused {
		return false, time.Time{}
	}
	for _, f := range s.files {
		if f.last.same(f.good) || f.last.whole {
			continue
		}
		if t := f.last.since.Add(s.settle); now.Before(t) && t.After(again) {
			again = t
		}
	}
	return again.IsZero(), again
}

// contents returns the latest content of every file, or the errors of
// reading them.
func (s *fileSet) contents() (contents, error) {
	out := contents{}
	var errs []error
	for _, f := range s.files {
		if f.last.err != nil {
			errs = append(errs, f.last.err)
			continue
		}
		out[f.path] = f.last.data
	}
	if len(errs) == 1 {
		return out, errs[0]
	}
	return out, errors.Join(errs...)
}

// adopted records that the latest contents are the material's.
func (s *fileSet) adopted() {
	for _, f := range s.files {
		f.good, f.refused = f.last, nil
	}
}

// refused records that the latest contents were refused.
func (s *fileSet) refused() {
	for _, f := range s.files {
		f.refused = f.last
	}
}
