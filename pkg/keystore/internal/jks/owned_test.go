package jks

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// DecodeOwned reads what Decode reads, with the same checks, and its
// entries share the caller's bytes instead of a copy.
func TestDecodeOwned(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixturesDir, "stores", "many.jks"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode(b, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeOwned(b, "changeit1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("DecodeOwned and Decode differ")
	}
	leaf := got[0].Chain[0]
	if i := bytes.Index(b, leaf); i < 0 || &b[i] != &leaf[0] {
		t.Error("the entries do not share the caller's bytes")
	}
	if w := want[0].Chain[0]; &w[0] == &leaf[0] {
		t.Error("Decode's entries share the caller's bytes")
	}
	if _, err := DecodeOwned(b, "wrong-password"); !errors.Is(err, ErrIncorrectPassword) {
		t.Errorf("wrong password: %v", err)
	}
}
