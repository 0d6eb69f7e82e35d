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
	@echo "== uccert inspect: the Front End exports as the admins made them"
	$(BIN) inspect --pass pass:fe1-export fixtures/exports/fe1-openssl.pfx
	$(BIN) inspect --pass pass:win-export fixtures/exports/fe1-windows.pfx
	$(BIN) inspect fixtures/pki/chain.p7b

# Regenerates fixtures/ with openssl, keytool and pk12util (see fixtures/README.md).
fixtures:
	bash fixtures/make-fixtures.sh
	bash fixtures/check-fixtures.sh

check-fixtures:
	bash fixtures/check-fixtures.sh

clean:
	rm -rf bin dist $(DEMO)
