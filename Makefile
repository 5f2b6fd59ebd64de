# The everyday loop. `make run` serves, `make test` tests; both install first.
# `make run` installs only what serving needs (requirements.lock); `make
# install` adds the tools for tests, lint and the benchmark
# (requirements-test.lock).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install -q --disable-pip-version-check
SERVING := $(VENV)/.serving-installed
INSTALLED := $(VENV)/.installed

.PHONY: install install-serving run test lint fuzz bench lock clean bigcapital

install-serving: $(SERVING)

install: $(INSTALLED)

$(SERVING): pyproject.toml requirements.lock
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing Debian's python3-venv"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); }
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	@touch $@

$(INSTALLED): $(SERVING) requirements-test.lock
	$(PIP) -r requirements.lock -r requirements-test.lock
	@touch $@

run: install-serving
	$(BIN)/python -m app.quickstart

test: install bigcapital
	$(BIN)/pytest

# The real Bigcapital for the end-to-end tests, built from ../shared/bigcapital
# once into ~/.cache/bckeys (by the archive's checksum); a no-op where Node or
# the archive is missing, whose tests then skip (and fail under CI=true).
bigcapital: install
	-$(BIN)/python -m tests.support.real_bigcapital build

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Fresh locks from pyproject.toml's ranges, in throwaway environments: the
# whole set resolved together, then the part of it serving needs.
LOCK_DIR := /tmp/bckeys-lock
lock:
	rm -rf $(LOCK_DIR) && mkdir -p $(LOCK_DIR)
	$(PYTHON) -m venv $(LOCK_DIR)/all && $(PYTHON) -m venv $(LOCK_DIR)/serving
	$(LOCK_DIR)/all/bin/pip install -q -e '.[test]'
	$(LOCK_DIR)/all/bin/pip freeze --exclude-editable > $(LOCK_DIR)/all.txt
	$(LOCK_DIR)/serving/bin/pip install -q -c $(LOCK_DIR)/all.txt -e .
	$(LOCK_DIR)/serving/bin/pip freeze --exclude-editable > requirements.lock
	grep -vxFf requirements.lock $(LOCK_DIR)/all.txt > requirements-test.lock

clean:
	rm -rf $(VENV) var .pytest_cache

# A longer Schemathesis campaign than the test suite's, on both engines, each
# with a fresh seed it prints (SEED=N replays one; ENGINES=sqlite picks one).
EXAMPLES ?= 1000
ENGINES ?= sqlite,postgres
fuzz: install
	$(BIN)/python -m tests.support.fuzzing --examples $(EXAMPLES) --engines $(ENGINES) \
	  $(if $(SEED),--seed $(SEED))

# The benchmark: the product against four baselines, side by side (needs wrk).
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.run
