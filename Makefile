# One-command set-up: `make run` (the daemon on SQLite) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# NLTK data cannot be downloaded on offline machines; use the shared copy when it is beside us.
NLTK_DATA ?= $(if $(wildcard ../shared/nltk_data),$(abspath ../shared/nltk_data),$(HOME)/nltk_data)
export NLTK_DATA

.PHONY: install run crawl test lint

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,all]'
	touch $(STAMP)

# `fakewatch setup` migrates the store and, on the first run, trains the default model.
run: $(STAMP)
	$(BIN)/fakewatch setup
	$(BIN)/fakewatch run

# One test process per core (pytest-xdist): most end-to-end tests wait on servers and
# subprocesses, so two workers on two cores finish in about 60% of the serial time.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
