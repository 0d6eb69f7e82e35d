package preflight

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/uccert/uccert/pkg/finding"
	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/secret"
)

// StoreSpec names a store to check and how the connector would open it.
type StoreSpec struct {
	Path string
	// Data is the file's content when the caller has read it already
	// (connector.Watch checks exactly the bytes it loads); nil: Open
	// reads Path.
	Data []byte
	// Password is the store password; HasPassword false means none was
	// given (a finding, not an error: the connector would fail too).
	Password    secret.Password
	HasPassword bool
	// Type is the declared store type ("" when not declared), judged by
	// keystore.CheckDeclaredType. TypeFromArgs says it came from the
	// connector's own -*_store_type argument (args-type-mismatch) rather
	// than a uccert option (store-type-mismatch).
	Type         string
	TypeFromArgs bool
}

// Opened is a store as Open found it: its bytes, its format, its entries
// (nil when it could not be read), and the findings of opening it.
type Opened struct {
	Spec   StoreSpec
	Data   []byte
	Format keystore.Format
	Store  *keystore.Store
	// Findings are store-unreadable, store-wrong-password and the
	// declared-type check, reported by Run in its order.
	Findings []finding.Finding
}

// Err returns the error behind the first failed finding of opening the
// store, or nil when it was read.
func (o *Opened) Err() error {
	for _, f := range o.Findings {
		if f.Severity == finding.Error {
			if f.Err != nil {
				return f.Err
			}
			return errors.New(f.Message)
		}
	}
	return nil
}

// Open reads a store (once: Data, or Path) and decodes it with its
// password, recording store-unreadable, store-wrong-password and the
// declared-type check. A nil spec gives nil.
func Open(spec *StoreSpec) *Opened {
	if spec == nil {
		return nil
	}
	o := &Opened{Spec: *spec, Data: spec.Data}
	c := &collector{}
	defer func() { o.Findings = c.Findings }()
	subject := spec.Path
	if o.Data == nil {
		data, err := keystore.ReadFile(spec.Path)
		if err != nil {
			hint := "check the path (relative paths are relative to the connector's working folder) and the file's permissions"
			tried := ""
			if abs, aerr := filepath.Abs(spec.Path); aerr == nil && abs != spec.Path {
				tried = " (looked for " + abs + ")"
			}
			if errors.Is(err, fs.ErrNotExist) {
				c.fail(CheckStoreUnreadable, subject, hint, err, "the file does not exist%s", tried)
			} else {
				c.fail(CheckStoreUnreadable, subject, hint, err, "cannot read the file%s: %s", tried, causeOf(err))
			}
			return o
		}
		o.Data = data
	}
	o.Format = keystore.Detect(o.Data)
	if !o.Format.IsStore() {
		hint := "give a JKS or PKCS#12 store; build one with uccert merge or uccert truststore"
		if o.Format == keystore.FormatUnknown {
			// keystore.Decode says what is wrong with ASN.1 that is none
			// of ours (nested too deep, truncated), as inspect does.
			if _, err := keystore.Decode(o.Data, keystore.DecodeOptions{}); errors.Is(err, keystore.ErrMalformed) {
				c.fail(CheckStoreUnreadable, subject, hint, err, "not a keystore: %s", err.Error())
				return o
			}
		}
		err := fmt.Errorf("%s: %w: the content is %s", spec.Path, keystore.ErrUnknownFormat, o.Format)
		c.fail(CheckStoreUnreadable, subject, hint, err, "not a keystore (the content is %s)", o.Format)
		return o
	}
	typeCheck := CheckStoreTypeMismatch
	if spec.TypeFromArgs {
		typeCheck = CheckArgsTypeMismatch
	}
	mark := c.since()
	err := keystore.CheckDeclaredType(spec.Type, o.Format)
	switch {
	case errors.Is(err, keystore.ErrBadStoreType) && spec.TypeFromArgs:
		// package connector reports a bad -*_store_type value itself
	case errors.Is(err, keystore.ErrBadStoreType):
		c.fail(typeCheck, subject, "use jks or pkcs12", err, "%s", err.Error())
	case err != nil:
		c.fail(typeCheck, subject, fmt.Sprintf("declare the type as %s (uccert args prints the right arguments)", o.Format), err,
			"%s; Java 17 tolerates this through keystore.type.compat, older JREs and the connector's other tools do not", err.Error())
	}
	if err == nil {
		c.passed(mark, subject, map[finding.Check]string{typeCheck: "the file is " + o.Format.String() + typeNote(spec)})
	}
	if !spec.HasPassword {
		c.fail(CheckStoreWrongPassword, subject, "give the store password (the connector's -*_store_pass, or uccert's --cert-store-pass/--key-store-pass)",
			keystore.ErrIncorrectPassword, "no store password given")
		return o
	}
	s, err := keystore.Decode(o.Data, keystore.DecodeOptions{Password: spec.Password})
	switch {
	case errors.Is(err, keystore.ErrIncorrectPassword):
		c.fail(CheckStoreWrongPassword, subject, "give the password the store was written with", err, "the store password is wrong")
		return o
	case err != nil:
		c.fail(CheckStoreUnreadable, subject, "rebuild the store with uccert merge or uccert truststore", err, "%s", err.Error())
		return o
	}
	o.Store = s
	c.add(CheckStoreUnreadable, finding.OK, subject, fmt.Sprintf("read: %s, %s", s.Format, finding.Count(len(s.Entries), "entry", "entries")), "")
	c.add(CheckStoreWrongPassword, finding.OK, subject, "the store password opens the store", "")
	return o
}

func typeNote(spec *StoreSpec) string {
	if spec.Type == "" {
		return " (no type declared)"
	}
	return ", as declared"
}

// causeOf is an error's text without the path that os errors and
// keystore.ReadFile put in front (the subject names the file).
func causeOf(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return err.Error()
}
