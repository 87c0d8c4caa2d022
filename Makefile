# Prima: `make run` serves the demo, `make test` runs the suite (SQLite, then PostgreSQL when a
# server answers). Each target installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml scripts/system-deps.sh | sha1sum | cut -c1-12)
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/prima_test
PYTEST_ARGS ?=

.PHONY: install browser run test test-sqlite test-postgres bench lint migrations clean

$(STAMP): pyproject.toml scripts/system-deps.sh
	sh scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
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

test: install browser
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$LMS_TEST_DATABASE_URL" ] || $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run"; fi

test-sqlite: install
	env -u LMS_TEST_DATABASE_URL $(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-postgres: install
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/python -m pytest -q $(PYTEST_ARGS)

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
