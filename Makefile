# warren's everyday commands. `make test` is what CI runs (.ci/run).
# Targets that talk to RabbitMQ depend on `broker`, which makes sure one answers
# on 127.0.0.1:5672 with the management API on 127.0.0.1:15672.

GO    ?= go
BIN   := bin/warren
# Integration tests against a real broker are slow on small machines; the
# default 10 minutes of `go test` is too tight for the whole module, and a
# package binary (cmd/warren runs sweeps and capacity searches for real)
# can take a quarter of an hour on a loaded 2-core machine.
TEST_TIMEOUT ?= 40m

.DEFAULT_GOAL := build
.PHONY: broker build demo test fuzz bench fmt vet clean

broker:
	bash scripts/broker.sh

build:
	$(GO) build -o $(BIN) ./cmd/warren

# The run command prints where it wrote the report (runs/<id>/report.md).
demo: broker build
	./$(BIN) run greenhouse --duration 20s

test: broker vet
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...
	$(MAKE) fuzz

# A short fuzzing pass over the parsers that take outside input: scenario
# files and message stamps. Counted in executions, not seconds, so a slow
# machine does the same work (and Go's time-based fuzz deadline race cannot
# turn a clean pass red).
FUZZ_EXECS ?= 5000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZ_EXECS) ./scenarios
	$(GO) test -run '^$$' -fuzz '^FuzzReadStamp$$' -fuzztime $(FUZZ_EXECS) ./loadgen

bench: broker
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 200ms ./...
	$(GO) build -o $(BIN) ./cmd/warren
	./$(BIN) bench $(BENCH_ARGS)

fmt:
	$(GO) fmt ./...

vet:
	$(GO) vet ./...

clean:
	rm -rf bin runs
