package ber_test

import (
	"encoding/asn1"
	"fmt"

	"github.com/uccert/uccert/pkg/internal/ber"
)

func ExampleToDER() {
	// SEQUENCE { INTEGER 5, OCTET STRING "hi" } with an indefinite length
	// and the OCTET STRING sent in two segments, as NSS writes it.
	in := []byte{
		0x30, 0x80,
		0x02, 0x01, 0x05,
		0x24, 0x80, 0x04, 0x01, 'h', 0x04, 0x01, 'i', 0x00, 0x00,
		0x00, 0x00,
	}
	der, err := ber.ToDER(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x\n", der)

	var v struct {
		N int
		S []byte
	}
	if _, err := asn1.Unmarshal(der, &v); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.N, string(v.S))
	// Output:
	// 300702010504026869
	// 5 hi
}

func ExampleJoinOctetStrings() {
	// [0] IMPLICIT OCTET STRING in constructed form stays constructed.
	der, _ := ber.ToDER([]byte{0xa0, 0x80, 0x04, 0x01, 'a', 0x04, 0x01, 'b', 0x00, 0x00})
	fmt.Printf("%x\n", der)
	joined, _ := ber.JoinOctetStrings(der[2:])
	fmt.Printf("%s\n", joined)
	// Output:
	// a006040161040162
	// ab
}
