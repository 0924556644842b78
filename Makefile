# Jiesu — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
JIESU := $(VENV)/bin/jiesu
export JIESU_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test venv assets system-deps lint typecheck test-sqlite test-postgres bench migrate serve clean lock

$(VENV)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c requirements.lock -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

# Front-end assets come from the npm registry at build time and are served locally.
jiesu/web/static/vendor/echarts.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p jiesu/web/static/vendor
	cp node_modules/echarts/dist/echarts.min.js $@

assets: jiesu/web/static/vendor/echarts.min.js

system-deps:
	bash scripts/ensure-system-deps.sh

migrate: venv assets
	mkdir -p $(JIESU_VAR_DIR)
	JIESU_DEMO=1 $(JIESU) migrate --noinput -v 0
	JIESU_DEMO=1 $(JIESU) collectstatic --noinput -v 0

# Runs the product on its embedded default (SQLite under var/, demo data) with the worker.
demo: migrate
	JIESU_DEMO=1 $(JIESU) demo
	JIESU_DEMO=1 $(JIESU) knowledge demo
	@echo "Jiesu 接诉: http://127.0.0.1:8000  (API 文档: http://127.0.0.1:8000/api/docs)"
	JIESU_DEMO=1 bash -c 'trap "kill 0" EXIT; $(JIESU) worker & $(JIESU) runserver 127.0.0.1:8000 --noreload'

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: venv
	$(VENV)/bin/mypy jiesu bench

test-sqlite: venv assets
	env -u DATABASE_URL $(VENV)/bin/pytest -q -n 2 --dist load

test-postgres: venv assets
	DATABASE_URL=$$(bash scripts/ensure-postgres.sh) $(VENV)/bin/pytest -q -n 2 --dist load

# Installs what the tests need, then runs every gate on SQLite and on PostgreSQL.
test: system-deps venv assets lint typecheck test-sqlite test-postgres

bench: venv assets system-deps
	DATABASE_URL=$$(JIESU_PG_DB=jiesu_bench bash scripts/ensure-postgres.sh) $(PY) bench/run.py

lock:
	$(PIP) freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) node_modules jiesu/web/static/vendor
