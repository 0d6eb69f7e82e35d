# uccert — see README.md. `make demo` and `make test` are the Quick start.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# urfave/cli links its man-page and Markdown generators (and their
# dependencies) into every binary unless told not to: the shipped binary
# starts faster without them. docs/cli.md and docs/uccert.1 are generated
# by a test (make docs), which builds without the tag.
TAGS    := urfave_cli_no_docs
BIN     := bin/uccert
DEMO    := demo-out

.PHONY: all build test demo fixtures check-fixtures vet clean deps docs cross dist

all: build

# Built as make dist builds the releases: without cgo, a static binary that
# needs no particular libc and starts without the dynamic loader.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/uccert

# Installs what the tests need when it is missing (Java, NSS tools, MIT
# Kerberos; needs root and the Debian archive), then runs every test.
deps:
	@bash .ci/install-deps

test: deps vet cross
	$(GO) test -count=1 -timeout 30m ./...
	@echo "== race detector: certificate rotation (connector.Watch) and the TLS choice"
	$(GO) test -race -count=1 -timeout 10m ./pkg/connector/ ./pkg/tlsconf/ ./pkg/hostname/
	$(GO) test -race -count=1 -timeout 10m -run 'TestRotationUnderLoad' ./pkg/internal/e2e/

# Builds for the platforms admins use, to catch platform breakage early.
cross:
	GOOS=windows GOARCH=amd64 $(GO) build -tags $(TAGS) -o /dev/null ./cmd/uccert
	GOOS=windows GOARCH=arm64 $(GO) build -tags $(TAGS) -o /dev/null ./cmd/uccert
	GOOS=darwin GOARCH=arm64 $(GO) build -tags $(TAGS) -o /dev/null ./cmd/uccert

# Release binaries with SHA-256 checksums in dist/, and for Windows a .zip
# holding the .exe, README.md, docs/guide.md and the checksums of the
# binaries; dist/SHA256SUMS lists the binaries and the .zip files.
DIST_TARGETS := linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/arm64
dist:
	@rm -rf dist && mkdir -p dist/zip
	@for t in $(DIST_TARGETS); do \
	  os=$${t%/*}; arch=$${t#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  out=dist/uccert-$(VERSION)-$$os-$$arch$$ext; \
	  echo "building $$out"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $$out ./cmd/uccert || exit 1; \
	done
	@cd dist && sha256sum uccert-* > zip/SHA256SUMS
	@for exe in dist/uccert-*-windows-*.exe; do \
	  z=$${exe%.exe}.zip; echo "packing $$z"; \
	  python3 -m zipfile -c $$z $$exe README.md docs/guide.md dist/zip/SHA256SUMS || exit 1; \
	done
	@cd dist && rm -r zip && sha256sum uccert-* > SHA256SUMS && cat SHA256SUMS

# The CLI reference (docs/cli.md) and man page (docs/uccert.1), generated
# from the app; `make test` fails when they are stale.
docs:
	$(GO) test ./cmd/uccert -run '^TestGeneratedDocs$$' -count=1 -args -update-docs

vet:
	@unformatted=$$(gofmt -l cmd pkg); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# The main job on the shipped fixtures.
demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "== 1. Merge the Front End exports (OpenSSL, OpenSSL -legacy, NSS, Windows) into one JKS"
	$(BIN) merge -o $(DEMO)/ucc-keys.jks --out-pass pass:changeit1 \
	  --in-pass pass:ucc-export --in-pass pass:fe1-export --in-pass pass:fe2-export --in-pass pass:nss-export --in-pass pass:win-export \
	  --host ucc.uc.example.com --fe fe1.uc.example.com --fe fe2.uc.example.com --fe fe3.uc.example.com \
	  fixtures/exports/ucc-openssl.pfx fixtures/exports/fe1-openssl.pfx fixtures/exports/fe2-legacy.pfx fixtures/exports/fe3-nss.p12 fixtures/exports/fe1-windows.pfx
	@echo
	@echo "== 2. Build the trust store from the CA chain downloaded from AD CS (PKCS#7)"
	$(BIN) truststore -o $(DEMO)/ucc-trust.jks --out-pass pass:trustpass1 fixtures/pki/chain.p7b
	@echo
	@echo "== 3. Verify what was built, as the connector host ucc.uc.example.com would use it"
	$(BIN) verify --host ucc.uc.example.com --fe fe1.uc.example.com --fe fe2.uc.example.com --fe fe3.uc.example.com \
	  --cert-store $(DEMO)/ucc-keys.jks --cert-store-pass pass:changeit1 \
	  --key-store $(DEMO)/ucc-trust.jks --key-store-pass pass:trustpass1

# Regenerates fixtures/ with openssl, keytool and pk12util (see fixtures/README.md).
fixtures:
	bash fixtures/make-fixtures.sh
	bash fixtures/check-fixtures.sh

check-fixtures:
	bash fixtures/check-fixtures.sh

# Benchmarks (developer tool): the Go benchmarks of keystore, merge,
# preflight and connector (output in $(BENCH_OUT)/go-bench.txt), then uccert and keytool
# timed as whole processes side by side; writes docs/PERFORMANCE.md. ~1-3 min.
BENCH_OUT  ?= bin/bench
BENCHTIME  ?= 1s
BENCH_PKGS := ./pkg/keystore/ ./pkg/merge/ ./pkg/preflight/ ./pkg/tlsconf/ ./pkg/connector/
.PHONY: bench
bench:
	@mkdir -p $(BENCH_OUT)
	@echo "== Go benchmarks: $(BENCH_PKGS)"
	@$(GO) test -run '^$$' -bench . -benchtime=$(BENCHTIME) $(BENCH_PKGS) > $(BENCH_OUT)/go-bench.txt 2>&1; \
	  status=$$?; cat $(BENCH_OUT)/go-bench.txt; exit $$status
	@echo "== Whole processes: uccert beside keytool"
	$(GO) run ./cmd/uccert-bench -o docs/PERFORMANCE.md -gobench $(BENCH_OUT)/go-bench.txt \
	  -gobench-args "-run '^\$$' -bench . -benchtime=$(BENCHTIME) $(BENCH_PKGS)"

# Every fuzz target in the repository, one after the other, FUZZTIME each
# (the list is in .ci/fuzz-short). fuzz-short is what CI runs (20s each).
FUZZTIME ?= 60s
.PHONY: fuzz fuzz-short
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash .ci/fuzz-short

fuzz-short:
	FUZZTIME=20s GO=$(GO) bash .ci/fuzz-short

clean:
	rm -rf bin dist $(DEMO)
