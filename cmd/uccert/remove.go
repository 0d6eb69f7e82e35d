package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/uccert/uccert/pkg/keystore"
	"github.com/uccert/uccert/pkg/merge"
	"github.com/urfave/cli/v2"
)

func removeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "remove",
		Usage:     "remove entries from a JKS or PKCS#12 store by alias, host name or expiry",
		ArgsUsage: "STORE",
		UsageText: "uccert remove [--alias NAME]... [--host FQDN]... [--expired] [--pass SRC] [--allow-empty] [--compat modern|legacy] [--lock-timeout DURATION] [--json] STORE",
		Description: `Removes the entries of STORE that match, and writes the rest back the way merge
--append does: under STORE's update lock (a concurrent merge --append or remove waits
its turn and loses nothing), to a temporary file beside it that is read back and
compared before it replaces STORE. Prints what was removed (alias, kind, subject,
serial, not-after) and what remains.

Selecting:
   --alias NAME   the entry with this alias (Java's rule: without regard to case)
   --host FQDN    the key entries whose certificate serves FQDN (DNS names, wildcards,
                  the CN when there is no DNS name; a pool name selects every Front End)
   --expired      the entries whose certificate has expired — key AND trusted entries
Each option may be repeated: its values are alternatives. Different options must all
hold: --host fe1.pool.example.com --expired removes only the expired fe1 entries.
Every --alias must name an entry and every --host must be served by a key entry: a
mistyped one changes nothing.

Nothing matches: exit 1, STORE unchanged. Removing the last key entry of a store that
has key entries, or every trusted entry of a trust store, needs --allow-empty (the
connector does not start without them). A PKCS#12 STORE is written again with the
profile it has — legacy (3DES, SHA-1 MAC: JREs older than 8u301 read it) or modern —
unless --compat names one.

EXAMPLES:
   # After a renewal, remove the expired certificates:
   uccert remove --expired --pass prompt ucc-keys.jks
   # Remove one entry, as keytool -delete -alias fe1-old does:
   uccert remove --alias fe1-old --pass env:KS_PASS ucc-keys.jks
   # A Front End left the pool: remove its entries, and say so in JSON:
   uccert remove --host fe3.pool.example.com --pass file:store.pass --json ucc-keys.p12
   # Remove an expired CA certificate from the trust store:
   uccert remove --alias old-root --pass prompt ucc-trust.jks

` + passwordSources + exitCodes,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "alias", KeepSpace: true, Usage: "remove the entry with alias `NAME` (repeatable)"},
			&cli.StringSliceFlag{Name: "host", KeepSpace: true, Usage: "remove the key entries that serve `FQDN` (repeatable)"},
			&cli.BoolFlag{Name: "expired", Usage: "remove the entries (key and trusted) whose certificate has expired"},
			&cli.StringFlag{Name: "pass", Usage: "password `SRC` of STORE; prompts on a terminal when omitted"},
			&cli.BoolFlag{Name: "allow-empty", Usage: "allow removing the last key entry (or the last trusted entry of a trust store)"},
			&cli.StringFlag{Name: "compat", Usage: "PKCS#12 `PROFILE` STORE is written with: modern or legacy (JREs before 8u301); default: the one STORE has"},
			lockTimeoutFlag(""),
			&cli.BoolFlag{Name: "json", Usage: "print JSON on stdout"},
		},
		Action: func(c *cli.Context) error { return runRemove(c, e) },
	}
}

// removedEntry is an entry remove took out: as inspect shows it, with its
// serial and what selected it.
type removedEntry struct {
	entryInfo
	Serial  string   `json:"serial"`
	Matched []string `json:"matched"`
}

type removeDoc struct {
	// OK is true: a failure is {"ok":false,"error":...} (as every command's).
	OK      bool           `json:"ok"`
	Store   string         `json:"store"`
	Type    string         `json:"type"`
	Removed []removedEntry `json:"removed"`
	// Entries are the entries that remain.
	Entries []entryInfo `json:"entries"`
	Notes   []string    `json:"notes"`
}

func runRemove(c *cli.Context, e *env) error {
	if c.NArg() != 1 {
		return usagef("remove: give exactly one STORE (got %d)", c.NArg())
	}
	path := c.Args().First()
	sel := merge.Selector{Aliases: c.StringSlice("alias"), Expired: c.Bool("expired")}
	for _, a := range sel.Aliases {
		if a == "" {
			return usagef("--alias: empty alias")
		}
	}
	for _, h := range c.StringSlice("host") {
		n, err := hostNameOption("host", h)
		if err != nil {
			return err
		}
		sel.Hosts = append(sel.Hosts, n)
	}
	if sel.Empty() {
		return usagef("remove: say what to remove: --alias NAME, --host FQDN or --expired")
	}
	profile, err := keystore.ParseProfile(c.String("compat"))
	if err != nil {
		return usagef("--compat: %s", err.Error())
	}
	passSrc := c.String("pass")
	if err := checkSources("--pass", passSrc); err != nil {
		return err
	}
	boundMemory(fileSizes(path))
	data, err := keystore.ReadFile(path)
	if err != nil {
		return withFile(path, err) // keystore.ReadFile names the path
	}
	format := keystore.Detect(data)
	switch {
	case format == keystore.FormatUnknown:
		return withFile(path, fmt.Errorf("%s: %w", path, keystore.ErrUnknownFormat))
	case !format.IsStore():
		return withFile(path, fmt.Errorf("%s: %w: a %s certificate file, not a JKS or PKCS#12 store: remove nothing from it, delete it or write a new one", path, keystore.ErrUnsupported, format))
	case c.IsSet("compat") && format != keystore.FormatPKCS12:
		return usagef("--compat applies to PKCS#12 stores only; %s is %s", path, format)
	}
	password, err := newPasswords(e).get(passSrc, "--pass", "password for "+filepath.Base(path))
	if err != nil {
		return withFile(path, err)
	}
	now := e.now()
	var res *merge.RemoveResult
	wopts := keystore.WriteOptions{EncodeOptions: keystore.EncodeOptions{Format: format, Password: password, Profile: profile, Now: now}}
	wait, err := lockWait(c)
	if err != nil {
		return err
	}
	target := &output{path: path, lockWait: wait, keepProfile: !c.IsSet("compat")}
	err = target.update(c.Context, e, wopts, func(current *keystore.Store) (*keystore.Store, error) {
		var err error
		res, err = merge.Remove(current, sel, merge.RemoveOptions{Name: path, AllowEmpty: c.Bool("allow-empty"), Now: now})
		if err != nil {
			return nil, err
		}
		return res.Store, nil
	})
	if err != nil {
		switch {
		case errors.Is(err, merge.ErrLastEntry):
			err = fmt.Errorf("%w; nothing was removed (give --allow-empty to remove it anyway)", err)
		case errors.Is(err, keystore.ErrKeyPassword):
			err = fmt.Errorf("%w; nothing was removed: the store is written again with every key under the store password, so repair it first: uccert merge -o fixed%s --in-pass SRC --in-key-pass SRC %s",
				err, filepath.Ext(path), shellWord(path))
		}
		return withFile(path, err)
	}
	return renderRemove(e, c.Bool("json"), path, format, res)
}

func renderRemove(e *env, asJSON bool, path string, format keystore.Format, res *merge.RemoveResult) error {
	doc := removeDoc{OK: true, Store: path, Type: format.String(), Removed: []removedEntry{}, Entries: []entryInfo{}, Notes: res.Notes}
	if doc.Notes == nil {
		doc.Notes = []string{}
	}
	for _, r := range res.Removed {
		re := removedEntry{entryInfo: describe(r.Entry), Matched: r.Reasons}
		if leaf := r.Entry.Leaf(); leaf != nil {
			re.Serial = serialText(leaf)
		}
		doc.Removed = append(doc.Removed, re)
	}
	for _, en := range res.Store.Entries {
		doc.Entries = append(doc.Entries, describe(en))
	}
	if asJSON {
		return writeJSON(e.stdout, doc)
	}
	fmt.Fprintf(e.stdout, "Removed from %s (%s): %d %s\n", esc(path), format, len(doc.Removed), plural(len(doc.Removed), "entry", "entries"))
	for _, r := range doc.Removed {
		alias := r.Alias
		if alias == "" {
			alias = "(no alias)"
		}
		fmt.Fprintf(e.stdout, "  %s  [%s]\n", esc(alias), r.Kind)
		row := func(k, v string) { fmt.Fprintf(e.stdout, "    %-9s %s\n", k+":", esc(v)) }
		row("subject", r.Subject)
		row("serial", r.Serial)
		row("valid", r.NotBefore.Format(time.RFC3339)+" to "+r.NotAfter.Format(time.RFC3339))
		row("matched", strings.Join(r.Matched, "; "))
	}
	fmt.Fprintf(e.stdout, "\n%d %s remain:\n", len(doc.Entries), plural(len(doc.Entries), "entry", "entries"))
	for _, info := range doc.Entries {
		renderEntry(e, info)
	}
	for _, n := range doc.Notes {
		fmt.Fprintf(e.stdout, "note: %s\n", esc(n))
	}
	return nil
}
