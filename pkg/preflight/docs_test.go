package preflight

import (
	"os"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/krb5conf"
)

// Every check name is documented in docs/troubleshooting.md.
func TestEveryCheckDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	names := append(Checks(), krb5conf.Checks()...)
	for _, n := range names {
		if !strings.Contains(string(doc), "| `"+string(n)+"` |") {
			t.Errorf("check %s is not in docs/troubleshooting.md", n)
		}
	}
}
