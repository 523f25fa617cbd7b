# `make run` starts the local server (moto on loopback, tables, a default org and app; data kept in .local/).
# `make test` runs the whole suite with moto in-process. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# One stamp per requirement set: `make run` installs the server's (runtime + chalice + moto + the CLI),
# `make test`/`lint`/... the test toolchain on top.
LOCAL_STAMP := $(VENV)/.local-$(shell cat requirements.txt requirements-cli.txt requirements-local.txt pyproject.toml | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-cli.txt requirements-local.txt requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000
MOTO_PORT ?= 5005
STAGE ?= dev
# Parse Dashboard (npm, pinned in console/package.json + lock), installed into git-ignored console/node_modules.
CONSOLE_DEPS := console/node_modules/.installed-$(shell cksum < console/package-lock.json | cut -d' ' -f1)

.PHONY: help run reset test test-dynalite fuzz lint bench package venv venv-local console console-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'
	@echo "  variables: PORT=$(PORT) MOTO_PORT=$(MOTO_PORT) STAGE=$(STAGE) RELOAD=1 (chalice reloader on)"

venv: $(STAMP) ## create .venv with everything (server, CLI, tests, lint)

venv-local: $(LOCAL_STAMP) ## create .venv with the server and the `baas` CLI only

$(LOCAL_STAMP): requirements.txt requirements-cli.txt requirements-local.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-local.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.local-*; touch $@

$(STAMP): $(LOCAL_STAMP) requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*; touch $@

run: $(LOCAL_STAMP) ## local server on 127.0.0.1:PORT, data kept in .local/, credentials in .local/env.sh
	PORT=$(PORT) MOTO_PORT=$(MOTO_PORT) STAGE=$(STAGE) $(BIN)/python scripts/local.py

reset: $(LOCAL_STAMP) ## local server, starting empty (forgets .local/)
	PORT=$(PORT) MOTO_PORT=$(MOTO_PORT) STAGE=$(STAGE) $(BIN)/python scripts/local.py --reset

test: $(STAMP) ## the whole test suite (moto in-process; a few tests start local servers)
	$(BIN)/python -m pytest -q -n 2

test-dynalite: $(STAMP) ## the Usergrid and BEA HTTP tests again with DynamoDB on dynalite (npm, into tests/.node/)
	test -f tests/.node/node_modules/dynalite/cli.js || \
		npm install --no-audit --no-fund --loglevel=error --prefix tests/.node dynalite@4.0.0
	BAAS_TEST_BACKEND=dynalite $(BIN)/python -m pytest -q -n 2 tests/test_backends.py tests/usergrid tests/bea

fuzz: $(STAMP) ## deeper fuzzing than CI's: more examples per operation (EXAMPLES=60), a fresh seed
	BAAS_FUZZ_EXAMPLES=$(or $(EXAMPLES),60) BAAS_FUZZ_DEEP=1 BAAS_NO500_REQUESTS=2000 \
		$(BIN)/python -m pytest -q -n 2 tests/fuzz tests/test_no_500.py tests/lightblue/test_no_500.py

lint: $(STAMP) ## ruff, the import rules and mypy
	$(BIN)/ruff check chalicelib app.py tests scripts bench deploy baas_tools
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP) ## benchmarks, written to docs/BENCHMARKS.md
	$(BIN)/python bench/run.py --write
	$(BIN)/python bench/issue15.py --write
	$(BIN)/python bench/shards.py --write

# `make package STAGE=prod`: merged SAM template + deployment zip in build/$(STAGE)/, no AWS call (docs/DEPLOY.md).
package: $(STAMP) ## SAM template + Lambda zip in build/STAGE/ (no AWS call)
	$(BIN)/python deploy/package.py --stage $(STAGE)

# `make console`: Parse Dashboard on http://127.0.0.1:4040 for the app of a running server (`make run`'s
# local/sandbox by default; BAAS_URL, BAAS_ORG, BAAS_APP, BAAS_ADMIN_USER, BAAS_ADMIN_PASSWORD pick another: README).
console: $(LOCAL_STAMP) $(CONSOLE_DEPS) ## Parse Dashboard for an app of a running server (needs node)
	PORT=$(PORT) $(BIN)/python scripts/console.py

console-deps: $(CONSOLE_DEPS) ## install Parse Dashboard (pinned) into console/node_modules

$(CONSOLE_DEPS): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --omit=dev --loglevel=error
	touch $@
