# The everyday loop. `make run` serves, `make test` tests; both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint fuzz bench lock clean bigcapital

install: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements.lock
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing Debian's python3-venv"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

run: install
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

# A fresh lock from pyproject.toml's ranges, in a throwaway environment.
lock:
	rm -rf /tmp/bckeys-lock && $(PYTHON) -m venv /tmp/bckeys-lock
	/tmp/bckeys-lock/bin/pip install -q -e '.[test]'
	/tmp/bckeys-lock/bin/pip freeze --exclude-editable | grep -v '^bckeys' > requirements.lock

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
