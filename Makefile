# Two commands: `make run` and `make test`. Each creates .venv and installs the pinned
# requirements when they changed, then migrates (and on first start seeds) the database.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := run
.PHONY: run test setup lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

setup: $(VENV)/.runtime-installed
	$(BIN)/python -m core.bootstrap

run: setup
	$(BIN)/python -m ui.serve

test: $(VENV)/.dev-installed setup
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python benchmarks/analytics.py
	$(BIN)/python benchmarks/segments.py
	$(BIN)/python benchmarks/clusters.py
	$(BIN)/python benchmarks/forecasts.py --jobs 1,2
