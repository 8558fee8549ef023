# The two commands a newcomer needs: `make run` and `make test`.
# Both install what they need (Debian packages, Go modules) when missing.

export PATH := $(PATH):/usr/local/go/bin:$(shell go env GOPATH 2>/dev/null)/bin
GO ?= go
STATICCHECK_VERSION ?= v0.8.2

.PHONY: run test race lint bench surge season build clean fuzz ferret-pg

## run: start the service on the embedded store with sandbox WeChat and a demo year
run:
	@scripts/deps.sh run
	$(GO) run ./cmd/zhupei serve

## test: every test, the store contract suite on both backends and the browser tests
test:
	@scripts/deps.sh test
	$(GO) test -count=1 -timeout 20m ./...

## race: the race detector over the packages with shared state (the Mongo
## suite runs FerretDB in process, whose own code is left out)
race:
	$(GO) test -race -count=1 ./store/sqlite/ ./store/storetest/ ./handlers/ ./wechat/... ./miniprogram/ ./scheduler/ ./regform/ ./forms/ ./apply/

## lint: gofmt, go vet and staticcheck
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	@command -v staticcheck >/dev/null || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	staticcheck ./...

## bench: Go benchmarks and the load test of the board and submission paths
bench:
	@scripts/deps.sh bench
	$(GO) test -run '^$$' -bench . -benchmem ./...

## surge: the registration-opening minute against a fresh server: 500 clients
## submitting and changing choices while 2,000 board pages poll with
## If-None-Match, then the board against bare Fiber handlers (bench/surge.sh)
SURGE_FLAGS ?= -applicants 500 -clients 500 -pollers 2000 -duration 60s -ops 1000
surge:
	@scripts/deps.sh bench
	bash bench/surge.sh $(SURGE_FLAGS)

## ferret-pg: the store contract suite's FerretDB leg and the two-instance
## test on FerretDB over a throwaway PostgreSQL cluster instead of SQLite
## files (scripts/ferret-pg.sh; not part of `make test`)
ferret-pg:
	bash scripts/ferret-pg.sh

## season: a whole recruitment season against a fresh server, checked exactly
## (bench/season): SEASON_APPLICANTS applicants (default 20000) on the embedded
## store, or on the Mongo-protocol store at SEASON_MONGO_URI ("ferret": the
## in-process FerretDB stand-in)
season:
	@scripts/deps.sh bench
	$(GO) run ./bench/season

## fuzz: each fuzz target for FUZZTIME; what a target finds is kept under its
## package's testdata/fuzz and runs in `make test` from then on
FUZZTIME ?= 20s
FUZZ_TARGETS = ./wechat/:FuzzCallbackParse ./handlers/:FuzzSectionForms ./store/:FuzzParsePlan \
	./recruit/:FuzzValidateIDNumber ./recruit/:FuzzValidateCreditCode
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($${t%%:*}, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

## build: the binary in bin/zhupei
build:
	$(GO) build -o bin/zhupei ./cmd/zhupei

clean:
	rm -rf bin data
