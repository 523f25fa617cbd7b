# `make run` starts the local server (moto on loopback, tables, a default org and app).
# `make test` runs the whole suite with moto in-process. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8000
MOTO_PORT ?= 5005
STAGE ?= dev

.PHONY: run test test-dynalite fuzz lint bench package venv

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*; touch $@

run: $(STAMP)
	PORT=$(PORT) MOTO_PORT=$(MOTO_PORT) STAGE=$(STAGE) $(BIN)/python scripts/local.py

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

# The HTTP tests of two dialects again with DynamoDB on dynalite (npm, installed into tests/.node/ on first use).
test-dynalite: $(STAMP)
	BAAS_TEST_BACKEND=dynalite $(BIN)/python -m pytest -q -n 2 tests/test_backends.py tests/usergrid tests/bea

# A deeper fuzz run than CI's: more examples per operation, a fresh seed (printed on failure).
fuzz: $(STAMP)
	BAAS_FUZZ_EXAMPLES=$(or $(EXAMPLES),60) BAAS_FUZZ_DEEP=1 BAAS_NO500_REQUESTS=2000 \
		$(BIN)/python -m pytest -q -n 2 tests/fuzz tests/test_no_500.py tests/lightblue/test_no_500.py

lint: $(STAMP)
	$(BIN)/ruff check chalicelib app.py tests scripts bench deploy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run.py --write

# `make package STAGE=prod`: merged SAM template + deployment zip in build/$(STAGE)/, no AWS call (docs/DEPLOY.md).
package: $(STAMP)
	$(BIN)/python deploy/package.py --stage $(STAGE)
