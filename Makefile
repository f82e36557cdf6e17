# skillcomp — the two commands a new machine needs (with Rust and Node installed):
#   make run    build and start API + SPA on SQLite with demo data at http://127.0.0.1:8080
#   make test   every test (backend on SQLite and PostgreSQL, SPA)

.PHONY: run test bench openapi build release deps frontend-build frontend-test clean-data

BIN := target/release/skillcomp

deps:
	@bash scripts/ensure-deps.sh

release: deps
	cargo build --release -p skillcomp

frontend-build:
	@if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && npm run build; fi

frontend-test:
	@if [ -f frontend/package.json ]; then cd frontend && npm ci --no-audit --no-fund && npm test && npm run build && npm run e2e; fi

run: release frontend-build
	$(BIN) migrate
	$(BIN) seed-demo
	$(BIN) serve

test:
	@bash scripts/test.sh

# Load figures on SQLite and PostgreSQL, each as a ratio of /healthz in the same run.
bench: deps
	cargo build --release -p skillcomp -p skillcomp-bench
	target/release/skillcomp-bench target/release/skillcomp

openapi:
	cargo run --quiet -p skillcomp -- openapi > openapi/openapi.json

# Removes the local SQLite database, generated key and demo accounts.
clean-data:
	rm -rf data
