# Prima: `make run` serves the demo, `make test` runs the suite (SQLite, then PostgreSQL when a
# server answers). Each target installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock scripts/system-deps.sh | sha1sum | cut -c1-12)
UV := $(BIN)/uv
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/prima_test
PYTEST_ARGS ?=

.PHONY: install browser run test test-sqlite test-postgres check-lock lock bench lint migrations clean

# Python packages come from requirements.lock only (every transitive package, pinned with its
# hashes): uv itself is bootstrapped from its locked line, then `uv pip sync` makes the venv
# exactly the lock and the project is installed over it without build isolation (its build
# backend, setuptools, is in the lock too). The venv is made without pip (ensurepip alone took
# ~15 s): the interpreter's own pip puts uv into it, or, where that interpreter has no pip,
# ensurepip does after all.
PIP_FLAGS := -q --isolated --disable-pip-version-check --root-user-action=ignore --no-deps --require-hashes
$(STAMP): requirements.lock scripts/system-deps.sh
	sh scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) scripts/lock_tool.py extract uv < requirements.lock > $(VENV)/uv.lock.txt
	test -x $(UV) || $(PYTHON) -m pip --python $(BIN)/python install $(PIP_FLAGS) -r $(VENV)/uv.lock.txt \
		|| { $(BIN)/python -m ensurepip >/dev/null && $(BIN)/python -m pip install $(PIP_FLAGS) -r $(VENV)/uv.lock.txt; }
	$(UV) pip sync -q --python $(BIN)/python --require-hashes requirements.lock
	$(UV) pip install -q --python $(BIN)/python --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the verification page's browser test (skipped, with the reason, when it
# cannot be installed: not root and not there).
browser:
	@PRIMA_WITH_BROWSER=1 sh scripts/system-deps.sh || echo "chromium missing: the browser test will be skipped"

run: install
	$(BIN)/lms migrate
	$(BIN)/lms demo --if-empty
	$(BIN)/lms serve

test: install browser check-lock
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$LMS_TEST_DATABASE_URL" ] || $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run"; fi

test-sqlite: install
	env -u LMS_TEST_DATABASE_URL $(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-postgres: install
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/python -m pytest -q $(PYTEST_ARGS)

# CI fails when pyproject.toml asks for something the lock does not pin, or the installed set
# is inconsistent (offline: reads the two files and the venv).
check-lock: install
	$(BIN)/python scripts/lock_tool.py check pyproject.toml requirements.lock
	$(UV) pip check -q --python $(BIN)/python

# Refresh the lock deliberately (after editing pyproject.toml, or to take upgrades:
# `make lock UPGRADE=--upgrade` or `make lock UPGRADE="--upgrade-package cryptography"`) and show
# what changed.
lock: install
	cp requirements.lock $(VENV)/requirements.lock.old
	$(UV) pip compile -q pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 --no-emit-index-url --no-emit-find-links \
		--custom-compile-command "make lock" $(UPGRADE) -o requirements.lock
	$(BIN)/python scripts/lock_tool.py diff $(VENV)/requirements.lock.old requirements.lock

bench: install
	@PRIMA_WITH_BENCH=1 sh scripts/system-deps.sh || echo "wrk missing: HTTP benchmarks use the Python client"
	$(BIN)/python tests/benchmarks/run_all.py

lint: install
	$(BIN)/ruff check lms courses certificates tests
	$(BIN)/mypy lms courses certificates

# Generate a migration after changing tables: make migrations APP=courses
migrations: install
	flock /tmp/prima-migrations.lock env LMS_DATABASE_URL=sqlite:///$(CURDIR)/var/migrations.sqlite3 \
		$(BIN)/piccolo migrations new $(APP) --auto

clean:
	rm -rf $(VENV) var .pytest_cache
