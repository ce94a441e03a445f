# The two commands a new user needs: `make demo` and `make test`. Both set up what is missing first.
SHELL := /bin/bash
PY := .venv/bin/python
export HF_HUB_OFFLINE := 1

.PHONY: setup demo test lint format bench clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(PY) demos/browser_demo.py

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) -m benchmarks.bench_env

clean:
	rm -rf .venv runs .pytest_cache
