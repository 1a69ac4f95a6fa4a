# The two commands: `make run` and `make test`. Both install into .venv first when needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test check lint format pki bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Start mock SIAK, mock BSrE (and the gateway, once it exists) on 127.0.0.1 with the embedded defaults.
run: install
	$(PY) scripts/run.py

## Lint, type-check and run the test suite: what CI runs.
test: install
	$(PY) scripts/check.py

check: test

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## Regenerate the test PKI in certs/ (keys, certificates, CRLs) from certs/certomancer.yml.
pki: install
	$(PY) certs/generate.py

## Benchmark siakgate's batch signer against the straightforward pyHanko recipe (documents per second).
bench: install
	$(PY) bench/sign_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache var
