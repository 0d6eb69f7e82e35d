package jks

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	kgo "github.com/pavlo-v-chernykh/keystore-go/v4"
)

// benchEntries are 60 key entries (the 24 RSA and EC keys of many.jks,
// repeated under new aliases) as PKCS#8 and chains, and the same store
// encoded with the password changeit1.
type benchKey struct {
	alias string
	pkcs8 []byte
	chain [][]byte
}

const benchPassword = "changeit1"

func benchStore(b *testing.B) ([]benchKey, []byte) {
	b.Helper()
	entries, err := Decode(readFixture(b, "stores/many.jks"), benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	var keys []benchKey
	for i := range 60 {
		e := entries[i%len(entries)]
		pkcs8, err := RecoverKey(e.Protected, benchPassword)
		if err != nil {
			b.Fatal(err)
		}
		keys = append(keys, benchKey{fmt.Sprintf("entry-%02d.uc.example.com", i), pkcs8, e.Chain})
	}
	var out []Entry
	for _, k := range keys {
		p, err := ProtectKey(k.pkcs8, benchPassword, nil)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, Entry{Alias: k.alias, Created: time.Now(), Protected: p, Chain: k.chain})
	}
	data, err := Encode(out, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	return keys, data
}

// Decode a 60-entry store and recover every key: ours, and keystore-go
// (Load and GetPrivateKeyEntry) for comparison.
func BenchmarkDecode60(b *testing.B) {
	keys, data := benchStore(b)
	b.Run("uccert", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			entries, err := Decode(data, benchPassword)
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range entries {
				if _, err := RecoverKey(e.Protected, benchPassword); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("keystore-go", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		pw := []byte(benchPassword)
		for b.Loop() {
			ks := kgo.New()
			if err := ks.Load(bytes.NewReader(data), pw); err != nil {
				b.Fatal(err)
			}
			for _, k := range keys {
				if _, err := ks.GetPrivateKeyEntry(k.alias, pw); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// Protect 60 keys and encode the store: ours, and keystore-go
// (SetPrivateKeyEntry and Store) for comparison.
func BenchmarkEncode60(b *testing.B) {
	keys, data := benchStore(b)
	created := time.Now()
	b.Run("uccert", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		entries := make([]Entry, len(keys))
		for b.Loop() {
			for i, k := range keys {
				p, err := ProtectKey(k.pkcs8, benchPassword, nil)
				if err != nil {
					b.Fatal(err)
				}
				entries[i] = Entry{Alias: k.alias, Created: created, Protected: p, Chain: k.chain}
			}
			if _, err := Encode(entries, benchPassword); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("keystore-go", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		pw := []byte(benchPassword)
		for b.Loop() {
			ks := kgo.New(kgo.WithOrderedAliases())
			for _, k := range keys {
				if err := ks.SetPrivateKeyEntry(k.alias, kgo.PrivateKeyEntry{CreationTime: created, PrivateKey: k.pkcs8, CertificateChain: kgoChain(k.chain)}, pw); err != nil {
					b.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := ks.Store(&buf, pw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
