# `make run` starts the local server (moto on loopback, tables, a default org and app).
# `make test` runs the whole suite with moto in-process. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8000
MOTO_PORT ?= 5005
STAGE ?= dev

.PHONY: run test lint bench package venv

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
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py --write

# `make package STAGE=prod`: merged SAM template + deployment zip in build/$(STAGE)/, no AWS call (docs/DEPLOY.md).
package: $(STAMP)
	$(BIN)/python deploy/package.py --stage $(STAGE)
