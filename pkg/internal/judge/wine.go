package judge

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bcryptPrimitivesSource is the C source of the bcryptprimitives.dll that
// every prefix gets: Go 1.24+ Windows programs abort at start without a
// ProcessPrng export, which Debian 12's Wine 8 lacks (see the file's comment).
//
//go:embed testdata/bcryptprimitives.c
var bcryptPrimitivesSource []byte

// wineLayout names the way the template prefix is built; change it when
// buildWineTemplate changes, so that cached templates are rebuilt.
const wineLayout = "uccert-wine-template-1"

// wineBootTimeout bounds the one-time creation of the template prefix
// (wineboot writes ~700 MB of Windows DLLs: 2 s on an idle machine, 4-7 s
// on a loaded one).
const wineBootTimeout = 3 * time.Minute

// wineDLLOverrides keeps wineboot from offering to install Mono and Gecko and
// from writing menu entries and file associations into $HOME.
const wineDLLOverrides = "mscoree,mshtml=;winemenubuilder.exe=d"

// WinePrefix is a Wine prefix in which tests run Windows builds of Go
// programs (GOOS=windows GOARCH=amd64). Get it with [Wine].
//
// Its C: drive belongs to this test process; its C:\windows is shared,
// read-only by convention, with every other test process of the same Wine
// version: it is a symbolic link to a template prefix that is built once per
// machine (wineboot, plus the bcryptprimitives.dll Go needs) and cached under
// the user cache directory (uccert-judge/wine-tpl-*, ~700 MB). The per-process
// part (uccert-judge/wine-run/PID-*, ~10 MB plus what the tests put on C:)
// is removed by a later test process once this one has exited.
//
// No display is needed and no console is attached: a program's stdin is a
// pipe or the NUL device, its stdout and stderr are files (see
// [WinePrefix.Start] for why). The prefix's wineserver and Wine's Windows
// services (winedevice.exe, ...) run detached from the test's output and
// exit by themselves one minute after the last Windows program (see
// wineLinger); nothing waits for them, so they cannot keep a test or
// "go test" waiting.
type WinePrefix struct {
	dir        string // WINEPREFIX
	wine       string // absolute path of wine (or wine64)
	wineserver string // absolute path of wineserver
}

// WineRun is how [WinePrefix.Run] runs a program.
type WineRun struct {
	// Env holds "NAME=value" entries added to the environment; Wine hands
	// the Unix environment to the Windows program.
	Env []string
	// Stdin is the program's standard input (a pipe); nil means the NUL
	// device.
	Stdin []byte
	// Dir is the working directory: a Linux path, or a Windows path on C:
	// or Z: (see [WinePrefix.LinuxPath]); "" means C:\.
	Dir string
}

// WineResult is what a finished Windows program left behind.
type WineResult struct {
	Stdout, Stderr string
	// ExitCode is the Windows exit code modulo 256, as Wine reports it.
	ExitCode int
}

// winePrefixOnce creates the test process's prefix on first use.
var winePrefixOnce = sync.OnceValues(newWinePrefix)

// Wine returns the test process's Wine prefix, creating it on first use:
// once per machine and Wine version the template (wineboot and a mingw
// build of the DLL: 3 s idle, 5-10 s loaded), then once per process the
// copy and a first program that starts Wine's services (0.3 s idle, up to
// 7 s loaded). After that a Go program runs in 20-60 ms. It requires wine
// (or wine64), wineserver and x86_64-w64-mingw32-gcc (see [Require]).
//
// Tests of one process share the prefix: a test that runs in parallel with
// others writes only below folders of its own (see [WinePrefix.TempDir]).
func Wine(t testing.TB) *WinePrefix {
	t.Helper()
	requireFound(t, "wine", findWine)
	requireFound(t, "wineserver", findWineserver)
	Require(t, "x86_64-w64-mingw32-gcc")
	w, err := winePrefixOnce()
	if err != nil {
		t.Fatalf("judge: creating the Wine prefix: %v", err)
	}
	return w
}

// requireFound is [Require] for a tool that find may find outside PATH.
func requireFound(t testing.TB, tool string, find func() (string, error)) string {
	t.Helper()
	if p, err := find(); err == nil {
		return p
	}
	return Require(t, tool)
}

// findWine finds Wine's program loader: wine or wine64 in PATH, else
// Debian's /usr/lib/wine/wine64 (the wine64 package alone puts nothing in
// PATH).
func findWine() (string, error) {
	for _, name := range []string{"wine", "wine64", "/usr/lib/wine/wine64"} {
		if p, err := lookTool(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("neither wine nor wine64 is installed")
}

// findWineserver finds wineserver in PATH, /usr/sbin, /sbin or Debian's
// /usr/lib/wine.
func findWineserver() (string, error) {
	for _, name := range []string{"wineserver", "/usr/lib/wine/wineserver"} {
		if p, err := lookTool(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("wineserver is not installed")
}

// wineEnv is the environment of every Wine process for prefix: this
// process's environment without a display (Wine must not open windows), a
// UTF-8 locale (Wine converts arguments and the environment with it), no
// debug output, no Mono/Gecko installation.
func wineEnv(prefix string, extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DISPLAY", "WAYLAND_DISPLAY", "WINEPREFIX", "WINEDEBUG", "WINEDLLOVERRIDES", "WINEARCH", "WINESERVER", "WINELOADER", "LC_ALL":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, utf8Env, "WINEPREFIX="+prefix, "WINEARCH=win64", "WINEDEBUG=-all", "WINEDLLOVERRIDES="+wineDLLOverrides)
	return append(env, extra...)
}

// wineCache is the folder holding the template prefixes and the per-process
// prefixes.
func wineCache() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "uccert-judge")
}

func newWinePrefix() (*WinePrefix, error) {
	wine, err := findWine()
	if err != nil {
		return nil, err
	}
	wineserver, err := findWineserver()
	if err != nil {
		return nil, err
	}
	mingw, err := lookTool("x86_64-w64-mingw32-gcc")
	if err != nil {
		return nil, err
	}
	w := &WinePrefix{wine: wine, wineserver: wineserver}
	tpl, err := wineTemplate(w, mingw)
	if err != nil {
		return nil, err
	}
	runs := filepath.Join(wineCache(), "wine-run")
	if err := os.MkdirAll(runs, 0o700); err != nil {
		return nil, err
	}
	pruneWineRuns(wineserver, runs)
	dir, err := os.MkdirTemp(runs, strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	if err := cloneWinePrefix(tpl, dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	w.dir = dir
	if err := w.warmUp(); err != nil {
		return nil, err
	}
	return w, nil
}

// wineLinger is how long the prefix's wineserver stays after the last
// Windows program has exited (Wine's default is a few seconds). Restarting
// it and the Windows services costs 0.3 s on an idle machine and several
// seconds on a loaded one, so it outlives the gaps between tests; after
// the test process it exits by itself.
const wineLinger = 60 * time.Second

// warmUp starts the prefix's wineserver with wineLinger, then a first
// Windows program (cmd.exe /c exit), which starts Wine's services. Neither
// may inherit this process's output: a daemon holding the test binary's
// stdout would keep "go test" waiting for it, so they get the null device.
func (w *WinePrefix) warmUp() error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, args := range [][]string{
		{w.wineserver, "-p" + strconv.Itoa(int(wineLinger/time.Second))},
		{w.wine, "cmd.exe", "/c", "exit"},
	} {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Env = wineEnv(w.dir, nil)
		cmd.Dir = w.CDrive()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
	}
	return nil
}

// wineTemplate returns the template prefix for this Wine version, this user
// and this DLL source, building it when it is not cached. It builds into a
// temporary sibling and renames it, so a concurrent test process never sees
// a half-built template (two processes may both build it the first time;
// one rename wins).
func wineTemplate(w *WinePrefix, mingw string) (string, error) {
	res, err := run(w.wine, []string{"WINEDEBUG=-all"}, nil, "--version")
	if err != nil {
		return "", err
	}
	if res.exitCode != 0 {
		return "", fmt.Errorf("wine --version: exit %d: %s", res.exitCode, res.stderr)
	}
	userName := strconv.Itoa(os.Getuid())
	if u, err := user.Current(); err == nil {
		userName += "/" + u.Username
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(wineLayout), []byte(res.stdout), []byte(userName), bcryptPrimitivesSource} {
		fmt.Fprintf(h, "%d\n", len(part))
		h.Write(part)
	}
	key := hex.EncodeToString(h.Sum(nil))[:24]
	base := wineCache()
	final := filepath.Join(base, "wine-tpl-"+key)
	if _, err := os.Stat(filepath.Join(final, "drive_c", "windows", "system32", "bcryptprimitives.dll")); err == nil {
		return final, nil
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	// Templates of other Wine versions or layouts are dead weight (~700 MB
	// each), and so are the half-built ones of killed test processes.
	old, _ := filepath.Glob(filepath.Join(base, "wine-tpl-*"))
	for _, dir := range old {
		if dir != final {
			os.RemoveAll(dir)
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(base, "tmp-wine-*"))
	for _, dir := range tmps {
		if fi, err := os.Stat(dir); err == nil && time.Since(fi.ModTime()) > 2*wineBootTimeout {
			os.RemoveAll(dir)
		}
	}
	tmp, err := os.MkdirTemp(base, "tmp-wine-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // a no-op after a successful rename
	if err := buildWineTemplate(w, mingw, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		// Another process may have won the race; its template is as good.
		if _, statErr := os.Stat(filepath.Join(final, "drive_c", "windows", "system32", "bcryptprimitives.dll")); statErr == nil {
			return final, nil
		}
		return "", err
	}
	return final, nil
}

// buildWineTemplate initialises a prefix in dir with wineboot, installs
// the DLL built from bcryptPrimitivesSource, and stops the prefix's
// wineserver (which saves the registry).
func buildWineTemplate(w *WinePrefix, mingw, dir string) error {
	src := filepath.Join(dir, "bcryptprimitives.c")
	dll := filepath.Join(dir, "bcryptprimitives.dll")
	if err := os.WriteFile(src, bcryptPrimitivesSource, 0o644); err != nil {
		return err
	}
	res, err := run(mingw, nil, nil, "-shared", "-O2", "-s", "-o", dll, src, "-ladvapi32")
	if err != nil {
		return err
	}
	if res.exitCode != 0 {
		return fmt.Errorf("x86_64-w64-mingw32-gcc: exit %d: %s", res.exitCode, res.stderr)
	}
	// wineboot is a Windows program: wine runs it from the new prefix (wine
	// creates the prefix first). The Windows services it starts inherit its
	// standard handles and outlive it, so its output goes to a file, not to
	// a pipe that would stay open.
	logFile, err := os.CreateTemp(filepath.Dir(dir), "wineboot-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(logFile.Name())
	defer logFile.Close()
	ctx, cancel := context.WithTimeout(context.Background(), wineBootTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.wine, "wineboot", "--init")
	cmd.Env = wineEnv(dir, nil)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	err = cmd.Run()
	if stopErr := stopWineserver(w.wineserver, dir); err == nil {
		err = stopErr
	}
	if err != nil {
		log, _ := os.ReadFile(logFile.Name())
		return fmt.Errorf("wine wineboot --init: %w\n%s", err, log)
	}
	data, err := os.ReadFile(dll)
	if err != nil {
		return err
	}
	sys32 := filepath.Join(dir, "drive_c", "windows", "system32")
	if err := os.WriteFile(filepath.Join(sys32, "bcryptprimitives.dll"), data, 0o644); err != nil {
		return fmt.Errorf("installing bcryptprimitives.dll: %w", err)
	}
	for _, f := range []string{src, dll} {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return nil
}

// stopWineserver stops the wineserver of prefix (wineserver -k waits until it
// has saved the registry and exited) and removes the folder that Debian's
// Wine keeps its socket in (/tmp/wine-XXXXXX, named in the prefix's file
// "wineserver"), which the server leaves behind.
func stopWineserver(wineserver, prefix string) error {
	res, err := run(wineserver, []string{"WINEPREFIX=" + prefix, "WINEDEBUG=-all"}, nil, "-k")
	removeWineSocketDir(prefix)
	if err != nil {
		return err
	}
	// Exit status 1 means no server was running.
	if res.exitCode > 1 {
		return fmt.Errorf("wineserver -k: exit %d: %s", res.exitCode, res.stderr)
	}
	return nil
}

func removeWineSocketDir(prefix string) {
	name, err := os.ReadFile(filepath.Join(prefix, "wineserver"))
	if err != nil {
		return
	}
	n := strings.TrimSpace(string(name))
	if !strings.HasPrefix(n, "wine-") || strings.ContainsAny(n, `/\`) {
		return
	}
	for _, tmp := range []string{os.TempDir(), "/tmp"} {
		os.RemoveAll(filepath.Join(tmp, n))
	}
	os.Remove(filepath.Join(prefix, "wineserver"))
}

// pruneWineRuns removes the per-process prefixes of test processes that
// have exited (their folders are named PID-XXXXXX), after stopping their
// wineserver if it still lingers (see wineLinger).
func pruneWineRuns(wineserver, runs string) {
	entries, err := os.ReadDir(runs)
	if err != nil {
		return
	}
	for _, e := range entries {
		pidText, _, ok := strings.Cut(e.Name(), "-")
		pid, err := strconv.Atoi(pidText)
		// A folder with this process's PID is stale: this process makes
		// its own folder after pruning.
		if !ok || err != nil || (pid != os.Getpid() && processAlive(pid)) {
			continue
		}
		dir := filepath.Join(runs, e.Name())
		stopWineserver(wineserver, dir)
		os.RemoveAll(dir)
	}
}

func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// cloneWinePrefix makes dir a prefix of its own that shares tpl's
// drive_c/windows (a symbolic link): the registry, drive_c's other folders
// and dosdevices are copied. The template's "wineserver" file is not: it
// names the socket folder of the template's own server.
func cloneWinePrefix(tpl, dir string) error {
	for _, name := range []string{"system.reg", "user.reg", "userdef.reg", ".update-timestamp"} {
		if err := copyFile(filepath.Join(tpl, name), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	if err := copyTree(filepath.Join(tpl, "dosdevices"), filepath.Join(dir, "dosdevices")); err != nil {
		return err
	}
	cdrive := filepath.Join(dir, "drive_c")
	if err := os.Mkdir(cdrive, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(tpl, "drive_c"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		src := filepath.Join(tpl, "drive_c", e.Name())
		if e.Name() == "windows" {
			if err := os.Symlink(src, filepath.Join(cdrive, "windows")); err != nil {
				return err
			}
			continue
		}
		if err := copyTree(src, filepath.Join(cdrive, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// copyTree copies the folder src to dst: folders, regular files and
// symbolic links (as links).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.Mkdir(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil // sockets, devices: none in a fresh prefix
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// CDrive returns the Linux path of the prefix's C:\ folder.
func (w *WinePrefix) CDrive() string {
	return filepath.Join(w.dir, "drive_c")
}

// WinPath returns the Windows path under which a Windows program sees the
// Linux path p: C:\... below [WinePrefix.CDrive], else Z:\... (Wine maps Z:
// to /). A relative p is taken relative to the current directory.
func (w *WinePrefix) WinPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = filepath.Clean(p)
	}
	if rel, err := filepath.Rel(w.CDrive(), abs); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		if rel == "." {
			return `C:\`
		}
		return `C:\` + strings.ReplaceAll(rel, "/", `\`)
	}
	return `Z:` + strings.ReplaceAll(abs, "/", `\`)
}

// LinuxPath returns the Linux path of the Windows path p, which must be an
// absolute path on C: or Z: (either letter case; \ or / as separators).
// Windows ignores letter case in file names and Linux does not: the result
// names what Wine would find only when p spells each existing component as
// it is on disk. The test fails for any other p.
func (w *WinePrefix) LinuxPath(t testing.TB, p string) string {
	t.Helper()
	if len(p) < 3 || p[1] != ':' || (p[2] != '\\' && p[2] != '/') {
		t.Fatalf("judge: %q is not an absolute Windows path", p)
	}
	rest := strings.ReplaceAll(p[3:], `\`, "/")
	switch p[0] {
	case 'C', 'c':
		return filepath.Join(w.CDrive(), rest)
	case 'Z', 'z':
		return filepath.Join("/", rest)
	}
	t.Fatalf("judge: %q: only C: and Z: are mapped", p)
	return ""
}

// TempDir creates the folder winDir (a Windows path on C:, such as
// C:\Program Files\GCTI\ucc certs) with its parents for this test, removes
// it when the test ends, and returns its Linux path. The test fails if the
// folder exists already: another test is using it.
func (w *WinePrefix) TempDir(t testing.TB, winDir string) string {
	t.Helper()
	dir := w.LinuxPath(t, winDir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatalf("judge: %v", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("judge: %s: %v", winDir, err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// WriteFile writes data to the Windows path p on C: or Z:, creating the
// missing folders.
func (w *WinePrefix) WriteFile(t testing.TB, p string, data []byte) {
	t.Helper()
	path := w.LinuxPath(t, p)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("judge: %v", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("judge: %v", err)
	}
}

// Run runs the Windows program exe (a Linux path, or a Windows path on the
// prefix's drives) with args under Wine and waits for it, within the
// package timeout. Wine builds the program's command line from args with
// the Windows quoting rules, so arguments with spaces or quotes arrive
// intact. The test fails when the program cannot be started or does not
// finish in time; a non-zero exit is reported in the result.
func (w *WinePrefix) Run(t testing.TB, exe string, args []string, opt WineRun) WineResult {
	t.Helper()
	return w.Start(t, exe, args, opt).Wait(t)
}

// WineProcess is a Windows program started by [WinePrefix.Start].
type WineProcess struct {
	// Stdin is the write end of the program's stdin pipe when WineRun.Stdin
	// was not nil (Start has written WineRun.Stdin to it; the test may write
	// more, and closes it or lets Wait close it); nil when the program reads
	// the NUL device.
	Stdin io.WriteCloser

	name           string
	cmd            *exec.Cmd
	stdout, stderr *os.File
	done           chan struct{} // closed when the program has exited
	err            error         // cmd.Wait's error, set before done closes
	timedOut       bool          // set before done closes
}

// Start starts exe as [WinePrefix.Run] does and returns without waiting, so
// that a test can feed the program's stdin piece by piece or start another
// program while this one runs. A non-nil opt.Stdin (even empty) gives the
// program a pipe: Start writes opt.Stdin to it (keep it under 64 KiB: a
// program that does not read would block Start) and leaves it open as
// WineProcess.Stdin. The program is killed when the package timeout
// expires or the test ends.
//
// Stdout and stderr go to files in a temporary folder of the test, not to
// pipes: the first program of a prefix makes Wine start its services
// (services.exe, winedevice.exe, ...), which inherit the program's standard
// handles and live a few seconds longer than it; a pipe would stay open
// that long.
func (w *WinePrefix) Start(t testing.TB, exe string, args []string, opt WineRun) *WineProcess {
	t.Helper()
	dir := w.CDrive()
	if opt.Dir != "" {
		dir = opt.Dir
		if len(dir) >= 2 && dir[1] == ':' {
			dir = w.LinuxPath(t, dir)
		}
	}
	p := &WineProcess{name: filepath.Base(exe), done: make(chan struct{})}
	outDir := t.TempDir()
	var err error
	if p.stdout, err = os.Create(filepath.Join(outDir, "stdout")); err != nil {
		t.Fatalf("judge: %v", err)
	}
	if p.stderr, err = os.Create(filepath.Join(outDir, "stderr")); err != nil {
		t.Fatalf("judge: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	p.cmd = exec.CommandContext(ctx, w.wine, append([]string{exe}, args...)...)
	p.cmd.Env = wineEnv(w.dir, opt.Env)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if opt.Stdin != nil {
		in, err := p.cmd.StdinPipe()
		if err != nil {
			cancel()
			t.Fatalf("judge: %v", err)
		}
		p.Stdin = in
	}
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("judge: starting %s under Wine: %v", p.name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		p.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
		p.stdout.Close()
		p.stderr.Close()
	})
	if len(opt.Stdin) > 0 {
		if _, err := p.Stdin.Write(opt.Stdin); err != nil && !errors.Is(err, syscall.EPIPE) {
			t.Fatalf("judge: writing the stdin of %s: %v", p.name, err)
		}
	}
	return p
}

// Exited reports whether the program has exited.
func (p *WineProcess) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stderr returns what the program has written to stderr so far.
func (p *WineProcess) Stderr() string {
	b, _ := os.ReadFile(p.stderr.Name())
	return string(b)
}

// Signal sends sig to the Unix process that runs the program (Wine turns
// SIGINT into a Ctrl-C event for the program's console handlers).
func (p *WineProcess) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Kill kills the program as a crash or Task Manager's "End task" would:
// no handler of the program runs; Windows (here wineserver) closes its
// handles and drops its file locks. Kill waits for the program to end;
// Wait must not be called after it.
func (p *WineProcess) Kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// Wait closes the program's stdin pipe, if any, waits for the program to
// exit and returns its output and exit code. The test fails when the
// program did not finish within the package timeout or could not be run to
// completion.
func (p *WineProcess) Wait(t testing.TB) WineResult {
	t.Helper()
	if p.Stdin != nil {
		p.Stdin.Close()
	}
	<-p.done
	stdout, err := os.ReadFile(p.stdout.Name())
	if err != nil {
		t.Fatalf("judge: %v", err)
	}
	stderr, err := os.ReadFile(p.stderr.Name())
	if err != nil {
		t.Fatalf("judge: %v", err)
	}
	res := WineResult{Stdout: string(stdout), Stderr: string(stderr), ExitCode: p.cmd.ProcessState.ExitCode()}
	var exitErr *exec.ExitError
	switch {
	case p.timedOut:
		t.Fatalf("judge: %s under Wine timed out after %v; stderr:\n%s", p.name, timeout, res.Stderr)
	case p.err != nil && !errors.As(p.err, &exitErr), res.ExitCode < 0:
		t.Fatalf("judge: %s under Wine: %v; stderr:\n%s", p.name, p.err, res.Stderr)
	}
	return res
}
