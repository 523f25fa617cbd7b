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

.PHONY: help run reset test lint bench package venv venv-local

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

lint: $(STAMP) ## ruff, the import rules and mypy
	$(BIN)/ruff check chalicelib app.py tests scripts bench deploy baas_tools
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP) ## benchmarks, written to docs/BENCHMARKS.md
	$(BIN)/python bench/run.py --write

# `make package STAGE=prod`: merged SAM template + deployment zip in build/$(STAGE)/, no AWS call (docs/DEPLOY.md).
package: $(STAMP) ## SAM template + Lambda zip in build/STAGE/ (no AWS call)
	$(BIN)/python deploy/package.py --stage $(STAGE)
