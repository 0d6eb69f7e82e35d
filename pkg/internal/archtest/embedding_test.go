package archtest

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var updateDocs = flag.Bool("update-embedding", false, "rewrite the example blocks of docs/embedding.md from the Example functions")

// exampleMarker introduces a block of docs/embedding.md that shows an
// Example function as it is in the source (go doc does not print examples
// of other packages' tests; the page shows them itself).
var exampleMarker = regexp.MustCompile("<!-- example (pkg/[a-z/]+) (Example\\w*) -->\n```go\n(?s:(.*?))```\n")

// exampleSource returns the source of an Example function of a package,
// with its doc comment, as gofmt prints it.
func exampleSource(t *testing.T, dir, name string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, dir, "*_test.go"))
	for _, f := range files {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != name {
				continue
			}
			var buf bytes.Buffer
			cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
			if err := cfg.Fprint(&buf, fset, &printer.CommentedNode{Node: fn, Comments: file.Comments}); err != nil {
				t.Fatal(err)
			}
			return buf.String() + "\n"
		}
	}
	t.Fatalf("%s has no %s", dir, name)
	return ""
}

// docs/embedding.md shows the runnable examples of the packages the
// daemon uses, exactly as they are in the source, so that the page cannot
// go stale (go test -run TestEmbeddingShowsTheExamples -update-embedding
// rewrites the blocks).
func TestEmbeddingShowsTheExamples(t *testing.T) {
	path := filepath.Join(root, "docs", "embedding.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	out := exampleMarker.ReplaceAllStringFunc(string(doc), func(block string) string {
		m := exampleMarker.FindStringSubmatch(block)
		n++
		want := exampleSource(t, m[1], m[2])
		if m[3] != want && !*updateDocs {
			t.Errorf("docs/embedding.md: the block of %s %s differs from the source:\n--- doc\n%s--- source\n%s", m[1], m[2], m[3], want)
		}
		return "<!-- example " + m[1] + " " + m[2] + " -->\n```go\n" + want + "```\n"
	})
	if n < 5 {
		t.Errorf("docs/embedding.md shows %d examples, want at least 5", n)
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
