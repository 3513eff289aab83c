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

NPM ?= npm
# Chromium for the browser tests: Debian's package (`apt-get install chromium`).
CHROMIUM ?= $(or $(MERCATO_CHROMIUM),$(shell command -v chromium || command -v chromium-browser || true))
WEB_STAMP := web/node_modules/.mercato-installed

.PHONY: help install run test lint bench clean web web-api web-test

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock -e '.[dev]'
	touch $@

install: $(STAMP) $(WEB_STAMP) ## Create .venv and install Mercato and the web app's packages

$(WEB_STAMP): web/package.json web/package-lock.json
	(cd web && $(NPM) ci --no-audit --no-fund --loglevel=error)
	touch $@

web: $(WEB_STAMP) ## Build the web storefront (web/dist) that `make run` serves on :3000
	(cd web && $(NPM) run --silent build)

web-api: $(STAMP) $(WEB_STAMP) ## Regenerate the web client's types from the services' OpenAPI documents
	MERCATO_DATA_DIR="$$(mktemp -d)" $(BIN)/python web/scripts/dump_openapi.py web/src/api/openapi
	(cd web && $(NPM) run --silent api)

web-test: $(STAMP) web ## The web app's unit tests (Vitest), then its browser tests against `mercato up`
	(cd web && $(NPM) run --silent test)
	(cd web && MERCATO_CHROMIUM='$(CHROMIUM)' $(NPM) run --silent e2e)

# A browser on this machine is one client for the gateway's limit: a storefront visit makes a few
# calls a page, which API.md's default of 100 per 15 minutes runs out of in minutes.
run: $(STAMP) web ## Migrate and start every service, the gateway and the storefront (Ctrl-C stops them)
	@MERCATO_RATE_LIMIT="$${MERCATO_RATE_LIMIT:-2000/15m}" $(BIN)/mercato up

test: $(STAMP) web ## Run the web tests (unit, then Chromium end to end), then the Python suite on SQLite and on PostgreSQL + Redis
	@failed=0; ran=(); skipped=()
	echo "=== make test: web unit tests (Vitest) ==="
	if (cd web && $(NPM) run --silent test); then ran+=("web unit (Vitest): passed")
	else failed=1; ran+=("web unit (Vitest): FAILED"); fi
	if [[ -n "$(CHROMIUM)" ]]; then
	  echo "=== make test: web end to end ($(CHROMIUM) against mercato up) ==="
	  if (cd web && MERCATO_CHROMIUM='$(CHROMIUM)' $(NPM) run --silent e2e); then ran+=("web end to end (Chromium): passed")
	  else failed=1; ran+=("web end to end (Chromium): FAILED"); fi
	else
	  echo "!!! make test: no Chromium (apt-get install chromium): SKIPPING the browser tests"
	  skipped+=("web end to end: NO CHROMIUM")
	  if [[ -n "$${MERCATO_TEST_REQUIRE_BROWSER:-}" ]]; then failed=1; fi
	fi
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
	if [[ $${#skipped[@]} -gt 0 && -n "$${MERCATO_TEST_REQUIRE_POSTGRES:-}$${MERCATO_TEST_REQUIRE_BROWSER:-}" ]]; then
	  echo "  MERCATO_TEST_REQUIRE_POSTGRES/BROWSER is set: a skipped backend or browser fails the run"
	fi
	exit $$failed

lint: $(STAMP) $(WEB_STAMP) ## ruff, mypy strict, import-linter; the web app's tsc strict and its generated client up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	(cd web && $(NPM) run --silent typecheck)
	fresh="$$(mktemp -d)"
	MERCATO_DATA_DIR="$$fresh/var" $(BIN)/python web/scripts/dump_openapi.py "$$fresh/openapi" >/dev/null
	diff -r web/src/api/openapi "$$fresh/openapi" >/dev/null \
	  || { echo "web/src/api/openapi is stale: run make web-api and commit the result"; exit 1; }

bench: $(STAMP) ## The gateway-hop, catalog and checkout benchmarks (see docs/benchmarks.md)
	bench/run.sh
	bench/run.sh catalog
	bench/run.sh checkout

clean: ## Remove caches and build output (keeps .venv, web/node_modules and the data in var/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache build dist
	rm -rf web/dist web/test-results web/*.tsbuildinfo
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
