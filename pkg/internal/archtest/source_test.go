package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const root = "../../.."

// goFiles parses the non-test Go files of dir and its subfolders.
func goFiles(t *testing.T, dir string) map[string]*ast.File {
	t.Helper()
	out := map[string]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir // not part of any package (test programs such as e2e's lockholder)
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The daemon imports connector to parse its arguments, load its stores
// and rotate them: that must not link the live checks (package verify),
// gokrb5's KDC client, net/http or the CLI.
func TestDaemonImportIsLean(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/uccert/uccert/pkg/connector").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, bad := range []string{
		"github.com/uccert/uccert/pkg/verify",
		"github.com/jcmturner/gokrb5/v8/client",
		"net/http",
		"github.com/urfave/cli/v2",
	} {
		for _, d := range deps {
			if d == bad {
				t.Errorf("pkg/connector links %s", bad)
			}
		}
	}
	if len(deps) > 220 { // 205 in 0.2.0; the KDC client alone would add 30
		t.Errorf("pkg/connector links %d packages", len(deps))
	}
}

// testHelpers are the packages only _test.go files may import.
var testHelpers = []string{"pkg/internal/judge", "pkg/internal/fixtures", "pkg/internal/testfs", "pkg/internal/testpki", "pkg/internal/e2e", "pkg/internal/archtest"}

// No program or library code imports a test helper: they shell out to
// real tools, read fixtures and make FIFOs and sockets.
func TestTestHelpersOnlyInTests(t *testing.T) {
	for name, f := range goFiles(t, ".") {
		inHelper := slices.ContainsFunc(testHelpers, func(h string) bool {
			return strings.HasPrefix(filepath.ToSlash(name), h+"/")
		})
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			h, ok := strings.CutPrefix(path, "github.com/uccert/uccert/")
			if ok && !inHelper && slices.Contains(testHelpers, h) {
				t.Errorf("%s imports the test helper %s", name, h)
			}
		}
	}
}

// Nothing below cmd/ prints, exits, logs or runs init code.
func TestLibraryDoesNotPrintOrExit(t *testing.T) {
	forbidden := map[string]bool{
		"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true, "os.Exit": true,
		"log.Print": true, "log.Printf": true, "log.Println": true, "log.Fatal": true, "log.Fatalf": true,
		"log.Panic": true, "os.Stdout": true, "os.Stderr": true,
	}
	for name, f := range goFiles(t, "pkg") {
		if strings.HasPrefix(name, "pkg/internal/judge/") || strings.HasPrefix(name, "pkg/internal/archtest/") {
			continue // test helpers
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && forbidden[id.Name+"."+x.Sel.Name] {
					t.Errorf("%s: uses %s.%s", name, id.Name, x.Sel.Name)
				}
			case *ast.FuncDecl:
				if x.Recv == nil && x.Name.Name == "init" {
					t.Errorf("%s: has an init function", name)
				}
			}
			return true
		})
	}
}

// cliFlag is a uccert command-line option inside a message.
var cliFlag = regexp.MustCompile(`(^|[^-\w])--[a-z][a-z0-9-]+`)

// Library errors never name a CLI flag (the CLI adds that advice) and
// never flatten a cause to text: err.Error() is not an argument of
// fmt.Errorf or errors.New (use %w).
func TestLibraryErrors(t *testing.T) {
	for name, f := range goFiles(t, "pkg") {
		if strings.HasPrefix(name, "pkg/internal/judge/") {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, _ := sel.X.(*ast.Ident)
			if pkg == nil || !(pkg.Name == "fmt" && sel.Sel.Name == "Errorf" || pkg.Name == "errors" && sel.Sel.Name == "New") {
				return true
			}
			for _, arg := range call.Args {
				if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					if cliFlag.MatchString(s) {
						t.Errorf("%s: error text names a CLI flag: %s", name, lit.Value)
					}
				}
				if c, ok := arg.(*ast.CallExpr); ok {
					if s, ok := c.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "Error" && len(c.Args) == 0 {
						t.Errorf("%s: %s flattens an error with .Error(); wrap it with %%w", name, sel.Sel.Name)
					}
				}
			}
			return true
		})
	}
}

// Every exported package has a package comment and runnable examples;
// comments cite files of the repository, not documents outside it.
func TestPackagesDocumented(t *testing.T) {
	files := goFiles(t, "pkg")
	docs := map[string]bool{}
	for name, f := range files {
		if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package ") {
			docs[filepath.Dir(name)] = true
		}
		for _, cg := range f.Comments {
			for _, word := range []string{"FACTS", "SPEC"} {
				if regexp.MustCompile(`\b` + word + `\b`).MatchString(cg.Text()) {
					t.Errorf("%s: a comment cites %s, which is not in the repository", name, word)
				}
			}
		}
	}
	dirs := map[string]bool{}
	for name := range files {
		dirs[filepath.Dir(name)] = true
	}
	for dir := range dirs {
		if !docs[dir] {
			t.Errorf("%s has no package comment", dir)
		}
		if strings.Contains(dir, "internal") {
			continue
		}
		examples, _ := filepath.Glob(filepath.Join(root, dir, "example*_test.go"))
		found := false
		for _, e := range examples {
			b, _ := os.ReadFile(e)
			found = found || strings.Contains(string(b), "\nfunc Example")
		}
		if !found {
			t.Errorf("%s has no Example function", dir)
		}
	}
}
