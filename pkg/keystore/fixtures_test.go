package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/secret"

	"github.com/uccert/uccert/pkg/certfile"
)

const fixturesDir = "../../fixtures"

// loadExpected reads fixtures/expected.json (package fixtures).
func loadExpected(t *testing.T) []fixtures.File { return fixtures.Load(t) }

// Every fixture made by openssl, keytool and pk12util reads with the
// entries, kinds, chains and fingerprints those tools report.
func TestFixturesReadAsTheToolsSay(t *testing.T) {
	for _, f := range loadExpected(t) {
		if f.Hostile {
			continue
		}
		t.Run(f.File, func(t *testing.T) {
			opts := DecodeOptions{}
			if f.Password != nil {
				opts.Password = secretPW(*f.Password)
			}
			if f.KeyPassword != nil {
				opts.KeyPasswords = []secret.Password{secretPW(*f.KeyPassword)}
			}
			path := filepath.Join(fixturesDir, f.File)
			if strings.Contains(f.File, "negserial") && !strings.HasSuffix(f.File, ".key.pem") {
				// Go refuses negative serials unless the program sets
				// GODEBUG=x509negativeserial=1 (uccert's main package
				// does): first the refusal, naming the setting, then the
				// file as the tools read it.
				t.Setenv("GODEBUG", "x509negativeserial=0")
				_, err := Load(path, opts)
				if !errors.Is(err, ErrUnsupported) || !errors.Is(err, certfile.ErrNegativeSerial) || !strings.Contains(err.Error(), "GODEBUG=x509negativeserial=1") {
					t.Errorf("without the setting: %v, want ErrUnsupported and certfile.ErrNegativeSerial naming GODEBUG=x509negativeserial=1", err)
				}
				t.Setenv("GODEBUG", "x509negativeserial=1")
			}
			s, err := Load(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if s.Format.String() != f.Type {
				t.Errorf("format %v, want %s", s.Format, f.Type)
			}
			type seen struct{ kind, alias, key, chain string }
			var got, want []seen
			for _, e := range s.Entries {
				var chain []string
				for _, c := range e.Chain {
					chain = append(chain, certfile.Fingerprint(c))
				}
				key := ""
				if e.Leaf() != nil && e.Kind == KindKey {
					key = PublicKeyDescription(e.Leaf().PublicKey)
				}
				if e.Kind == KindKey && e.Key == nil {
					t.Errorf("key of %q not recovered: %v", e.Alias, e.KeyErr)
				}
				got = append(got, seen{e.Kind.String(), e.Alias, key, strings.Join(chain, ",")})
			}
			for _, e := range f.Entries {
				alias := ""
				if e.FriendlyName != nil {
					alias = *e.FriendlyName
				}
				chain := e.ChainSHA256
				if chain == nil && e.SHA256 != nil {
					chain = []string{*e.SHA256}
				}
				key := e.KeyName()
				if e.Kind != "key" || len(chain) == 0 {
					key = ""
				}
				want = append(want, seen{e.Kind, alias, key, strings.Join(chain, ",")})
			}
			less := func(s []seen) func(i, j int) bool {
				return func(i, j int) bool { return s[i].chain+s[i].alias < s[j].chain+s[j].alias }
			}
			sort.Slice(got, less(got))
			sort.Slice(want, less(want))
			if len(got) != len(want) {
				t.Fatalf("entries:\n got  %v\n want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("entry %d:\n got  %+v\n want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// The trap store without its key password: readable, key reported.
func TestTrapStoreReportsKeyPassword(t *testing.T) {
	s, err := Load(filepath.Join(fixturesDir, "stores", "trap.jks"), DecodeOptions{Password: secretPW("changeit1")})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Entries[0]
	if e.Key != nil || !errors.Is(e.KeyErr, ErrKeyPassword) || len(e.Chain) != 3 {
		t.Fatalf("trap entry: key %v err %v chain %d", e.Key != nil, e.KeyErr, len(e.Chain))
	}
}

// Hostile files: a declared error naming the cause, quickly, without a
// panic, a key derivation or a large allocation.
func TestHostileFiles(t *testing.T) {
	declared := []error{ErrMalformed, ErrUnknownFormat, ErrLimit, ErrIncorrectPassword, ErrUnsupported, ErrTooLarge}
	wantErr := map[string]error{
		"iterbomb-mac.pfx":      ErrLimit,
		"iterbomb-kdf.pfx":      ErrLimit,
		"iterbomb-kdf-3des.pfx": ErrLimit,
		"jks-bomb-count.jks":    ErrMalformed,
		"jks-bomb-alias.jks":    ErrMalformed,
		"jks-bomb-chain.jks":    ErrMalformed,
		"jks-bomb-certlen.jks":  ErrMalformed,
		"ber-deep.p12":          ErrMalformed,
		"truncated.pfx":         ErrMalformed,
		"truncated.jks":         ErrMalformed,
		"empty.pfx":             ErrMalformed,
		"garbage.bin":           ErrUnknownFormat,
		"not-a-store.txt":       ErrUnknownFormat,
	}
	n := 0
	for _, f := range loadExpected(t) {
		if !f.Hostile {
			continue
		}
		n++
		name := filepath.Base(f.File)
		t.Run(name, func(t *testing.T) {
			pw := "changeit1"
			if f.Password != nil {
				pw = *f.Password
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Load(filepath.Join(fixturesDir, f.File), DecodeOptions{Password: secretPW(pw)})
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name the file", err)
			}
			ok := false
			for _, d := range declared {
				ok = ok || errors.Is(err, d)
			}
			if !ok {
				t.Errorf("error %q is not a declared one", err)
			}
			if w := wantErr[name]; w != nil && !errors.Is(err, w) {
				t.Errorf("error %q, want %v", err, w)
			}
			// A bound, not a speed measurement: the bombs would take
			// minutes (iterations) or gigabytes (JKS lengths) if followed.
			if elapsed > time.Second {
				t.Errorf("took %v", elapsed)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
	if n < len(wantErr) {
		t.Fatalf("expected.json lists %d hostile files, want at least %d", n, len(wantErr))
	}
}

func TestTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pfx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxInputSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(path, DecodeOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
	if _, err := Decode(make([]byte, MaxInputSize+1), DecodeOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}
