# Set-up and everyday commands. `make run` and `make test` work on a fresh machine with
# Python 3.11+ and Node.js/npm; everything else is installed into .venv and node_modules.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install assets translations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

static/vendor/.copied: node_modules/.package-lock.json scripts/copy_assets.py | $(BIN)/python
	$(BIN)/python scripts/copy_assets.py
	touch $@

assets: static/vendor/.copied

translations: install
	$(BIN)/pybabel compile --domain messages --directory translations
	$(BIN)/pybabel compile --domain wtforms --directory translations

# Serve the app with demo data on SQLite (instance/pastid.sqlite3) at 127.0.0.1:$(PORT);
# links in e-mails point there too unless PUBLIC_URL says otherwise.
# The scheduler (reminders, surveys, no-shows, retention) runs beside the web server and
# stops with it: Ctrl-C ends the shell through `exit 130`, which runs the EXIT trap.
run: export PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: install assets translations
	$(FLASK) db upgrade
	$(FLASK) seed demo
	$(FLASK) jobs run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT; trap 'exit 130' INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install assets translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks under gunicorn on SQLite and on the PostgreSQL server at 127.0.0.1:5432 (database
# `bench`, dropped and created again). Needs wrk, installed from Debian when run as root; rate
# limits count in Redis at 127.0.0.1:6379 when it responds. BENCH_ARGS passes options on.
bench: install assets translations
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor translations/*/LC_MESSAGES/*.mo
