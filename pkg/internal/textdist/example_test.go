package textdist_test

import (
	"fmt"

	"github.com/uccert/uccert/pkg/internal/textdist"
)

func ExampleDistance() {
	fmt.Println(textdist.Distance("-ket_store_type", "-key_store_type"))
	fmt.Println(textdist.Distance("Zoë", "Zoe"))
	// Output:
	// 1
	// 1
}

func ExampleClosest() {
	flags := []string{"-cert_store_file", "-key_store_file", "-key_store_type"}
	fmt.Println(textdist.Closest("-ket_store_type", flags, 3))
	fmt.Println(textdist.Closest("-host", flags, 3))
	// Output:
	// -key_store_type true
	//  false
}
