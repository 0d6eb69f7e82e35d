# uccert — see README.md. `make demo` and `make test` are the Quick start.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/uccert
DEMO    := demo-out

.PHONY: all build test demo fixtures check-fixtures vet clean deps

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/uccert

# Installs what the tests need when it is missing (Java, NSS tools, MIT
# Kerberos; needs root and the Debian archive), then runs every test.
deps:
	@bash .ci/install-deps

test: deps vet
	$(GO) test -count=1 -timeout 30m ./...

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

clean:
	rm -rf bin dist $(DEMO)
