# The commands the README gives: `make run`, `make test`, `make lint`, `make bench`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Each recipe runs in one bash, so `make test` can keep its tally across backends.
.ONESHELL:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after each install: reinstall when the lock or pyproject.toml is newer.
STAMP := $(VENV)/.mercato-installed
PYTEST_ARGS ?=
POSTGRES_URL := $(or $(MERCATO_TEST_POSTGRES_URL),postgresql://postgres@127.0.0.1:5432/postgres)
REDIS_URL := $(or $(MERCATO_TEST_REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: help install run test lint bench clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock -e '.[dev]'
	touch $@

install: $(STAMP) ## Create .venv and install Mercato with its pinned dependencies

run: $(STAMP) ## Migrate and start every service and the gateway (Ctrl-C stops them)
	$(BIN)/mercato up

test: $(STAMP) ## Run the whole suite on SQLite, then on PostgreSQL + Redis when reachable
	@failed=0; ran=(); skipped=()
	echo "=== make test: SQLite + embedded key-value store ==="
	if MERCATO_TEST_BACKEND=sqlite $(BIN)/pytest $(PYTEST_ARGS); then ran+=("SQLite: passed")
	else failed=1; ran+=("SQLite: FAILED"); fi
	if $(BIN)/python -c 'import asyncio, asyncpg; asyncio.run(asyncio.wait_for(asyncpg.connect("$(POSTGRES_URL)"), 3))' 2>/dev/null \
	   && $(BIN)/python -c 'import redis; redis.Redis.from_url("$(REDIS_URL)", socket_timeout=3).ping()' 2>/dev/null; then
	  echo "=== make test: PostgreSQL ($(POSTGRES_URL)) + Redis ($(REDIS_URL)) ==="
	  if MERCATO_TEST_BACKEND=postgres MERCATO_TEST_POSTGRES_URL='$(POSTGRES_URL)' \
	     MERCATO_TEST_REDIS_URL='$(REDIS_URL)' $(BIN)/pytest $(PYTEST_ARGS); then
	    ran+=("PostgreSQL + Redis: passed")
	  else failed=1; ran+=("PostgreSQL + Redis: FAILED"); fi
	else
	  echo "!!! make test: PostgreSQL or Redis is unreachable: SKIPPING the PostgreSQL + Redis run"
	  skipped+=("PostgreSQL + Redis: UNREACHABLE ($(POSTGRES_URL), $(REDIS_URL))")
	  if [[ -n "$${MERCATO_TEST_REQUIRE_POSTGRES:-}" ]]; then failed=1; fi
	fi
	echo "=== make test: backends ==="
	for line in "$${ran[@]}"; do echo "  ran      $$line"; done
	for line in "$${skipped[@]}"; do echo "  !!! SKIPPED $$line"; done
	if [[ $${#skipped[@]} -gt 0 && -n "$${MERCATO_TEST_REQUIRE_POSTGRES:-}" ]]; then
	  echo "  MERCATO_TEST_REQUIRE_POSTGRES is set: an unreachable PostgreSQL/Redis fails the run"
	fi
	exit $$failed

lint: $(STAMP) ## ruff (lint + format check), mypy strict on src/, import-linter contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) ## The gateway-hop, catalog and checkout benchmarks (see docs/benchmarks.md)
	bench/run.sh
	bench/run.sh catalog
	bench/run.sh checkout

clean: ## Remove caches and build output (keeps .venv and the data in var/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache build dist
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
