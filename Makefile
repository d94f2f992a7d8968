# partner-catalog — build, run and test. `make run` and `make test` work on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libsqlite3-dev zlib1g-dev libcurl4-openssl-dev
CATALOG_DATA_DIR ?= ./data
export CATALOG_DATA_DIR

.PHONY: run build release test deps clean bench docs drill

## Install the system libraries the build links against, if any are missing (Debian/Ubuntu).
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product partner-catalog

## Serve on the embedded default (SQLite + local object folder in ./data); prints the admin key on first start.
run: release
	.build/release/partner-catalog serve

## The whole test suite, against a throwaway PostgreSQL that it starts and stops (scripts/test.sh).
test: deps
	scripts/test.sh

## Preview the documentation site (mkdocs/) on http://127.0.0.1:8000; `make test` builds it with --strict.
docs:
	scripts/docs.sh serve

clean:
	rm -rf .build

## Benchmarks in release mode (see bench/).
bench: release
	bench/etl.sh
	bench/postgres-etl.sh
	bench/read-path.sh
	bench/s3.sh
	bench/sources.sh
	bench/events.sh
	bench/catalog-items.sh

## Reliability drills with the release binary: 50 kill -9s during uploads and jobs (scripts/drill.sh)
## and hostile request shapes while /health is timed (scripts/abuse.sh); each prints a table.
drill: release
	CATALOG_BINARY=.build/release/partner-catalog scripts/drill.sh
	CATALOG_BINARY=.build/release/partner-catalog scripts/abuse.sh
