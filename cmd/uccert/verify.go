package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/atomicfile"
	"github.com/uccert/uccert/pkg/connector"
	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/hostname"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
	"github.com/uccert/uccert/pkg/verify"
	"github.com/urfave/cli/v2"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check stores, krb5.conf and the connector's arguments before start-up",
		UsageText: "uccert verify [--host FQDN] [--fe FQDN]... [--mode mtls|tls-kerberos]\n" +
			"              [--cert-store FILE --cert-store-pass SRC [--cert-store-type T]]\n" +
			"              [--key-store FILE --key-store-pass SRC [--key-store-type T]] [--krb5 FILE]\n" +
			"              [--args 'COMMAND LINE' | --args-file FILE] [--warn-days N] [--at DATE|RFC3339] [--strict]\n" +
			"              [--format text|json|prometheus | --json] [-o FILE] [--metric-label NAME=VALUE]...",
		Description: `Runs every check that applies to what is given: the stores (readable, password, type),
their keys (key password = store password, key matches certificate, strength), certificates
(validity at --at, expiry within --warn-days, SHA-1/MD5 signatures, extended key usage),
chains against the trust store, host identities (--host, default this machine's FQDN, and
each --fe), the trust store, krb5.conf (syntax with line numbers, realms, DES), and the
connector's own command line (--args or --args-file: the Genesys Administrator field or a
startup.bat line; unknown flags such as -ket_store_type are named with the flag meant).

In mtls mode (default) the cert store holds the keys and the key store is the trust
store; in tls-kerberos mode the cert store is the trust store and a krb5.conf is needed.
Each finding is printed as a line (✔/⚠/✖, or OK/WARN/FAIL when not on a terminal or with
NO_COLOR); docs/verify.md explains every check and how to fix it.

--format json (or --json) prints the report as JSON. --format prometheus prints the Prometheus
text format for node_exporter's (or windows_exporter's) textfile collector: x509_cert_not_after,
x509_cert_not_before and x509_cert_expired for every certificate of the stores, with the labels
of the x509-certificate-exporter (filepath, filename, serial_number, subject_CN, issuer_CN, ...)
plus alias and entry_kind, then uccert_verify_ok and uccert_verify_findings{severity}; a run
that fails still writes uccert_verify_ok 0. -o FILE writes the output to FILE instead of stdout,
atomically (a temporary file beside it, then a rename: the collector never reads half a file),
mode 0644; docs/monitoring.md has the cron line, the Windows task and alert rules.

EXAMPLES:
   # Preflight from the connector's own command line:
   uccert verify --args-file startup.bat --fe fe1.pool.example.com --fe fe2.pool.example.com
   uccert verify --args '-cert_store_file C:\ucc\keys.jks -cert_store_pass ... -cert_store_type jks ...'
   # The stores directly:
   uccert verify --host ucc01.example.com --cert-store ucc-keys.jks --cert-store-pass env:KS \
                 --key-store ucc-trust.jks --key-store-pass env:TS
   # Kerberos mode, for automation:
   uccert verify --mode tls-kerberos --cert-store trust.jks --cert-store-pass env:TS --krb5 krb5.conf --json
   # Monitoring: node_exporter's textfile collector (cron, every 30 minutes):
   uccert verify --args-file /opt/ucc/startup.bat --format prometheus \
                 -o /var/lib/node_exporter/textfile_collector/uccert.prom

` + passwordSources + exitCodes,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "host", Usage: "the connector host's `FQDN` (default: this machine's FQDN)"},
			&cli.StringSliceFlag{Name: "fe", KeepSpace: true, Usage: "a Front End `FQDN` that needs a key entry (repeatable)"},
			&cli.StringFlag{Name: "mode", Usage: "`MODE`: mtls or tls-kerberos (default: from --args, else mtls)"},
			&cli.StringFlag{Name: "cert-store", Usage: "the connector's -cert_store_file `FILE`"},
			&cli.StringFlag{Name: "cert-store-pass", Usage: "its password `SRC`"},
			&cli.StringFlag{Name: "cert-store-type", Usage: "its declared `TYPE` (jks or pkcs12)"},
			&cli.StringFlag{Name: "key-store", Usage: "the connector's -key_store_file `FILE`"},
			&cli.StringFlag{Name: "key-store-pass", Usage: "its password `SRC`"},
			&cli.StringFlag{Name: "key-store-type", Usage: "its declared `TYPE` (jks or pkcs12)"},
			&cli.StringFlag{Name: "krb5", Usage: "the krb5.conf `FILE`"},
			&cli.StringFlag{Name: "args", Usage: "the connector's command `LINE` (stores, passwords, types and krb5.conf are taken from it)"},
			&cli.StringFlag{Name: "args-file", Usage: "a `FILE` holding the command line (a startup.bat, or the Genesys field's text)"},
			&cli.IntFlag{Name: "warn-days", Value: 30, Usage: "warn about certificates expiring within `N` days (0 to 36500)"},
			&cli.StringFlag{Name: "at", Usage: "judge validity at `TIME` instead of now: a date (2040-05-20, midnight UTC) or RFC 3339"},
			&cli.StringSliceFlag{Name: "connect", KeepSpace: true, Usage: "live mutual-TLS handshake with `HOST:PORT` using the stores (repeatable)"},
			&cli.StringSliceFlag{Name: "resolve", KeepSpace: true, Usage: "dial ADDR for HOST:PORT and verify HOST, as curl's --resolve `HOST:PORT:ADDR` (repeatable)"},
			&cli.StringFlag{Name: "kdc-user", Usage: "live Kerberos AS exchange for `PRINCIPAL` with the krb5.conf"},
			&cli.StringFlag{Name: "kdc-pass", Usage: "the principal's password `SRC`"},
			&cli.BoolFlag{Name: "online", Usage: "resolve every KDC host name of the krb5.conf"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text, json or prometheus (the text format of node_exporter's textfile collector)"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON (the same as --format json)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the output to `FILE` (atomically, mode 0644) instead of stdout"},
			&cli.StringSliceFlag{Name: "metric-label", KeepSpace: true, Usage: "add the label `NAME=VALUE` to every series of --format prometheus (repeatable; e.g. connector=UCC_1 when several connectors share a host)"},
			&cli.BoolFlag{Name: "strict", Usage: "exit 1 on warnings too"},
		},
		Action: func(c *cli.Context) error { return runVerify(c, e) },
	}
}

// parseAt reads --at: an RFC 3339 time or a date (midnight UTC).
func parseAt(at string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, at); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--at %s: give a date (2040-05-20, midnight UTC) or an RFC 3339 time (2040-05-20T12:00:00Z)", esc(at))
}

// reportFormat is verify's --format.
type reportFormat int

const (
	formatText reportFormat = iota
	formatJSON
	formatPrometheus
)

// verifyOutput is where and how verify writes its report.
type verifyOutput struct {
	format reportFormat
	// path is -o FILE; "" is stdout.
	path string
	// labels are the --metric-label labels.
	labels []metricLabel
}

// parseVerifyOutput reads --format, --json and -o (usage errors).
func parseVerifyOutput(c *cli.Context, e *env) (*verifyOutput, error) {
	o := &verifyOutput{path: c.String("output")}
	switch f := c.String("format"); f {
	case "text":
	case "json":
		o.format = formatJSON
	case "prometheus":
		o.format = formatPrometheus
	default:
		return nil, usagef("--format %s: give text, json or prometheus", esc(f))
	}
	if c.Bool("json") {
		if c.IsSet("format") && o.format != formatJSON {
			return nil, usagef("--json and --format %s exclude each other", c.String("format"))
		}
		o.format = formatJSON
	}
	for _, l := range c.StringSlice("metric-label") {
		if o.format != formatPrometheus {
			return nil, usagef("--metric-label applies to --format prometheus")
		}
		ml, err := parseMetricLabel(l)
		if err != nil {
			return nil, usagef("%s", err.Error())
		}
		if slices.ContainsFunc(o.labels, func(x metricLabel) bool { return x.name == ml.name }) {
			return nil, usagef("--metric-label %s given twice", ml.name)
		}
		o.labels = append(o.labels, ml)
	}
	if c.IsSet("output") && o.path == "" {
		return nil, usagef("-o: give the path of the file to write")
	}
	if fi, err := os.Stat(o.path); o.path != "" && err == nil && fi.IsDir() {
		return nil, usagef("-o %s is a folder: give the path of the file to write in it, such as %s", esc(o.path), esc(filepath.Join(o.path, "uccert.prom")))
	}
	if o.path != "" {
		// A link is written through; anything but a regular file (a
		// device, a named pipe, a link to nothing) is refused before any
		// work.
		if _, _, err := atomicfile.Target(o.path); err != nil {
			return nil, withFile(o.path, err)
		}
	}
	if o.format == formatPrometheus && o.path != "" && !strings.HasSuffix(o.path, ".prom") {
		fmt.Fprintf(e.stderr, "uccert: warning: %s: the textfile collectors of node_exporter and windows_exporter read only files ending in .prom\n", esc(o.path))
	}
	return o, nil
}

// write writes data to stdout, or to -o FILE atomically (mode 0644, so
// that a collector running as another user can read it): through a
// symbolic link to its target, only over a regular file, and not at all
// once ctx is done (the file stays as it was).
func (o *verifyOutput) write(ctx context.Context, e *env, data []byte) error {
	if o.path == "" {
		_, err := e.stdout.Write(data)
		return err
	}
	if err := atomicfile.WriteContext(ctx, o.path, data, atomicfile.Options{Perm: 0o644, Overwrite: true}); err != nil {
		var rename *os.LinkError
		if runtime.GOOS == "windows" && errors.As(err, &rename) && errors.Is(rename, fs.ErrPermission) {
			// Windows refuses to replace a file another program holds
			// open (measured under Wine: "Access denied").
			return withFile(o.path, fmt.Errorf("%s: cannot replace it, another program (the textfile collector?) may have it open (%w): the file is unchanged, and the next run replaces it", o.path, rename))
		}
		return withFile(o.path, err)
	}
	return nil
}

func runVerify(c *cli.Context, e *env) error {
	if c.NArg() > 0 {
		return usagef("verify takes no arguments (got %q); did you mean --cert-store %s?", c.Args().First(), c.Args().First())
	}
	out, err := parseVerifyOutput(c, e)
	if err != nil {
		return err
	}
	at, err := verifyTime(c, e)
	var report *finding.Report
	var stores []verifiedStore
	if err == nil {
		report, stores, err = verifyRun(c, e, at)
	}
	if err != nil {
		if out.format == formatPrometheus {
			// The collector keeps reading the file: it must now say that
			// verify did not pass, whatever stopped it.
			if werr := out.write(c.Context, e, exposition(nil, nil, at, out.labels)); werr != nil {
				fmt.Fprintf(e.stderr, "uccert: %s\n", esc(werr.Error()))
			}
		}
		return err
	}
	var data []byte
	switch out.format {
	case formatJSON:
		var b bytes.Buffer
		if err := writeJSON(&b, report); err != nil {
			return err
		}
		data = b.Bytes()
	case formatPrometheus:
		data = exposition(report, stores, at, out.labels)
	default:
		var b bytes.Buffer
		writeReportText(&b, e.color() && out.path == "", report)
		data = b.Bytes()
	}
	if err := out.write(c.Context, e, data); err != nil {
		return err
	}
	if !report.OK() {
		return &silentError{code: exitFailure}
	}
	return nil
}

// verifyTime is --at, else now.
func verifyTime(c *cli.Context, e *env) (time.Time, error) {
	if at := c.String("at"); at != "" {
		return parseAt(at)
	}
	return e.now(), nil
}

// verifyRun runs the checks the flags ask for, judging validity at at,
// and returns the report and the stores that were read (the cert store,
// then the key store; a store not given or not readable has no Store).
func verifyRun(c *cli.Context, e *env, at time.Time) (*finding.Report, []verifiedStore, error) {
	if d := c.Int("warn-days"); d < 0 || d > preflight.MaxWarnDays {
		return nil, nil, usagef("--warn-days %d: give a number of days from 0 to %d", d, preflight.MaxWarnDays)
	}
	if c.IsSet("args") && c.IsSet("args-file") {
		return nil, nil, usagef("give --args or --args-file, not both")
	}
	opts := verify.Options{}
	opts.Now, opts.WarnDays = at, c.Int("warn-days")
	if m := c.String("mode"); m != "" {
		mode, err := connector.ParseMode(m)
		if err != nil {
			return nil, nil, usagef("--mode: %s", err.Error())
		}
		opts.Mode = mode
	}
	var line *connector.Args
	if c.IsSet("args") || c.IsSet("args-file") {
		var err error
		if line, opts.Problems, opts.Subject, err = readConnectorArgs(c); err != nil {
			return nil, nil, err
		}
	}
	var err error
	if opts.Host, opts.FEs, err = hostNames(c); err != nil {
		return nil, nil, err
	}
	if err := checkSources("password options", c.String("cert-store-pass"), c.String("key-store-pass"), c.String("kdc-pass")); err != nil {
		return nil, nil, err
	}
	if opts.Connect, err = connectTargets(c.StringSlice("connect"), c.StringSlice("resolve")); err != nil {
		return nil, nil, err
	}
	if c.IsSet("kdc-pass") && !c.IsSet("kdc-user") {
		return nil, nil, usagef("--kdc-pass needs --kdc-user")
	}
	// uccert's own store options override the connector's command line;
	// their passwords are asked for (a password missing from the command
	// line itself is a finding, as the connector would fail too).
	pw := newPasswords(e)
	overrides := make([]*connector.StoreArgs, 2)
	for i, role := range []string{"cert-store", "key-store"} {
		file, src, typ := c.String(role), c.String(role+"-pass"), c.String(role+"-type")
		if file == "" && src == "" && typ == "" {
			continue
		}
		o := &connector.StoreArgs{File: file}
		if typ != "" {
			f, err := keystore.ParseFormat(typ)
			if err != nil {
				return nil, nil, usagef("--%s-type: %s", role, err.Error())
			}
			o.Type = f.String()
		}
		overrides[i] = o
	}
	a, err := line.WithOverrides(overrides[0], overrides[1], c.String("krb5"))
	if err != nil {
		return nil, nil, usagef("--cert-store-pass, --cert-store-type, --key-store-pass and --key-store-type need their store (--cert-store or --key-store FILE, or the store in --args)")
	}
	opts.CertTypeByOption = c.String("cert-store-type") != ""
	opts.KeyTypeByOption = c.String("key-store-type") != ""
	mode := opts.Mode
	if mode == 0 {
		mode = a.Mode()
	}
	switch {
	case mode == connector.ModeTLSKerberos && a.KrbConf == "" && opts.Subject == "": // from --args: a finding
		return nil, nil, usagef("tls-kerberos mode needs a krb5.conf: give --krb5 FILE (or -krb_conf_file in --args)")
	case a.CertStore.File == "" && a.KeyStore.File == "" && a.KrbConf == "" && opts.Subject == "":
		return nil, nil, usagef("nothing to verify: give --cert-store, --key-store, --krb5, --args or --args-file")
	case (c.IsSet("kdc-user") || c.Bool("online")) && a.KrbConf == "":
		return nil, nil, usagef("--kdc-user and --online need a krb5.conf (--krb5 or -krb_conf_file in --args)")
	case len(opts.Connect) > 0 && a.CertStore.File == "":
		return nil, nil, usagef("--connect needs the stores (--cert-store/--key-store or --args)")
	}
	for i, role := range []struct {
		name string
		st   *connector.StoreArgs
	}{{"cert-store", &a.CertStore}, {"key-store", &a.KeyStore}} {
		src := c.String(role.name + "-pass")
		fromOption := overrides[i] != nil && overrides[i].File != ""
		if role.st.File == "" || (src == "" && !fromOption) {
			continue
		}
		p, err := pw.get(src, "--"+role.name+"-pass", "password for "+filepath.Base(role.st.File))
		if err != nil {
			return nil, nil, err
		}
		role.st.Pass, role.st.HasPass = p, true
	}
	if user := c.String("kdc-user"); user != "" {
		p, err := pw.get(c.String("kdc-pass"), "--kdc-pass", "Kerberos password for "+user)
		if err != nil {
			return nil, nil, err
		}
		opts.KDCUser, opts.KDCPassword = user, p
	}
	opts.Online = c.Bool("online")
	if opts.Host == "" && (a.CertStore.File != "" && mode == connector.ModeMTLS || a.KrbConf != "") {
		if fqdn, err := e.localFQDN(c.Context); err == nil {
			opts.Host = fqdn
		}
	}
	boundMemory(fileSizes(a.CertStore.File, a.KeyStore.File, a.KrbConf))
	m, report := verify.RunMaterial(c.Context, a, opts)
	report.Strict = c.Bool("strict")
	var stores []verifiedStore
	if m.Mode == connector.ModeTLSKerberos {
		stores = []verifiedStore{{a.CertStore.File, m.Trust}}
	} else {
		stores = []verifiedStore{{a.CertStore.File, m.Keys}, {a.KeyStore.File, m.Trust}}
	}
	return report, stores, nil
}

// connectTargets parses --connect HOST:PORT and curl-style --resolve
// HOST:PORT:ADDR (ADDR may be a bracketed IPv6 address).
func connectTargets(connect, resolve []string) ([]verify.Target, error) {
	addrs := map[string]string{}
	for _, r := range resolve {
		hostPort, addr, ok := cutLastHostPort(r)
		if !ok {
			return nil, usagef("--resolve %q: want HOST:PORT:ADDR", r)
		}
		addrs[strings.ToLower(hostPort)] = addr
	}
	var out []verify.Target
	for _, hp := range connect {
		host, port, err := net.SplitHostPort(hp)
		if err != nil || host == "" || port == "" {
			return nil, usagef("--connect %q: want HOST:PORT", hp)
		}
		t := verify.Target{Host: host, Port: port, Addr: addrs[strings.ToLower(hp)]}
		delete(addrs, strings.ToLower(hp))
		out = append(out, t)
	}
	for hp := range addrs {
		return nil, usagef("--resolve %s matches no --connect", hp)
	}
	return out, nil
}

// cutLastHostPort splits "HOST:PORT:ADDR" into "HOST:PORT" and ADDR.
func cutLastHostPort(s string) (hostPort, addr string, ok bool) {
	first := strings.Index(s, ":")
	if first < 0 {
		return "", "", false
	}
	second := strings.Index(s[first+1:], ":")
	if second < 0 {
		return "", "", false
	}
	hostPort, addr = s[:first+1+second], strings.Trim(s[first+2+second:], "[]")
	return hostPort, addr, addr != "" && first > 0
}

// readConnectorArgs parses --args or --args-file (connector.ReadArgsFile
// picks the line and reads a .bat as cmd.exe would).
func readConnectorArgs(c *cli.Context) (*connector.Args, []connector.Problem, string, error) {
	if line := c.String("args"); c.IsSet("args") {
		a, probs, err := connector.ParseCommandLine(line)
		if err != nil {
			return nil, nil, "", usagef("--args: %s", err.Error())
		}
		return a, probs, "--args", nil
	}
	path := c.String("args-file")
	a, probs, err := connector.ReadArgsFile(path)
	if err != nil {
		return nil, nil, "", withFile(path, err)
	}
	return a, probs, path, nil
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeReportText writes the human report: a line per finding, with
// colour and symbols when color is set.
func writeReportText(w io.Writer, color bool, r *finding.Report) {
	for _, f := range r.Findings {
		mark := map[finding.Severity][2]string{
			finding.OK:    {"✔", "OK  "},
			finding.Info:  {"ℹ", "INFO"},
			finding.Warn:  {"⚠", "WARN"},
			finding.Error: {"✖", "FAIL"},
		}[f.Severity]
		sym := mark[1]
		if color {
			sym = map[finding.Severity]string{finding.OK: "\x1b[32m", finding.Info: "\x1b[36m", finding.Warn: "\x1b[33m", finding.Error: "\x1b[31m"}[f.Severity] + mark[0] + "\x1b[0m"
		}
		fmt.Fprintf(w, "%s %-28s %s: %s\n", sym, f.Check, esc(f.Subject), esc(f.Message))
		if f.Hint != "" && f.Severity >= finding.Warn {
			fmt.Fprintf(w, "     %-28s fix: %s\n", "", esc(f.Hint))
		}
	}
	s := r.Summary()
	fmt.Fprintf(w, "%s: %d passed, %d %s, %d %s\n", finding.Count(len(r.Findings), "check", "checks"), s.Passed,
		s.Warnings, plural(s.Warnings, "warning", "warnings"), s.Errors, plural(s.Errors, "error", "errors"))
}

// localFQDN is this machine's FQDN (the default --host).
func systemFQDN(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return hostname.LocalFQDN(ctx, nil, nil)
}
