# Two commands: `make demo` and `make test` (`make quick` for the inner loop). Everything else is a step they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.opsdocs-installed
DEV_STAMP := $(VENV)/.opsdocs-dev-installed

.PHONY: demo test quick install dev tools lint typecheck unit bench clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[charts]'
	touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,charts]'
	touch $@

install: $(STAMP)

dev: $(DEV_STAMP)

## The main job on an embedded example: a fresh workspace under ./demo.
demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh demo

## External tools the tests use (Prometheus, promtool, amtool, restic, Chromium, Java), installed when missing.
tools:
	bash scripts/install-tools.sh

lint: dev
	$(BIN)/ruff check src tests scripts $(wildcard bench)
	$(BIN)/ruff format --check src tests scripts $(wildcard bench)

typecheck: dev
	$(BIN)/mypy

unit: dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

## The inner loop: every test that needs no external tool (those are marked 'tools'), no lint.
quick: dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not tools"

## Everything the tests need, then every test.
test: dev tools lint typecheck unit

## Regenerate generated docs (CLI reference, rule pages).
docs: dev
	$(BIN)/python scripts/gen_docs.py

bench: dev
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) demo build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
