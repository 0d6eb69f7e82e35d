package keystore

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uccert/uccert/pkg/certfile"
	"github.com/uccert/uccert/pkg/internal/fixtures"
	"github.com/uccert/uccert/pkg/secret"
)

// pycaVector is one file of fixtures/pyca/vectors.json: a test vector of
// pyca/cryptography as OpenSSL and keytool read it (fields described in
// fixtures/pyca/README.md).
type pycaVector struct {
	File       string  `json:"file"`
	Kind       string  `json:"kind"`
	Password   *string `json:"password"`
	Producer   string  `json:"producer"`
	FileSHA256 string  `json:"file_sha256"`
	OpenSSL    struct {
		OK          bool     `json:"ok"`
		Error       *string  `json:"error"`
		NeedsLegacy bool     `json:"needs_legacy"`
		Keys        int      `json:"keys"`
		Certs       int      `json:"certs"`
		CertSHA256  []string `json:"cert_sha256"`
	} `json:"openssl"`
	Keytool struct {
		OK      bool    `json:"ok"`
		Error   *string `json:"error"`
		Entries []struct {
			Alias  string  `json:"alias"`
			Kind   string  `json:"kind"`
			SHA256 *string `json:"sha256"`
		} `json:"entries"`
		SHA256 []string `json:"sha256"`
	} `json:"keytool"`
	Notes string `json:"notes"`
}

// loadPycaVectors reads fixtures/pyca/vectors.json and checks that it lists
// enough files of each kind.
func loadPycaVectors(t *testing.T) []pycaVector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixturesDir, "pyca", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string       `json:"version"`
		Files   []pycaVector `json:"files"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("fixtures/pyca/vectors.json: %v", err)
	}
	var p12, certFiles int
	for _, v := range doc.Files {
		switch v.Kind {
		case "pkcs12":
			p12++
		case "der", "pem", "pkcs7":
			certFiles++
		default:
			t.Errorf("%s: kind %q is none of pkcs12, der, pem, pkcs7", v.File, v.Kind)
		}
		if v.File == "" || len(v.FileSHA256) != 64 {
			t.Errorf("entry %+v lacks its file name or file_sha256", v)
		}
	}
	if p12 < 20 || certFiles < 30 {
		t.Fatalf("vectors.json lists %d PKCS#12 and %d certificate files; want at least 20 and 30", p12, certFiles)
	}
	t.Logf("vectors.json: python3-cryptography-vectors %s, %d PKCS#12 and %d certificate files", doc.Version, p12, certFiles)
	return doc.Files
}

// pycaVectorsDir returns the folder holding cryptography_vectors/:
// $UCCERT_PYCA_VECTORS, else the cache folder .ci/pyca-vectors fills. When
// the vectors are missing it fetches them in CI (.ci/pyca-vectors, which
// .ci/install-deps runs first anyway) and fails if that fails; elsewhere it
// skips the test loudly rather than download 29 MB behind the developer's back.
func pycaVectorsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("UCCERT_PYCA_VECTORS")
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				t.Fatalf("no home folder to find the pyca vectors in: %v", err)
			}
			cache = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(cache, "uccert", "pyca-vectors")
	}
	if st, err := os.Stat(filepath.Join(dir, "cryptography_vectors")); err == nil && st.IsDir() {
		return dir
	}
	if os.Getenv("CI") == "" {
		t.Skipf("SKIPPING: pyca/cryptography's test vectors are not in %s; fetch them with .ci/pyca-vectors (apt-get download python3-cryptography-vectors + dpkg-deb -x, nothing installed) or set UCCERT_PYCA_VECTORS", dir)
	}
	cmd := exec.Command("bash", filepath.Join("..", "..", ".ci", "pyca-vectors"))
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("pyca/cryptography's test vectors are required in CI and .ci/pyca-vectors failed: %v %s", err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// pycaRefused are the files of fixtures/pyca/vectors.json uccert refuses,
// with the reason its error gives; for each, keytool or OpenSSL (or both)
// refuses it too (vectors.json records them), so uccert never refuses a
// file both read.
var pycaRefused = map[string]string{
	"pkcs7/enveloped.pem":                      "holds no certificates",           // enveloped data: no certificate to read (keytool refuses)
	"x509/badasn1time.pem":                     "malformed UTCTime",               // keytool refuses
	"x509/cryptography.io.with_garbage.pem":    "not a valid private key",         // a PEM key block of garbage (keytool refuses)
	"x509/custom/invalid_version.pem":          "invalid version",                 // version 4 (keytool refuses)
	"x509/custom/long-form-name-attribute.pem": "invalid RDNSequence",             // both refuse
	"x509/v1_cert.pem":                         "signature algorithm identifiers", // keytool refuses
}

// TestPycaVectors reads every file of fixtures/pyca/vectors.json
// (pyca/cryptography's test vectors: PKCS#12 files and odd certificates
// made by OpenSSL, NSS, Windows and Java) with Load, as the command line
// does (x509negativeserial=1), and compares what it reads with what
// OpenSSL (or, where OpenSSL refuses, keytool) read: the same certificates
// and as many private keys. A file uccert refuses must be listed in
// pycaRefused with its reason, and refused by another tool too.
func TestPycaVectors(t *testing.T) {
	vectors := loadPycaVectors(t)
	dir := pycaVectorsDir(t)
	t.Setenv("GODEBUG", "x509negativeserial=1")
	var uccertOK, opensslOK, keytoolOK int
	for _, v := range vectors {
		path := filepath.Join(dir, "cryptography_vectors", filepath.FromSlash(v.File))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: listed in vectors.json but not readable: %v", v.File, err)
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != v.FileSHA256 {
			t.Errorf("%s: content differs from what vectors.json describes (another package version?); rerun fixtures/pyca/describe.sh", v.File)
			continue
		}
		if v.OpenSSL.OK {
			opensslOK++
		}
		if v.Keytool.OK {
			keytoolOK++
		}
		pw := ""
		if v.Password != nil {
			pw = *v.Password
		}
		s, err := Load(path, DecodeOptions{Password: secret.NewPassword(pw)})
		reason, listed := pycaRefused[v.File]
		switch {
		case err != nil && !listed:
			t.Errorf("%s: uccert refuses it (%v); openssl %s, keytool %s", v.File, err, okWord(v.OpenSSL.OK), okWord(v.Keytool.OK))
		case err != nil:
			if !strings.Contains(err.Error(), reason) {
				t.Errorf("%s: refused with %q, want the reason %q", v.File, err, reason)
			}
			if v.OpenSSL.OK && v.Keytool.OK {
				t.Errorf("%s: uccert refuses a file OpenSSL and keytool both read", v.File)
			}
			if raw := fixtures.LibraryText(err, nil); raw != "" {
				t.Errorf("%s: library text %q in %q", v.File, raw, err)
			}
		case listed:
			t.Errorf("%s: uccert reads it now; take it out of pycaRefused", v.File)
		default:
			uccertOK++
			checkPycaStore(t, v, s)
		}
	}
	if uccertOK < len(vectors)-len(pycaRefused) {
		t.Errorf("uccert reads %d of %d files", uccertOK, len(vectors))
	}
	t.Logf("uccert reads %d of %d files (openssl %d, keytool %d)", uccertOK, len(vectors), opensslOK, keytoolOK)
}

// checkPycaStore compares what uccert read of a vector with what OpenSSL
// read (keytool where OpenSSL refused): the set of certificates by
// SHA-256, and the number of private keys.
func checkPycaStore(t *testing.T, v pycaVector, s *Store) {
	t.Helper()
	got := map[string]bool{}
	keys := 0
	for _, e := range s.Entries {
		for _, c := range e.Chain {
			got[certfile.Fingerprint(c)] = true
		}
		if e.Kind == KindKey {
			keys++
		}
	}
	var want []string
	switch {
	case v.OpenSSL.OK:
		want = v.OpenSSL.CertSHA256
		if v.Kind == "pkcs12" && keys != v.OpenSSL.Keys {
			t.Errorf("%s: %d private keys, OpenSSL reads %d", v.File, keys, v.OpenSSL.Keys)
		}
	case v.Keytool.OK:
		want = v.Keytool.SHA256
	default:
		t.Errorf("%s: uccert reads a file OpenSSL and keytool both refuse", v.File)
		return
	}
	for _, fp := range want {
		if !got[fp] {
			t.Errorf("%s: certificate %s, which the other tools read, is missing (uccert: %s)", v.File, fp, pycaStoreSummary(s, v))
		}
		delete(got, fp)
	}
	for fp := range got {
		t.Errorf("%s: certificate %s is not among those the other tools read", v.File, fp)
	}
}

func okWord(ok bool) string {
	if ok {
		return "ok"
	}
	return "refuses"
}

// pycaStoreSummary describes what uccert read: its entries and whether its
// certificates are the ones OpenSSL listed.
func pycaStoreSummary(s *Store, v pycaVector) string {
	var parts []string
	seen := map[string]bool{}
	for _, e := range s.Entries {
		part := e.Kind.String()
		if e.Alias != "" {
			part += fmt.Sprintf(" %q", e.Alias)
		}
		if signer, ok := e.Key.(crypto.Signer); ok {
			part += " " + PublicKeyDescription(signer.Public())
		}
		if e.Kind == KindKey {
			part += fmt.Sprintf(" chain %d", len(e.Chain))
			if e.KeyErr != nil {
				part += " (key: " + e.KeyErr.Error() + ")"
			}
		}
		parts = append(parts, part)
		for _, c := range e.Chain {
			seen[certfile.Fingerprint(c)] = true
		}
	}
	missing := 0
	for _, fp := range v.OpenSSL.CertSHA256 {
		if !seen[fp] {
			missing++
		}
	}
	verdict := "same certificates as openssl"
	if missing > 0 || len(seen) != len(v.OpenSSL.CertSHA256) {
		verdict = fmt.Sprintf("%d certificates, openssl %d, %d of openssl's missing", len(seen), len(v.OpenSSL.CertSHA256), missing)
	}
	return fmt.Sprintf("[%s] (%s)", strings.Join(parts, "; "), verdict)
}
