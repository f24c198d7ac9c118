# The two commands of the README: `make demo` and `make test`.
# Each sets up everything it needs on a fresh Debian machine with Python 3.11
# (a .venv with the package and the extras it needs), then runs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# A stamp per extra set: re-installs when pyproject.toml changes.
$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e ".[test]"
	touch $@

$(VENV)/.stamp-demo: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e ".[explain,notebook]"
	touch $@

# Browser tests drive the system Chromium (Playwright cannot download browsers here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

test: $(VENV)/.stamp-test $(CHROMIUM)
	$(BIN)/python -m pytest

demo: $(VENV)/.stamp-demo
	$(BIN)/python -m workbench._demo

# Benchmarks against MLflow (installed with the test extras); by hand, not in CI.
bench: $(VENV)/.stamp-test
	$(BIN)/python benchmarks/bench_evaluate.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis demo-output
