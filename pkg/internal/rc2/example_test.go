package rc2_test

import (
	"crypto/cipher"
	"encoding/hex"
	"fmt"

	"github.com/uccert/uccert/pkg/internal/rc2"
)

// Decrypting data protected the way pbeWithSHAAnd40BitRC2-CBC protects a
// PKCS#12 certificate bag: a 5-byte key, 40 effective key bits, CBC mode.
func Example() {
	key, _ := hex.DecodeString("0102030405")
	iv, _ := hex.DecodeString("0001020304050607")
	block, err := rc2.New(key, 40)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Output of: printf 'hello world' | openssl enc -provider legacy
	//   -provider default -rc2-40-cbc -K 0102030405 -iv 0001020304050607
	ciphertext, _ := hex.DecodeString("511a3d0aebca506fc1d5e2ba97dc1098")
	plaintext := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plaintext, ciphertext)

	pad := int(plaintext[len(plaintext)-1]) // PKCS#7 padding
	fmt.Printf("%s\n", plaintext[:len(plaintext)-pad])
	// Output: hello world
}
