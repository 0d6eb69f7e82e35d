package preflight

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/uccert/uccert/pkg/keystore"
)

// loadStore reads a store and reports store-unreadable,
// store-wrong-password and the type mismatch; nil when unusable.
func loadStore(c *collector, spec *StoreSpec, opts Options) *keystore.Store {
	subject := spec.Path
	data, err := keystore.ReadFileLimited(spec.Path)
	if err != nil {
		hint := "check the path (relative paths are relative to the connector's working folder) and the file's permissions"
		if errors.Is(err, fs.ErrNotExist) {
			c.errorf(CheckStoreUnreadable, subject, hint, "the file does not exist")
		} else {
			c.errorf(CheckStoreUnreadable, subject, hint, "cannot read the file: %s", causeOf(err, spec.Path))
		}
		return nil
	}
	format := keystore.Detect(data)
	if !format.IsStore() {
		c.errorf(CheckStoreUnreadable, subject, "give a JKS or PKCS#12 store; build one with uccert merge or uccert truststore",
			"not a keystore (the content is %s)", format)
		return nil
	}
	typeCheck := CheckStoreTypeMismatch
	if spec.TypeFromArgs {
		typeCheck = CheckArgsTypeMismatch
	}
	mark := c.since()
	if spec.Type != "" {
		declared, err := keystore.ParseStoreFormat(spec.Type)
		switch {
		case err != nil:
			c.errorf(typeCheck, subject, "use jks or pkcs12", "declared store type %q is neither jks nor pkcs12", spec.Type)
		case declared != format:
			c.errorf(typeCheck, subject, fmt.Sprintf("declare the type as %s (uccert args prints the right arguments)", format),
				"declared as %s but the file is %s; Java 17 tolerates this through keystore.type.compat, older JREs and the connector's other tools do not", declared, format)
		}
	}
	c.passed(mark, subject, map[string]string{typeCheck: "the file is " + format.String() + typeNote(spec)})
	if !spec.HasPassword {
		c.errorf(CheckStoreWrongPassword, subject, "give the store password (-*_store_pass, or --cert-store-pass/--key-store-pass)", "no store password given")
		return nil
	}
	s, err := keystore.Decode(data, keystore.DecodeOptions{Password: spec.Password})
	switch {
	case errors.Is(err, keystore.ErrIncorrectPassword):
		c.errorf(CheckStoreWrongPassword, subject, "give the password the store was written with", "the store password is wrong")
		return nil
	case err != nil:
		c.errorf(CheckStoreUnreadable, subject, "rebuild the store with uccert merge or uccert truststore", "%s", err.Error())
		return nil
	}
	c.add(CheckStoreUnreadable, OK, subject, fmt.Sprintf("read: %s, %d %s", s.Format, len(s.Entries), plural(len(s.Entries), "entry", "entries")), "")
	c.add(CheckStoreWrongPassword, OK, subject, "the store password opens the store", "")
	return s
}

func typeNote(spec *StoreSpec) string {
	if spec.Type == "" {
		return " (no type declared)"
	}
	return ", as declared"
}

// causeOf strips the path from an error that names it.
func causeOf(err error, path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), path), ": ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
