package connector

import (
	"context"
	"crypto/tls"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/krb5conf"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/uccert/uccert/pkg/preflight"
)

// Serials of the fixtures' fe1 certificates (fixtures/README.md).
const (
	serialFE1        = "2000" // pki/fe1.pem
	serialFE1Renewed = "2201" // pki/fe1-renewed.pem
)

const (
	fe1Host = "fe1.uc.example.com"
	fe2Host = "fe2.uc.example.com"
)

// export is a Front End export of fixtures/exports and its password.
type export struct{ file, pass string }

var (
	exportUCC        = export{"ucc-openssl.pfx", "ucc-export"}
	exportFE1        = export{"fe1-openssl.pfx", "fe1-export"}
	exportFE1Renewed = export{"fe1-renewed.pfx", "fe1-renewed"}
	exportFE2        = export{"fe2-legacy.pfx", "fe2-export"}
)

// storeBytes merges exports into a JKS cert store protected by pass, as
// uccert merge does, and returns its bytes.
func storeBytes(t testing.TB, pass string, exports ...export) []byte {
	t.Helper()
	var inputs []merge.Input
	for _, e := range exports {
		s, err := keystore.Load(filepath.Join(fx, "exports", e.file), keystore.DecodeOptions{Password: pw(e.pass)})
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, merge.Input{Name: e.file, Store: s})
	}
	res, err := merge.Merge(inputs, merge.Options{Format: keystore.FormatJKS})
	if err != nil {
		t.Fatal(err)
	}
	data, err := keystore.Encode(res.Store, keystore.EncodeOptions{Format: keystore.FormatJKS, Password: pw(pass)})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// stores are the cert stores the tests rotate between.
type stores struct {
	a, b      []byte // ucc, fe1 (a) or fe1-renewed (b), fe2; password changeit1
	noFE2     []byte // ucc, fe1-renewed
	otherPass []byte // b under the password newpass99
}

func makeStores(t testing.TB) stores {
	t.Helper()
	return stores{
		a:         storeBytes(t, "changeit1", exportUCC, exportFE1, exportFE2),
		b:         storeBytes(t, "changeit1", exportUCC, exportFE1Renewed, exportFE2),
		noFE2:     storeBytes(t, "changeit1", exportUCC, exportFE1Renewed),
		otherPass: storeBytes(t, "newpass99", exportUCC, exportFE1Renewed, exportFE2),
	}
}

// replaceFile writes data to a new file and renames it over path, as
// uccert merge and most tools do.
func replaceFile(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// writeInPlace truncates path and writes data into the same file, as a
// tool that does not replace files does.
func writeInPlace(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// watchArgs copies the trust store into a new folder, writes certStore
// there as ucc.jks and returns the arguments naming them.
func watchArgs(t testing.TB, certStore []byte) *Args {
	t.Helper()
	dir := t.TempDir()
	trust, err := os.ReadFile(filepath.Join(fx, "stores", "truststore.jks"))
	if err != nil {
		t.Fatal(err)
	}
	a := &Args{
		CertStore: StoreArgs{File: filepath.Join(dir, "ucc.jks"), Pass: pw("changeit1"), HasPass: true, Type: "jks"},
		KeyStore:  StoreArgs{File: filepath.Join(dir, "trust.jks"), Pass: pw("trustpass1"), HasPass: true, Type: "jks"},
	}
	if err := os.WriteFile(a.CertStore.File, certStore, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a.KeyStore.File, trust, 0o600); err != nil {
		t.Fatal(err)
	}
	return a
}

var watchLoad = LoadOptions{Host: "ucc.uc.example.com", FEs: []string{fe1Host, fe2Host}}

// served returns the serial (hex) of the key entry serving name.
func served(t testing.TB, m *Material, name string) string {
	t.Helper()
	for _, e := range m.Keys.Entries {
		if e.Kind == keystore.KindKey && slices.Contains(e.Leaf().DNSNames, name) {
			return e.Leaf().SerialNumber.Text(16)
		}
	}
	t.Fatalf("no key entry serves %s", name)
	return ""
}

// events records a Watcher's callbacks.
type events struct {
	reloads chan *Material
	errs    chan error
}

func newEvents() *events {
	return &events{reloads: make(chan *Material, 100), errs: make(chan error, 100)}
}

func (e *events) options(opts WatchOptions) WatchOptions {
	opts.OnReload = func(m *Material) { e.reloads <- m }
	opts.OnError = func(err error) { e.errs <- err }
	return opts
}

// patience bounds every wait of these tests: reaching it is a failure,
// not a measurement (rotations take a few intervals of 50 ms).
const patience = 20 * time.Second

func (e *events) reload(t *testing.T) *Material {
	t.Helper()
	select {
	case m := <-e.reloads:
		return m
	case err := <-e.errs:
		t.Fatalf("OnError(%v), want OnReload", err)
	case <-time.After(patience):
		t.Fatal("no OnReload")
	}
	return nil
}

func (e *events) refused(t *testing.T) error {
	t.Helper()
	select {
	case m := <-e.reloads:
		t.Fatalf("OnReload (fe1 serial %s), want OnError", served(t, m, fe1Host))
	case err := <-e.errs:
		return err
	case <-time.After(patience):
		t.Fatal("no OnError")
	}
	return nil
}

// quiet fails when a callback has been called.
func (e *events) quiet(t *testing.T) {
	t.Helper()
	select {
	case m := <-e.reloads:
		t.Fatalf("unexpected OnReload (fe1 serial %s)", served(t, m, fe1Host))
	case err := <-e.errs:
		t.Fatalf("unexpected OnError(%v)", err)
	default:
	}
}

// startWatch starts a Watcher (with notifications or polling only) that
// the test closes at its end.
func startWatch(t *testing.T, a *Args, opts WatchOptions, cfg watchConfig) *Watcher {
	t.Helper()
	if opts.Interval == 0 {
		opts.Interval = 50 * time.Millisecond
	}
	w, err := watch(context.Background(), a, opts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// lookNow makes w look at every file now, reading each, as a
// notification would.
func lookNow(w *Watcher) { w.look(nil, always) }

func TestWatchFirstLoadMustSucceed(t *testing.T) {
	st := makeStores(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		store []byte
		args  func(*Args) *Args
		ctx   context.Context
		check finding.Check
		is    error
	}{
		{name: "wrong password", store: st.otherPass, check: preflight.CheckStoreWrongPassword, is: keystore.ErrIncorrectPassword},
		{name: "missing Front End", store: st.noFE2, check: preflight.CheckFEIdentityMissing},
		{name: "truncated", store: st.a[:len(st.a)/2], check: preflight.CheckStoreUnreadable},
		{name: "missing file", store: st.a, args: func(a *Args) *Args { a.CertStore.File += ".gone"; return a }, is: fs.ErrNotExist},
		{name: "missing krb5.conf", store: st.a, args: func(a *Args) *Args { a.KrbConf = a.CertStore.File + ".conf"; return a }, is: fs.ErrNotExist},
		{name: "no arguments", args: func(*Args) *Args { return nil }, is: ErrNoArgs},
		{name: "ended context", store: st.a, ctx: cancelled, is: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := watchArgs(t, tc.store)
			if tc.args != nil {
				a = tc.args(a)
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			w, err := Watch(ctx, a, WatchOptions{LoadOptions: watchLoad, Interval: 50 * time.Millisecond})
			if w != nil || err == nil {
				t.Fatalf("Watch = %v, %v; want an error", w, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if tc.check != "" {
				var failed *finding.Failed
				if !errors.As(err, &failed) || !slices.ContainsFunc(failed.Findings, func(f finding.Finding) bool { return f.Check == tc.check }) {
					t.Errorf("error %v: want a *finding.Failed with %s", err, tc.check)
				}
			}
			if strings.Contains(err.Error(), "changeit1") || strings.Contains(err.Error(), "trustpass1") {
				t.Errorf("error shows a password: %v", err)
			}
			noWatcherLeft(t)
		})
	}
}

// A store replaced by rename is taken at once, with notifications or by
// polling alone; ServerConfig serves it, ClientConfig gives it.
func TestWatchRotationByRename(t *testing.T) {
	st := makeStores(t)
	for _, tc := range []struct {
		name string
		cfg  watchConfig
	}{{"notify", watchConfig{}}, {"poll", watchConfig{noNotify: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			a := watchArgs(t, st.a)
			ev := newEvents()
			w := startWatch(t, a, ev.options(WatchOptions{LoadOptions: watchLoad}), tc.cfg)
			first := w.Current()
			if got := served(t, first, fe1Host); got != serialFE1 {
				t.Fatalf("first load serves fe1 serial %s, want %s", got, serialFE1)
			}
			server := w.ServerConfig()
			for i, want := range []string{serialFE1Renewed, serialFE1, serialFE1Renewed} {
				data := st.b
				if want == serialFE1 {
					data = st.a
				}
				replaceFile(t, a.CertStore.File, data)
				m := ev.reload(t)
				if got := served(t, m, fe1Host); got != want {
					t.Errorf("rotation %d: fe1 serial %s, want %s", i, got, want)
				}
				if w.Current() != m {
					t.Errorf("rotation %d: Current is not the material OnReload got", i)
				}
				if w.ServerConfig() != server {
					t.Error("ServerConfig changed")
				}
				cfg, err := server.GetConfigForClient(&tls.ClientHelloInfo{ServerName: fe1Host})
				if err != nil || cfg != m.TLS {
					t.Errorf("rotation %d: GetConfigForClient = %p, %v; want the new material's config %p", i, cfg, err, m.TLS)
				}
				client := w.ClientConfig()
				if client == m.TLS || client.GetClientCertificate == nil || client.RootCAs == nil {
					t.Errorf("rotation %d: ClientConfig is not a copy of the material's config", i)
				}
			}
			if served(t, first, fe1Host) != serialFE1 {
				t.Error("the first material changed")
			}
			ev.quiet(t)
		})
	}
}

// Kubernetes mounts a secret as symbolic links into a folder that it
// swaps whole (..data -> ..2026_12_01...): the store's own name sees no
// event, its Stat does (os.Stat follows the links).
func TestWatchSymlinkSwap(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows; the rule is the same as for a rename")
	}
	st := makeStores(t)
	a := watchArgs(t, st.a)
	dir := filepath.Dir(a.CertStore.File)
	version := func(name string, data []byte) {
		if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "ucc.jks"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(name, filepath.Join(dir, "..data_tmp")); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	version("..v1", st.a)
	os.Remove(a.CertStore.File)
	if err := os.Symlink(filepath.Join("..data", "ucc.jks"), a.CertStore.File); err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	startWatch(t, a, ev.options(WatchOptions{LoadOptions: watchLoad, Interval: time.Hour}), watchConfig{})
	version("..v2", st.b)
	if got := served(t, ev.reload(t), fe1Host); got != serialFE1Renewed {
		t.Errorf("fe1 serial %s, want %s", got, serialFE1Renewed)
	}
}

// A file written in place is taken once it has settled (here: the loop;
// TestFileSetSettles shows the rule step by step).
func TestWatchInPlaceWrite(t *testing.T) {
	st := makeStores(t)
	a := watchArgs(t, st.a)
	ev := newEvents()
	w := startWatch(t, a, ev.options(WatchOptions{LoadOptions: watchLoad}), watchConfig{})
	writeInPlace(t, a.CertStore.File, st.b)
	m := ev.reload(t)
	if got := served(t, m, fe1Host); got != serialFE1Renewed || w.Current() != m {
		t.Errorf("fe1 serial %s, want %s", got, serialFE1Renewed)
	}
	ev.quiet(t)
}

// The stability rule, with the time given: a half-written file is not
// tried while it changes; it is tried once it has kept the same content
// for half an interval. A file renamed over is tried at once.
func TestFileSetSettles(t *testing.T) {
	st := makeStores(t)
	a := watchArgs(t, st.a)
	const settle = time.Second
	s := newFileSet(a, settle)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, f := range s.files {
		f.look(t0, always)
	}
	s.adopted()
	cert := s.files[0]
	step := func(now time.Time, wantReload bool, wantAgain time.Time) {
		t.Helper()
		for _, f := range s.files {
			f.look(now, always)
		}
		reload, again := s.decide(now)
		if reload != wantReload || !again.Equal(wantAgain) {
			t.Fatalf("at t0+%v: reload %v, again t0+%v; want %v, t0+%v", now.Sub(t0), reload, again.Sub(t0), wantReload, wantAgain.Sub(t0))
		}
	}
	// Unchanged: nothing to do.
	step(t0.Add(time.Second), false, time.Time{})
	// Half of the new store written in place: wait for it to settle.
	half := st.b[:len(st.b)/2]
	writeInPlace(t, a.CertStore.File, half)
	step(t0.Add(2*time.Second), false, t0.Add(3*time.Second))
	// The rest arrives before: the settling starts again.
	f, err := os.OpenFile(a.CertStore.File, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(st.b[len(half):])
	f.Close()
	step(t0.Add(2500*time.Millisecond), false, t0.Add(3500*time.Millisecond))
	step(t0.Add(3*time.Second), false, t0.Add(3500*time.Millisecond))
	// Settled: try it, with exactly the bytes written.
	step(t0.Add(3500*time.Millisecond), true, time.Time{})
	data, err := s.contents()
	if err != nil || string(data[a.CertStore.File]) != string(st.b) {
		t.Fatalf("contents: %d bytes, %v; want the new store", len(data[a.CertStore.File]), err)
	}
	s.adopted()
	step(t0.Add(4*time.Second), false, time.Time{})
	// Renamed over: at once.
	replaceFile(t, a.CertStore.File, st.a)
	step(t0.Add(5*time.Second), true, time.Time{})
	// Refused: not tried again while it stays; a copy of the material's
	// content puts things back; the refused content is news again after.
	s.refused()
	step(t0.Add(6*time.Second), false, time.Time{})
	writeInPlace(t, a.CertStore.File, st.b)
	step(t0.Add(7*time.Second), false, time.Time{})
	if cert.refused != nil {
		t.Error("the refusal outlived the return to the material's content")
	}
	replaceFile(t, a.CertStore.File, st.a)
	step(t0.Add(8*time.Second), true, time.Time{})
	s.adopted()
	// A deleted file settles too (a tool may delete, then create).
	s.refused()
	if err := os.Remove(a.CertStore.File); err != nil {
		t.Fatal(err)
	}
	step(t0.Add(9*time.Second), false, t0.Add(10*time.Second))
	step(t0.Add(10*time.Second), true, time.Time{})
	if _, err := s.contents(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("contents of a deleted file: %v", err)
	}
	s.refused()
	step(t0.Add(11*time.Second), false, time.Time{})
	// Back, then deleted again: a refusal from before the last swap does
	// not silence the same problem after it.
	replaceFile(t, a.CertStore.File, st.b)
	step(t0.Add(12*time.Second), true, time.Time{})
	s.adopted()
	if err := os.Remove(a.CertStore.File); err != nil {
		t.Fatal(err)
	}
	step(t0.Add(13*time.Second), false, t0.Add(14*time.Second))
	step(t0.Add(14*time.Second), true, time.Time{})
}

// Polling reads nothing while the files' Stat does not change.
func TestFileSetPollsByStat(t *testing.T) {
	st := makeStores(t)
	a := watchArgs(t, st.a)
	s := newFileSet(a, time.Second)
	now := time.Now()
	reads := 0
	for _, f := range s.files {
		read := f.read
		f.read = func(p string) ([]byte, error) { reads++; return read(p) }
		f.look(now, always)
	}
	s.adopted()
	reads = 0
	for range 3 {
		for _, f := range s.files {
			f.look(now, byStat)
		}
	}
	if reads != 0 {
		t.Errorf("%d reads of unchanged files", reads)
	}
	replaceFile(t, a.CertStore.File, st.b)
	for _, f := range s.files {
		f.look(now, byStat)
	}
	if reads != 1 {
		t.Errorf("%d reads after one file changed, want 1", reads)
	}
}

// A file rewritten in place with the same size and time (a coarse file
// system clock) has the same Stat: the polling tick compares the SHA-256
// of small files.
func TestFileSetSumsSmallFiles(t *testing.T) {
	st := makeStores(t)
	a := watchArgs(t, st.a)
	s := newFileSet(a, time.Second)
	t0 := time.Now()
	for _, f := range s.files {
		f.look(t0, always)
	}
	s.adopted()
	fi, err := os.Stat(a.CertStore.File)
	if err != nil {
		t.Fatal(err)
	}
	same := slices.Clone(st.a)
	same[len(same)-1] ^= 1 // the JKS digest: another content, the same size
	writeInPlace(t, a.CertStore.File, same)
	if err := os.Chtimes(a.CertStore.File, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	look := func(now time.Time, how reading) bool {
		for _, f := range s.files {
			f.look(now, how)
		}
		_, again := s.decide(now)
		return !again.IsZero()
	}
	if look(t0.Add(time.Second), byStat) {
		t.Fatal("Stat alone saw the change: the test proves nothing")
	}
	if !look(t0.Add(2*time.Second), bySum) {
		t.Error("the tick did not see the change")
	}
	// A file over sumLimit is left to Stat.
	big := newFileSet(&Args{KrbConf: filepath.Join(t.TempDir(), "krb5.conf")}, time.Second)
	if err := os.WriteFile(big.files[0].path, make([]byte, sumLimit+1), 0o600); err != nil {
		t.Fatal(err)
	}
	big.files[0].look(t0, always)
	big.adopted()
	reads := 0
	big.files[0].read = func(p string) ([]byte, error) { reads++; return readKrb5(p) }
	big.files[0].look(t0, bySum)
	if reads != 0 {
		t.Errorf("a file of %d bytes was read by the tick", sumLimit+1)
	}
}

// Bad rotations keep the last good material, call OnError once with the
// findings or the read error, and the next good rotation is taken.
func TestWatchBadRotations(t *testing.T) {
	st := makeStores(t)
	for _, tc := range []struct {
		name  string
		apply func(t *testing.T, a *Args)
		check finding.Check
		is    error
	}{
		{name: "wrong password", apply: func(t *testing.T, a *Args) { replaceFile(t, a.CertStore.File, st.otherPass) },
			check: preflight.CheckStoreWrongPassword, is: keystore.ErrIncorrectPassword},
		{name: "missing Front End", apply: func(t *testing.T, a *Args) { replaceFile(t, a.CertStore.File, st.noFE2) },
			check: preflight.CheckFEIdentityMissing},
		{name: "truncated in place", apply: func(t *testing.T, a *Args) { writeInPlace(t, a.CertStore.File, st.b[:len(st.b)-100]) },
			check: preflight.CheckStoreUnreadable},
		{name: "not a store", apply: func(t *testing.T, a *Args) { replaceFile(t, a.CertStore.File, []byte("not a store\n")) },
			check: preflight.CheckStoreUnreadable, is: keystore.ErrUnknownFormat},
		{name: "deleted", apply: func(t *testing.T, a *Args) {
			if err := os.Remove(a.CertStore.File); err != nil {
				t.Fatal(err)
			}
		}, is: fs.ErrNotExist},
		{name: "trust store deleted", apply: func(t *testing.T, a *Args) {
			if err := os.Remove(a.KeyStore.File); err != nil {
				t.Fatal(err)
			}
		}, is: fs.ErrNotExist},
		{name: "trust store emptied", apply: func(t *testing.T, a *Args) {
			data, err := os.ReadFile(filepath.Join(fx, "stores", "truststore-empty.jks"))
			if err != nil {
				t.Fatal(err)
			}
			replaceFile(t, a.KeyStore.File, data)
		}, check: preflight.CheckTruststoreEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := watchArgs(t, st.a)
			ev := newEvents()
			w := startWatch(t, a, ev.options(WatchOptions{LoadOptions: watchLoad}), watchConfig{})
			good := w.Current()
			tc.apply(t, a)
			err := ev.refused(t)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("OnError(%v): not %v", err, tc.is)
			}
			if tc.check != "" {
				var failed *finding.Failed
				if !errors.As(err, &failed) || !slices.ContainsFunc(failed.Findings, func(f finding.Finding) bool { return f.Check == tc.check }) {
					t.Errorf("OnError(%v): want a *finding.Failed with %s", err, tc.check)
				}
			}
			if w.Current() != good {
				t.Error("the last good material was not kept")
			}
			// Looking again at the same content reports nothing more.
			for range 3 {
				lookNow(w)
			}
			ev.quiet(t)
			// The next good rotation is taken.
			trust, _ := os.ReadFile(filepath.Join(fx, "stores", "truststore.jks"))
			replaceFile(t, a.KeyStore.File, trust)
			replaceFile(t, a.CertStore.File, st.b)
			m := ev.reload(t)
			if got := served(t, m, fe1Host); got != serialFE1Renewed {
				t.Errorf("after the repair: fe1 serial %s", got)
			}
		})
	}
}

// krb5.conf is watched as the stores are (tls-kerberos mode).
func TestWatchKrb5(t *testing.T) {
	dir := t.TempDir()
	trust, _ := os.ReadFile(filepath.Join(fx, "stores", "truststore.jks"))
	good, _ := os.ReadFile(filepath.Join(fx, "krb5", "good.conf"))
	multi, _ := os.ReadFile(filepath.Join(fx, "krb5", "good-multi-realm.conf"))
	a := &Args{
		CertStore: StoreArgs{File: filepath.Join(dir, "trust.jks"), Pass: pw("trustpass1"), HasPass: true, Type: "jks"},
		KrbConf:   filepath.Join(dir, "krb5.conf"),
	}
	if err := os.WriteFile(a.CertStore.File, trust, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a.KrbConf, good, 0o600); err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	w := startWatch(t, a, ev.options(WatchOptions{}), watchConfig{})
	if w.Current().Mode != ModeTLSKerberos || w.Current().Krb5 == nil {
		t.Fatalf("mode %v, krb5 %v", w.Current().Mode, w.Current().Krb5)
	}
	realms := func(m *Material) int { return len(m.Krb5.Realms) }
	before := realms(w.Current())
	replaceFile(t, a.KrbConf, multi)
	m := ev.reload(t)
	if realms(m) == before {
		t.Errorf("the new krb5.conf was not read: %d realms", realms(m))
	}
	if err := os.Remove(a.KrbConf); err != nil {
		t.Fatal(err)
	}
	if err := ev.refused(t); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OnError(%v): want a missing file", err)
	}
	if w.Current() != m {
		t.Error("the last good material was not kept")
	}
	var tooLarge = make([]byte, krb5conf.MaxSize+1)
	replaceFile(t, a.KrbConf, tooLarge)
	if err := ev.refused(t); !errors.Is(err, krb5conf.ErrTooLarge) {
		t.Errorf("OnError(%v): want a file too large", err)
	}
}

// Update takes new arguments at once (a changed password) or keeps the
// material and arguments in use.
func TestWatchUpdate(t *testing.T) {
	st := makeStores(t)
	a := watchArgs(t, st.a)
	ev := newEvents()
	w := startWatch(t, a, ev.options(WatchOptions{LoadOptions: watchLoad}), watchConfig{})
	good := w.Current()
	// The store is rewritten with a new password: refused until the
	// arguments say it.
	replaceFile(t, a.CertStore.File, st.otherPass)
	if err := ev.refused(t); !errors.Is(err, keystore.ErrIncorrectPassword) {
		t.Fatalf("OnError(%v)", err)
	}
	wrong := *a
	wrong.CertStore.Pass = pw("notthepass1")
	err := w.Update(&wrong)
	if !errors.Is(err, keystore.ErrIncorrectPassword) || w.Current() != good {
		t.Fatalf("Update with a wrong password: %v", err)
	}
	ev.quiet(t)
	next := *a
	next.CertStore.Pass = pw("newpass99")
	if err := w.Update(&next); err != nil {
		t.Fatal(err)
	}
	m := ev.reload(t)
	if w.Current() != m || served(t, m, fe1Host) != serialFE1Renewed {
		t.Fatal("Update did not swap the material")
	}
	// The new arguments are the ones watched: a later rotation under the
	// new password is taken.
	replaceFile(t, a.CertStore.File, storeBytes(t, "newpass99", exportUCC, exportFE1, exportFE2))
	if got := served(t, ev.reload(t), fe1Host); got != serialFE1 {
		t.Errorf("rotation after Update: fe1 serial %s", got)
	}
	// A store moved to another folder.
	moved := next
	moved.CertStore.File = filepath.Join(t.TempDir(), "moved.jks")
	if err := os.WriteFile(moved.CertStore.File, storeBytes(t, "newpass99", exportUCC, exportFE1Renewed, exportFE2), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Update(&moved); err != nil {
		t.Fatal(err)
	}
	ev.reload(t)
	replaceFile(t, moved.CertStore.File, storeBytes(t, "newpass99", exportUCC, exportFE1, exportFE2))
	if got := served(t, ev.reload(t), fe1Host); got != serialFE1 {
		t.Errorf("rotation in the new folder: fe1 serial %s", got)
	}
	if err := w.Update(nil); !errors.Is(err, ErrNoArgs) {
		t.Errorf("Update(nil) = %v", err)
	}
	w.Close()
	if err := w.Update(&next); !errors.Is(err, ErrWatcherClosed) {
		t.Errorf("Update after Close = %v", err)
	}
}

// Close and the end of the context stop the goroutine and the file
// notifications; the material stays usable.
func TestWatchStops(t *testing.T) {
	st := makeStores(t)
	for _, tc := range []struct {
		name string
		stop func(w *Watcher, cancel context.CancelFunc)
	}{
		{"Close", func(w *Watcher, _ context.CancelFunc) {
			if err := w.Close(); err != nil {
				t.Error(err)
			}
		}},
		{"Close twice", func(w *Watcher, _ context.CancelFunc) { w.Close(); w.Close() }},
		{"context", func(_ *Watcher, cancel context.CancelFunc) { cancel() }},
		{"context, then Close", func(w *Watcher, cancel context.CancelFunc) { cancel(); w.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := watchArgs(t, st.a)
			ev := newEvents()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := Watch(ctx, a, ev.options(WatchOptions{LoadOptions: watchLoad, Interval: 20 * time.Millisecond}))
			if err != nil {
				t.Fatal(err)
			}
			if !watcherRunning() {
				t.Fatal("no watcher goroutine seen: the leak check would prove nothing")
			}
			tc.stop(w, cancel)
			noWatcherLeft(t)
			if cfg, err := w.ServerConfig().GetConfigForClient(nil); err != nil || served(t, w.Current(), fe1Host) != serialFE1 || cfg != w.Current().TLS {
				t.Error("the material is not served after the watcher stopped")
			}
		})
	}
}

// watcherRunning reports whether a goroutine of a Watcher or of fsnotify
// is running.
func watcherRunning() bool {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	return strings.Contains(stacks, "connector.(*Watcher).run") || strings.Contains(stacks, "fsnotify")
}

// noWatcherLeft fails unless every Watcher goroutine and fsnotify's have
// ended (Close waits for them: this only allows for the scheduler).
func noWatcherLeft(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); watcherRunning(); {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines left running:\n%s", buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
