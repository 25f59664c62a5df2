# Two commands: `make run` and `make test`. Each creates .venv and installs the pinned
# requirements when they changed, then migrates (and on first start seeds) the database.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := run
.PHONY: run test setup lint bench loadtest backup restore

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

# 20 service-level users and 5 browsers for 60 s on SQLite and on PostgreSQL (127.0.0.1:5432); see README.
loadtest: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/loadtest.py

# A full backup now, verified (the server also takes one every day); see README, "Backups and restore".
backup: $(VENV)/.runtime-installed
	$(BIN)/python -m core.backups backup

# Bring a backup back, with the server stopped: make restore BACKUP=NAME (`python -m core.backups list`).
restore: $(VENV)/.runtime-installed
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=NAME"; exit 2; }
	$(BIN)/python -m core.backups restore $(BACKUP)
