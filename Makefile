# Every target sets itself up from a fresh clone: it creates .venv and installs the project.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench conformance clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,sklearn,onnx,arrow,boost,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m pfa.demo

test: $(STAMP)
	$(PY) -m ruff check pfa tests benches conformance tools
	$(PY) -m pytest -n 2 -q

lint: $(STAMP)
	$(PY) -m ruff check pfa tests benches conformance tools

bench: $(STAMP)
	$(PY) benches/run_all.py

conformance: $(STAMP)
	$(PY) -m conformance --engine pfa

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
