# critmin: `make run` plays the flagship scenario headless; `make test` runs the whole suite.
# Both create the virtual environment (.venv, Python 3.12 from pyenv) on first use.

PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) || (command -v pyenv >/dev/null && echo "$$(pyenv root)/versions/$$(pyenv latest $(PYTHON_VERSION))/bin/python") || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLAGSHIP ?= india-central-asia-2025
FOCUS ?= IND
TURNS ?= 24

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,all]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/critmin run $(FLAGSHIP) --turns $(TURNS) --focus $(FOCUS)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check critmin tests tools
	$(BIN)/ruff format --check critmin tests tools

bench: $(STAMP)
	$(BIN)/critmin bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
