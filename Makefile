# `make run` starts the local server (moto on loopback, tables, a default org and app).
# `make test` runs the whole suite with moto in-process. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8000
MOTO_PORT ?= 5005
STAGE ?= dev
# Parse Dashboard (npm, pinned in console/package.json + lock), installed into git-ignored console/node_modules.
CONSOLE_DEPS := console/node_modules/.installed-$(shell cksum < console/package-lock.json | cut -d' ' -f1)

.PHONY: run test lint bench package venv console console-deps

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*; touch $@

run: $(STAMP)
	PORT=$(PORT) MOTO_PORT=$(MOTO_PORT) STAGE=$(STAGE) $(BIN)/python scripts/local.py

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check chalicelib app.py tests scripts bench deploy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run.py --write

# `make package STAGE=prod`: merged SAM template + deployment zip in build/$(STAGE)/, no AWS call (docs/DEPLOY.md).
package: $(STAMP)
	$(BIN)/python deploy/package.py --stage $(STAGE)

# `make console`: Parse Dashboard on http://127.0.0.1:4040 for the app of a running server (`make run`'s
# local/sandbox by default; BAAS_URL, ORG, APP, ADMIN, ADMIN_PASSWORD pick another: see README).
console: $(STAMP) $(CONSOLE_DEPS)
	PORT=$(PORT) $(BIN)/python scripts/console.py

console-deps: $(CONSOLE_DEPS)

$(CONSOLE_DEPS): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --omit=dev --loglevel=error
	touch $@
