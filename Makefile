# Two commands do all set-up on a fresh machine with only python3: `make demo`, `make test`
# (`make test-all` adds the slow tests).
# The virtual environment is (re)built when missing, broken, or older than pyproject.toml
# or requirements.lock; packages come from requirements.lock so every machine gets the same set.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# Prefect's embedded API can take well over its default 20 s to start on a slow or busy machine.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: demo test test-all venv lock clean

demo: venv
	$(BIN)/scs demo

# Both test targets run the static checks first (ruff; other checkers go beside it), then pytest.
# `make test` is the quick run: it leaves out the tests marked slow (a real prefect server, the
# whole cycle, every PDF). `make test-all` runs everything; CI runs it.
# pytest runs on TEST_WORKERS processes (pytest-xdist), each test file whole on one of them, so a
# module's shared set-up (the whole cycle, a cycle as at a day) is made once; each process has its
# own Prefect API, PostgreSQL cluster and LibreOffice. `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test: venv
	$(BIN)/ruff check --quiet --select F,E9 src flows tests templates bench
	$(BIN)/lint-imports --no-cache
	$(PYTEST) -m "not slow"

test-all: venv
	$(BIN)/ruff check --quiet --select F,E9 src flows tests templates bench
	$(BIN)/lint-imports --no-cache
	$(PYTEST)

venv:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "scs-refresh needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@if [ -d $(VENV) ] && ! $(BIN)/python -c 'import sys' >/dev/null 2>&1; then \
		echo "$(VENV) is broken; rebuilding it"; rm -rf $(VENV); fi
	@$(MAKE) --no-print-directory $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --prefer-binary -c requirements.lock -e '.[dev]'
	@# Prefect's database migrated once for this Prefect, so a new Prefect home starts from a copy (flows/prefect_home.py);
	@# only a saving: without it the first command migrates, as Prefect always does.
	-$(BIN)/python -m flows.prefect_home
	@touch $@

# Re-resolve the pinned set after changing dependencies in pyproject.toml.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet --upgrade pip
	.lockvenv/bin/python -m pip install --quiet --prefer-binary -e '.[dev]'
	.lockvenv/bin/python -m pip freeze --exclude-editable | grep -v '^scs-refresh' > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) out state .pytest_cache .hypothesis
