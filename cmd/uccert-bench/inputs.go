//go:build !windows

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	numCAs     = 10
	numExports = 60
	fePass     = "fe-export"
	storePass  = "changeit1"
)

// leafConfig makes the Front End certificates leaves (the default
// openssl.cnf would make them CAs) usable for TLS server and client.
const leafConfig = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

// inputs are the files generated once per run with openssl.
type inputs struct {
	caCerts []string // numCAs self-signed CA certificates, DER
	exports []string // numExports PKCS#12 Front End exports under fePass
	infos   []p12Info
	feKey   string
	took    time.Duration
	// commands that made them, for the report (loops over N / NN)
	caCmds, feCmds []string
}

func caArgv(dir, n string) []string {
	return []string{"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
		"-keyout", filepath.Join(dir, "ca"+n+".key"), "-outform", "DER", "-out", filepath.Join(dir, "ca"+n+".cer"),
		"-subj", "/CN=Bench CA " + n, "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE"}
}

func newKeyArgs(feKey string) []string {
	if feKey == "ec" {
		return []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}
	}
	return []string{"-newkey", "rsa:2048"}
}

func feArgv(dir, nn, feKey string) [][]string {
	host := "fe" + nn + ".bench.uc.example.com"
	key, crt := filepath.Join(dir, "fe"+nn+".key"), filepath.Join(dir, "fe"+nn+".pem")
	req := append([]string{"openssl", "req", "-x509", "-config", filepath.Join(dir, "leaf.cnf"), "-extensions", "leaf"},
		newKeyArgs(feKey)...)
	req = append(req, "-nodes", "-keyout", key, "-out", crt, "-subj", "/CN="+host,
		"-addext", "subjectAltName=DNS:"+host, "-CA", filepath.Join(dir, "ca.pem"), "-CAkey", filepath.Join(dir, "ca.key"), "-days", "825")
	export := []string{"openssl", "pkcs12", "-export", "-inkey", key, "-in", crt, "-certfile", filepath.Join(dir, "ca.pem"),
		"-name", host, "-out", filepath.Join(dir, "fe"+nn+".pfx"), "-passout", "pass:" + fePass}
	return [][]string{req, export}
}

func makeInputs(r *runner, feKey string) (*inputs, error) {
	start := time.Now()
	in := &inputs{feKey: feKey}
	caDir, feDir := filepath.Join(r.tmp, "ca"), filepath.Join(r.tmp, "fe")
	for _, d := range []string{caDir, feDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(feDir, "leaf.cnf"), []byte(leafConfig), 0o644); err != nil {
		return nil, err
	}
	feCA := []string{"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
		"-keyout", filepath.Join(feDir, "ca.key"), "-out", filepath.Join(feDir, "ca.pem"),
		"-subj", "/CN=Bench Issuing CA", "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE"}
	in.caCmds = []string{"for N in $(seq 1 10); do", "  " + r.display(caArgv(caDir, "${N}")), "done"}
	fe := feArgv(feDir, "${NN}", feKey)
	in.feCmds = []string{
		r.display(feCA),
		"# $BENCH/fe/leaf.cnf: see below",
		"for NN in $(seq -w 1 60); do",
		"  " + r.display(fe[0]),
		"  " + r.display(fe[1]),
		"done",
	}

	fmt.Fprintf(r.log, "generating %d CA certificates and %d Front End exports (%s) with openssl\n", numCAs, numExports, feKey)
	var jobs [][][]string
	for i := 1; i <= numCAs; i++ {
		n := strconv.Itoa(i)
		jobs = append(jobs, [][]string{caArgv(caDir, n)})
		in.caCerts = append(in.caCerts, filepath.Join(caDir, "ca"+n+".cer"))
	}
	jobs = append(jobs, [][]string{feCA})
	if err := parallel(len(jobs), func(i int) error { _, err := r.sequence(jobs[i]); return err }); err != nil {
		return nil, err
	}
	jobs = jobs[:0]
	for i := 1; i <= numExports; i++ {
		nn := fmt.Sprintf("%02d", i)
		jobs = append(jobs, feArgv(feDir, nn, feKey))
		in.exports = append(in.exports, filepath.Join(feDir, "fe"+nn+".pfx"))
	}
	if err := parallel(len(jobs), func(i int) error { _, err := r.sequence(jobs[i]); return err }); err != nil {
		return nil, err
	}
	in.infos = make([]p12Info, len(in.exports))
	err := parallel(len(in.exports), func(i int) error {
		var err error
		in.infos[i], err = readP12Info(in.exports[i], fePass)
		return err
	})
	if err != nil {
		return nil, err
	}
	in.took = time.Since(start)
	fmt.Fprintf(r.log, "inputs ready in %s\n", in.took.Round(time.Millisecond))
	return in, nil
}

// parallel calls f(0..n-1) on GOMAXPROCS workers and returns the first error.
func parallel(n int, f func(int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ferr error
	)
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if ferr == nil {
						ferr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return ferr
}

// p12Info is what `openssl pkcs12 -info` says about a file's key
// derivations.
type p12Info struct {
	macDigest string // "sha256"
	macIter   int
	bags      []pbes2Bag
}

// pbes2Bag is one PBES2-encrypted part: the certificates' EncryptedData or
// a shrouded key bag.
type pbes2Bag struct {
	what string // "cert bag" or "key bag"
	prf  string // "hmacWithSHA256"
	iter int
}

var (
	reMAC   = regexp.MustCompile(`^MAC: (\S+), Iteration (\d+)`)
	rePBES2 = regexp.MustCompile(`^(PKCS7 Encrypted data|Shrouded Keybag): PBES2, PBKDF2, [^,]+, Iteration (\d+), PRF (\S+)`)
)

func readP12Info(path, password string) (p12Info, error) {
	var info p12Info
	cmd := []string{"openssl", "pkcs12", "-info", "-noout", "-in", path, "-passin", "pass:" + password}
	out, err := output(cmd)
	if err != nil {
		return info, err
	}
	for _, line := range strings.Split(out, "\n") {
		if m := reMAC.FindStringSubmatch(line); m != nil {
			info.macDigest = m[1]
			info.macIter, _ = strconv.Atoi(m[2])
			continue
		}
		if m := rePBES2.FindStringSubmatch(line); m != nil {
			it, _ := strconv.Atoi(m[2])
			what := "cert bag"
			if m[1] == "Shrouded Keybag" {
				what = "key bag"
			}
			info.bags = append(info.bags, pbes2Bag{what: what, prf: m[3], iter: it})
			continue
		}
		if strings.HasPrefix(line, "PKCS7 Encrypted data:") || strings.HasPrefix(line, "Shrouded Keybag:") {
			return info, fmt.Errorf("%s: not PBES2/PBKDF2, the floor does not model it: %s", path, line)
		}
	}
	if info.macIter == 0 || len(info.bags) == 0 {
		return info, fmt.Errorf("%s: no MAC or no encrypted bag in openssl's -info output:\n%s", path, out)
	}
	return info, nil
}
