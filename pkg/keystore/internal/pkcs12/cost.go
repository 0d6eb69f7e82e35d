package pkcs12

// The work of one file's key derivations is bounded by cost, not by
// iteration counts alone: an iteration of PBKDF2-HMAC-SHA-512 costs three
// times one of HMAC-SHA-256, so a flat iteration budget let a file of four
// SHA-512 derivations at MaxIterations spend ~18 s.
//
// Costs are nanoseconds of one iteration, measured with the benchmarks in
// cost_test.go (BenchmarkIteration) on the project's reference machine
// (2-core Intel Xeon with SHA-NI, Go 1.26, crypto/pbkdf2 and this
// package's pkcs12KDF):
//
//	                PBKDF2 (HMAC, 2 compressions)   PKCS#12 KDF (1 compression)
//	SHA-1           196 ns                          91 ns
//	SHA-224/256     167 ns                          80 ns
//	SHA-384/512     541 ns                          250 ns
//
// (SHA-256 beats SHA-1 there because only SHA-256 has SHA-NI support in
// Go.) The constants below round those up. Cipher set-up is negligible
// beside them (AES key schedule ~1 µs, 3DES ~10 µs, RC2 similar: noise
// next to even 1,000 iterations) and is not counted.
//
// A derivation costs iterations × blocks × the cost of one iteration,
// where blocks is the number of hash outputs needed: PBKDF2 runs its
// iterations once per hLen-sized block of the key (AES-256 from
// HMAC-SHA-1 is 2 blocks), the PKCS#12 KDF once per u-sized block of the
// key and once more for the IV (3DES from SHA-1: 2 + 1). A derivation that
// has to be tried with both encodings of an empty password counts twice.
const (
	costPBKDF2SHA1   = 200
	costPBKDF2SHA256 = 170
	costPBKDF2SHA512 = 550
	costKDFSHA1      = 95
	costKDFSHA256    = 85
	costKDFSHA512    = 260
)

// derivationBudget bounds the cost (as above, in nanoseconds of one core
// of the reference machine) of all the key derivations of one file: the
// MAC and every encrypted safe, shrouded key and secret. It is checked
// before each derivation is started; the derivations of the bags that can
// be seen without decrypting anything are all counted before the first
// one runs.
//
// The bound comes from the largest real files that must be read. NSS
// (pk12util, Firefox "Backup All") writes 600,000 iterations for the MAC
// (PKCS#12 KDF, SHA-256), the certificate safe and every shrouded key
// (PBKDF2-HMAC-SHA-256, one block for AES-128 and AES-256). A 60-key NSS
// export costs 600,000 × (85 + 170 + 60 × 170) ns ≈ 6.3 s; 7 s admits up
// to 66 such keys. No file can cost more, whatever its size and hash: at
// most 7 s of one core, about 3.5 s on the reference machine's two cores,
// because the encrypted safes (alongside the MAC) and then the keys are
// derived in parallel. A single derivation at MaxIterations with SHA-512
// costs 5.5 s and is accepted on its own; two are refused.
const derivationBudget int64 = 7_000_000_000

// costOf returns iterations × blocks × per-iteration cost without
// overflowing: every factor is bounded (MaxIterations, small key sizes).
func costOf(iterations, blocks int, perIteration int64) int64 {
	return int64(iterations) * int64(blocks) * perIteration
}

// blocksFor is the number of size-byte outputs that make keyLen bytes.
func blocksFor(keyLen, size int) int {
	return (keyLen + size - 1) / size
}
