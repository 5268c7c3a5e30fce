# The two commands: `make run` (portal with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The portal's DEBUG defaults to off; these development commands turn it on (on the embedded default).
# No DJANGO_SETTINGS_MODULE here: manage.py uses portal.settings, and pytest's configuration (pyproject.toml)
# chooses the test settings, portal/settings_test.py.
export DEBUG ?= 1

.PHONY: run test test-clock check lock venv assets chromium pdf-libs faketime migrate seed bench bench-ingest loadtest restore-drill drills drill clean

# The versions tested are pinned in requirements/dev-lock.txt (ranges stay in pyproject.toml;
# `make lock` recompiles both lock files from them).
$(VENV)/.installed: pyproject.toml requirements/dev-lock.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev-lock.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

venv: $(VENV)/.installed

# GOV.UK Frontend, Chart.js and axe-core from npm, Sass compiled into static/build (ignored).
static/build/.built: package.json package-lock.json static/src/portal.scss scripts/build-assets.sh scripts/make_favicon.py
	bash scripts/build-assets.sh
	@touch $@

assets: static/build/.built

migrate: venv assets pdf-libs
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	PORT=$(PORT) $(PY) manage.py demo_logins
	PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's Pango for WeasyPrint (the PDF of a plan); fonts it can embed; poppler's pdftotext, with which the
# tests read the PDFs' words.
pdf-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -qi dejavu && command -v pdftotext >/dev/null; } || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
		fonts-dejavu-core poppler-utils >/dev/null; }

test: venv assets chromium pdf-libs
	DATABASE_URL= REDIS_URL= $(PY) -m pytest -m "not broker and not postgres and not perf" -n 2

# Debian's libfaketime: the whole suite on another clock (.ci/run runs it on CLOCK).
faketime:
	@command -v faketime >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }

# The suite (browser tests left out: Chromium does not follow a faked clock) with the clock set to CLOCK and
# moving on from there. The default crosses Easter, the financial year end and, looking back, the year end.
CLOCK ?= 2027-03-31 09:00:00
test-clock: venv assets pdf-libs faketime
	DATABASE_URL= REDIS_URL= faketime -f "@$(CLOCK)" $(PY) -m pytest \
		-m "not broker and not postgres and not perf and not browser" -n 2

# Lint and format check (ruff), the layering contracts (import-linter), no model change without a migration.
check: venv
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/ruff format --check --no-cache .
	$(VENV)/bin/lint-imports
	DATABASE_URL= REDIS_URL= $(PY) manage.py makemigrations --check --dry-run

# Back up and restore (docs/operations.md) on the local PostgreSQL: the demo, or DRILL_SCALE=1 for the
# benchmark data at full scale (1,000,000 observations: about 10 minutes to build).
restore-drill: venv
	DRILL_SCALE=$(DRILL_SCALE) .ci/restore-drill

# Fault drills (docs/operations.md, "Fault drills"): Redis stopped, Redis hung, the worker killed, PostgreSQL
# restarted; each on its own loopback portal with a private Redis (and PostgreSQL), a table and a non-zero exit
# on a failed expectation. `make drill NAME=redis_hang` runs one.
drills: venv assets
	scripts/ops/drill

drill: venv assets
	scripts/ops/drill $(NAME)

# Recompile the lock files after changing a range in pyproject.toml.
lock: venv
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra notify \
		--extra s3 -o requirements/lock.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev \
		--extra notify --extra s3 --extra bench -o requirements/dev-lock.txt pyproject.toml

# The benchmarks: tests/perf (the heavy steps, timed), then the load benchmark (scripts/bench/run.py: a new
# PostgreSQL database filled at BENCH_SCALE, gunicorn with the production settings, 8 locust clients a page for
# BENCH_SECONDS; the table goes to docs/benchmark.md). Full scale: make bench BENCH_SCALE=1 (about 7 minutes).
BENCH_SCALE ?= 0.05
BENCH_SECONDS ?= 20
bench: venv assets pdf-libs
	$(PY) -m pytest tests/perf -m perf -q -s
	$(PY) scripts/bench/run.py --scale $(BENCH_SCALE) --seconds $(BENCH_SECONDS)

# The ingest benchmark (scripts/bench/ingest.py, docs/operations.md "Ingest"): the benchmark data at
# INGEST_SCALE in a new PostgreSQL database, a 50,000-row return applied beside bare COPY + INSERT … SELECT of
# the same rows, every figure revised, a backfill of INGEST_BACKFILL rows, audited writes at once.
INGEST_SCALE ?= 1
INGEST_BACKFILL ?= 1000000
bench-ingest: venv
	$(PY) scripts/bench/ingest.py --scale $(INGEST_SCALE) --backfill-rows $(INGEST_BACKFILL) $(INGEST_ARGS)

# The load test (scripts/ops/loadtest.py, docs/operations.md "Load"): the demo grown to benchmark scale
# LOADTEST_SCALE in a new PostgreSQL database, gunicorn, a Celery worker and beat with the production settings,
# LOADTEST_USERS people on their journeys for LOADTEST_SECONDS; a table a page; fails on any error.
# LOADTEST_ARGS=--keep-db keeps the data, LOADTEST_ARGS=--reuse-db runs on it again without building it.
LOADTEST_SCALE ?= 1
LOADTEST_USERS ?= 50
LOADTEST_SECONDS ?= 300
loadtest: venv assets
	$(PY) scripts/ops/loadtest.py --scale $(LOADTEST_SCALE) --users $(LOADTEST_USERS) --seconds $(LOADTEST_SECONDS) \
		$(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules static/build staticfiles var
