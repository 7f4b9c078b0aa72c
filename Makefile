# Every target sets itself up from a fresh clone: it creates .venv and installs the project.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench conformance fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,sklearn,onnx,arrow,boost,bench,serve,mlflow,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m pfa.demo

test: $(STAMP)
	$(PY) -m ruff check pfa tests benches conformance tools
	$(PY) -m pytest -n 2 --dist loadgroup -q

lint: $(STAMP)
	$(PY) -m ruff check pfa tests benches conformance tools

# Long fuzz sessions for local use; `make test` runs the same suites at a CI budget.
fuzz: $(STAMP)
	PFA_FUZZ_EXAMPLES=$${PFA_FUZZ_EXAMPLES:-5000} PFA_HOSTILE_CASES=$${PFA_HOSTILE_CASES:-5000} \
		$(PY) -m pytest -n 2 -q tests/exporters/fuzz tests/hostile tests/serve/test_number_bodies.py

bench: $(STAMP)
	$(PY) benches/run_all.py

conformance: $(STAMP)
	$(PY) -m conformance --engine pfa

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
