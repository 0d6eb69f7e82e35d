package connector

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/internal/limitio"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/preflight"
)

// MaxArgsFile is the largest file ReadArgsFile reads.
const MaxArgsFile = 1 << 20

// Errors of ReadArgsFile, WithOverrides and Resolve.
var (
	// ErrArgsFileTooLarge: an arguments file over MaxArgsFile, or with a
	// line longer than Windows allows.
	ErrArgsFileTooLarge = errors.New("arguments file too large")
	// ErrNoType: a store file that does not exist yet, whose type neither
	// a declaration nor its extension says.
	ErrNoType = errors.New("store type unknown")
)

// ReadArgsFile reads the connector's command line from a file: a batch
// file (.bat, .cmd) as cmd.exe runs it (ParseBatLine), any other file as
// the text of Genesys Administrator's Command Line Arguments field
// (ParseCommandLine). Of several lines, the one that carries the store
// flags counts, else the first that is not empty; in a batch file, lines
// ending with ^ are joined with the next as cmd.exe joins them. Relative
// store and krb5.conf paths are taken relative to the file's folder (the
// connector's working folder is the batch file's; a path with a drive
// letter or a leading slash or backslash is absolute on either system).
// The file is read line by line, at most MaxArgsFile bytes
// (ErrArgsFileTooLarge). Errors name the path.
func ReadArgsFile(path string) (*Args, []Problem, error) {
	lower := strings.ToLower(path)
	bat := strings.HasSuffix(lower, ".bat") || strings.HasSuffix(lower, ".cmd")
	var chosen, first, pending string
	err := limitio.Lines(path, MaxArgsFile, MaxBatLine+MaxCommandLine, ErrArgsFileTooLarge, func(_ int, line string) bool {
		if bat {
			// A ^ that ends a line outside quotes joins the next line to
			// it, the line break dropped and the ^ escaping the next
			// line's first character, as cmd.exe does.
			line = pending + line
			pending = ""
			if strings.HasSuffix(line, "^") {
				if _, _, err := ParseBatLine(line); errors.Is(err, ErrLineContinuation) {
					pending = line
					return true
				}
			}
		}
		if strings.TrimSpace(line) == "" {
			return true
		}
		if first == "" {
			first = line
		}
		if carriesStoreFlags(line) {
			chosen = line // untrimmed: in a batch file "^ " escapes the space
			return false
		}
		return true
	})
	if err != nil {
		return nil, nil, limitio.NamePath(path, err)
	}
	if chosen == "" && pending != "" && carriesStoreFlags(pending) {
		chosen = pending // the last line ends with ^: ParseBatLine says so
	}
	if chosen == "" {
		chosen = first
	}
	var a *Args
	var probs []Problem
	if bat {
		a, probs, err = ParseBatLine(chosen)
	} else {
		a, probs, err = ParseCommandLine(chosen)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	for _, p := range []*string{&a.CertStore.File, &a.KeyStore.File, &a.KrbConf} {
		if *p != "" && !absoluteAnywhere(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	return a, probs, nil
}

// absoluteAnywhere reports whether p is absolute on Windows or POSIX: it
// starts with / or \ or with a drive letter and a colon.
func absoluteAnywhere(p string) bool {
	return filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || isDrive(p)
}

// carriesStoreFlags reports whether a line holds the connector's store
// flags (or the guide's typos of them).
func carriesStoreFlags(line string) bool {
	low := strings.ToLower(line)
	return strings.Contains(low, "_store_") || strings.Contains(low, "-krb_conf") || strings.Contains(low, "-ket_")
}

// WithOverrides returns a copy of a in which the stores given by uccert's
// own options replace the command line's: a cert or key override with a
// File replaces that store entirely; one without a File sets its
// password (when HasPass) and its type (when not "") on the command
// line's store, which must then name a file (else ErrNoStore). A
// non-empty krbConf replaces -krb_conf_file. a may be nil.
func (a *Args) WithOverrides(cert, key *StoreArgs, krbConf string) (*Args, error) {
	out := &Args{}
	if a != nil {
		c := *a
		c.Other = append([]string(nil), a.Other...)
		out = &c
	}
	for _, o := range []struct {
		flag string
		over *StoreArgs
		st   *StoreArgs
	}{{FlagCertStoreFile, cert, &out.CertStore}, {FlagKeyStoreFile, key, &out.KeyStore}} {
		switch {
		case o.over == nil:
		case o.over.File != "":
			*o.st = *o.over
		case o.st.File == "":
			return nil, fmt.Errorf("%w: %s (a password or type was given for a store that is not named)", ErrNoStore, o.flag)
		default:
			if o.over.HasPass {
				o.st.Pass, o.st.HasPass = o.over.Pass, true
			}
			if o.over.Type != "" {
				o.st.Type = o.over.Type
			}
		}
	}
	if krbConf != "" {
		out.KrbConf = krbConf
	}
	return out, nil
}

// Resolve makes a ready to print (uccert args): every store gets a Type,
// from the file's content when the file exists (a declared Type must
// agree), else from the declaration or the file's extension (ErrNoType
// when neither says). The files that exist are then checked as Check
// does, and what would stop the connector in what is given
// (preflight.Blocking, but for a trust store still to come) fails Resolve
// with a *finding.Failed; the report holds every finding. A store without
// a password (HasPass false) is only read for its type.
func Resolve(a *Args, opts CheckOptions) (*Args, *finding.Report, error) {
	if a == nil {
		return nil, nil, ErrNoArgs
	}
	out := *a
	checked := out // what Check opens: the files that exist, with a password
	for _, st := range []struct {
		flag    string
		st, chk *StoreArgs
	}{{FlagCertStoreFile, &out.CertStore, &checked.CertStore}, {FlagKeyStoreFile, &out.KeyStore, &checked.KeyStore}} {
		if st.st.File == "" {
			continue
		}
		data, err := keystore.ReadFile(st.st.File)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			*st.chk = StoreArgs{}
			if st.st.Type == "" {
				f := keystore.FormatFromExtension(st.st.File)
				if f == keystore.FormatUnknown {
					return nil, nil, fmt.Errorf("%s: %w: it does not exist yet and its extension names no type (.jks, .p12, .pfx)", st.st.File, ErrNoType)
				}
				st.st.Type = f.String()
			}
			continue
		case err != nil:
			return nil, nil, err
		}
		f := keystore.Detect(data)
		if !f.IsStore() {
			return nil, nil, fmt.Errorf("%s: %w: the file is %s, not a keystore", st.st.File, keystore.ErrUnknownFormat, f)
		}
		if err := keystore.CheckDeclaredType(st.st.Type, f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", st.st.File, err)
		}
		st.st.Type = f.String()
		if !st.st.HasPass {
			*st.chk = StoreArgs{}
		}
	}
	if opts.Mode == 0 {
		opts.Mode = a.Mode()
	}
	if opts.Mode != ModeTLSKerberos {
		checked.KrbConf = "" // printed as given; only tls-kerberos needs it
	}
	_, report := Check(&checked, opts)
	refused := report.Filter(func(f finding.Finding) bool {
		// The arguments of the stores given are printed even when the other
		// store is still to come (the report says it is missing).
		return preflight.Blocking(f) && f.Check != preflight.CheckTruststoreMissing
	})
	if len(refused) > 0 {
		return nil, report, &finding.Failed{Findings: refused}
	}
	return &out, report, nil
}
