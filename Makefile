# backlog: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: install install-dev js chromium print-tools run serve test lint format bench bench-scale loadtest clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The JavaScript the app serves itself (package.json, pinned by package-lock.json): plotly.js's
# basic bundle, the version the installed Python plotly targets. From the npm registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

js: node_modules/.installed
install: $(VENV)/.installed js
install-dev: $(VENV)/.installed-dev js

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
# apt is only asked when /usr/bin/chromium is missing, and then waits for a lock another
# process holds (up to 10 minutes) instead of failing at once.
CHROMIUM_BIN ?= /usr/bin/chromium
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
chromium:
	@if [ ! -x "$(CHROMIUM_BIN)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then $(APT_GET) update -qq && $(APT_GET) install -y -qq chromium >/dev/null; \
	  elif sudo -n true 2>/dev/null; then sudo $(APT_GET) update -qq && sudo $(APT_GET) install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing and cannot be installed here: the browser tests will fail." >&2; fi; \
	fi

# The summary's PDF (WeasyPrint) needs Pango; the print tests turn PDFs into text and PNG
# with poppler-utils (pdfinfo, pdftotext, pdftoppm). Debian packages, installed when missing.
PRINT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
print-tools:
	@if ! command -v pdftoppm >/dev/null 2>&1 || ! ldconfig -p | grep -q libpangoft2-1.0; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "Pango or poppler-utils is missing and cannot be installed here: the PDF tests will fail." >&2; exit 0; fi; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $(PRINT_PACKAGES) >/dev/null; \
	fi

# Development server on an embedded SQLite database, with the demo accounts, and beside it
# the background worker (follow-up questions and their emails), stopped with the server.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "backlog is at http://$(HOST):$(PORT)/ (Ctrl+C to stop the server and the worker)"
	DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Production-style: gunicorn workers behind whitenoise, DEBUG off, on DATABASE_URL (or SQLite),
# and the background worker (manage.py db_worker) beside them, stopped with them.
# HTTPS_ONLY=0 because this serves plain HTTP on $(HOST); behind a TLS proxy set HTTPS_ONLY=1.
serve: install
	@test -n "$$SECRET_KEY" || test -f .secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > .secret_key
	export SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" DEBUG=0 HTTPS_ONLY="$${HTTPS_ONLY:-0}"; \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	$(PY) manage.py migrate --noinput && \
	{ $(PY) manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn backlog.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --preload --no-control-socket \
	    --access-logfile - --graceful-timeout 10; }

test: install-dev chromium print-tools
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks, not tests: the trend detector's power and false alarms, then page speed,
# query counts, bytes on the wire and first chart paint on a real server (with the Redis
# cache: BENCH_REDIS_URL, default redis://127.0.0.1:6379/8, emptied by the run), exports'
# speed and memory, then quick-log waits during the largest import. Each takes the median of
# several rounds, prints every target's margin and exits 1 if a median misses a target.
bench: install-dev chromium
	$(PY) -m tests.bench_trends
	$(PY) -m tests.bench_pages
	$(PY) -m tests.bench_exports
	$(PY) -m tests.bench_import

# Every patient and clinician page on PostgreSQL with 50 and with 20,000 patients (a million
# flare-ups) and the Redis cache, as ratios to /healthz, with EXPLAIN of each page's main
# query. Takes several minutes; needs DATABASE_URL (PostgreSQL) and Redis (BENCH_REDIS_URL,
# default redis://127.0.0.1:6379/8, emptied by the run).
bench-scale: install-dev
	$(PY) -m tests.bench_scale

# gunicorn under 16 concurrent patients, a worker killed and a backup taken mid-load
# (SQLite; PostgreSQL too when DATABASE_URL points at it). `make test` runs these as well.
loadtest: install-dev
	$(PY) -m pytest -m load tests/load

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .hypothesis
