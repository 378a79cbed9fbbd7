# The two commands of the README: `make demo` and `make test`.
CARGO ?= cargo

.PHONY: deps demo test build fmt lint unit

deps:
	@bash scripts/install-deps

build: deps
	$(CARGO) build --release

demo: build
	./target/release/regime run experiments/quickstart.reg

test: deps
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test --all-targets
