# API Pulse: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR := $(CURDIR)/data
export APIPULSE_DATA_DIR ?= $(DATA_DIR)
export WAREHOUSE_PATH ?= $(DATA_DIR)/warehouse.duckdb
export APIPULSE_SOURCE_DIR ?= $(DATA_DIR)/sample
export DAGSTER_HOME ?= $(DATA_DIR)/dagster_home
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup demo sample manifest pipeline summary test browser test-engines postgresql lint dev lock clean bench bench-small

## setup: create .venv and install the pinned dependencies (requirements.lock) and the project
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

## demo: set up, generate the sample world, run every Dagster asset and check, print where results are
demo: setup sample pipeline summary

sample: setup
	$(BIN)/apipulse generate --out $(APIPULSE_SOURCE_DIR)

# Gateway logs and the models built from them are daily partitions: the reference seeds
# first, one run over the days the files cover (a single-run backfill), then the rest.
pipeline: setup manifest $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster asset materialize -m orchestration.definitions --select 'group:reference_seeds'
	$(BIN)/dagster asset materialize -m orchestration.definitions --select 'tag:gateway_daily' \
	  --partition-range "$$($(BIN)/apipulse gateway-days --source-dir $(APIPULSE_SOURCE_DIR)/gateway)"
	$(BIN)/dagster asset materialize -m orchestration.definitions --select 'not tag:gateway_daily'

summary: setup
	$(BIN)/apipulse summary

# The dbt manifest Dagster builds its asset graph from, parsed fresh from the models.
manifest: setup
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir .. --quiet

$(DAGSTER_HOME)/dagster.yaml: deploy/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp deploy/dagster.yaml $@

## test: the whole test suite (unit, integration, end to end, engines, the small benchmark)
test: setup browser postgresql
	$(BIN)/pytest

## browser: Debian's headless Chromium for the site's browser test (a system package, no downloaded browser)
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; } \
	  || echo "warning: could not install chromium (needs root and Debian's packages); the browser test will be skipped"

## test-engines: the project on PostgreSQL (private server started by the tests) and on Spark
## (in process, local mode, Java 17), every mart table compared with DuckDB's (part of `make test` too)
test-engines: setup postgresql
	$(BIN)/pytest -m engines tests/engines

## postgresql: the PostgreSQL 15 server binaries (Debian package; needs root)
postgresql:
	@test -x /usr/lib/postgresql/15/bin/initdb || { apt-get update -qq && apt-get install -y -qq postgresql; } \
	  || echo "warning: could not install postgresql (needs root and Debian's packages); the engine tests will be skipped"

## bench: product vs hand-written DuckDB SQL vs pandas/polars, and day 31 (1M, 10M, 50M; hours)
bench: setup
	$(BIN)/python -m bench.run --sizes 1M,10M,50M --repeats 3

## bench-small: the benchmark at CI sizes (200k and 1M, one run per step)
bench-small: setup
	$(BIN)/python -m bench.run --small

lint: setup
	$(BIN)/ruff check orchestration expectations tests

## dev: the Dagster UI on http://127.0.0.1:3000 (asset graph, checks, schedules)
dev: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m orchestration.definitions

## lock: re-resolve requirements.lock from pyproject.toml (then review the diff)
lock:
	rm -rf /tmp/apipulse-lock && $(PYTHON) -m venv /tmp/apipulse-lock
	/tmp/apipulse-lock/bin/pip install --quiet ".[test]"
	{ echo "# Fully pinned dependencies, resolved together on Python 3.11 (pip). Regenerate with: make lock"; \
	  /tmp/apipulse-lock/bin/pip freeze --exclude apipulse | sort -f; } > requirements.lock

clean:
	rm -rf $(DATA_DIR) dbt_project/target dbt_project/logs
