# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
NODE_STAMP := node_modules/.installed
export RASA_TELEMETRY_ENABLED := false

# Rasa 3.6 needs Python 3.10 exactly; on these machines it comes from pyenv.
PY310 ?= $(shell for p in python3.10 $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

.PHONY: run test test-fast lint bench train check messages lock clean

$(BIN)/.installed: requirements.lock pyproject.toml
	@test -n "$(PY310)" || { echo "error: Python 3.10 not found. Rasa 3.6 needs it: install it (for example 'pyenv install 3.10') and run make again." >&2; exit 1; }
	test -x $(BIN)/python || $(PY310) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip==24.0'
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

# GOV.UK Frontend (the web chat's styles) and axe-core (the accessibility tests), at the exact
# versions in package-lock.json. The web app serves them from node_modules: nothing from a CDN.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm not found. The web chat's styles come from npm: install Node.js 20 with npm and run make again." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(BIN)/.installed $(NODE_STAMP)
	$(BIN)/bot serve

test: lint
	$(BIN)/bot content check
	$(BIN)/bot train
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo 'error: pytest collected no tests' >&2; fi; exit $$status

# The quick tier, while working: no Rasa model, no server process, no browser, no PostgreSQL.
# The safety classifier is trained once and cached in var/models/ (about a minute the first time).
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -q -n auto -m "not stack and not browser and not production"; status=$$?; \
	if [ $$status -eq 5 ]; then echo 'error: pytest collected no tests' >&2; fi; exit $$status

# Static checks: ruff (lint and format), mypy, the import contracts of bot/ (.importlinter), eslint.
lint: $(BIN)/.installed $(NODE_STAMP)
	$(BIN)/ruff check bot actions tests migrations
	$(BIN)/ruff format --check bot actions tests migrations
	$(BIN)/mypy
	$(BIN)/lint-imports
	npx --no-install eslint bot/web/static

# One Rasa replica against two, at 20 and 50 conversations; on a scratch PostgreSQL
# database when PostgreSQL answers on 127.0.0.1 (the production shape), else on SQLite.
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/postgres
bench: $(BIN)/.installed
	$(BIN)/bot train
	if pg_isready -q -h 127.0.0.1 2>/dev/null; then $(BIN)/bot bench --postgres $(BENCH_POSTGRES); else $(BIN)/bot bench; fi

train: $(BIN)/.installed
	$(BIN)/bot train

check: $(BIN)/.installed
	$(BIN)/bot content check

# Interface strings: extract them for translators, update each language's catalog, and
# compile every catalog to check it (the assistant reads the .po files directly).
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ --no-location --sort-output -o locales/messages.pot bot
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching
	rm -rf /tmp/kent-send-mo && mkdir -p /tmp/kent-send-mo && cp -r locales/. /tmp/kent-send-mo/
	$(BIN)/pybabel compile -d /tmp/kent-send-mo -D messages --statistics

# Re-resolve the lock after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/kent-send-lock && $(PY310) -m venv /tmp/kent-send-lock
	/tmp/kent-send-lock/bin/python -m pip install --quiet 'pip==24.0' && /tmp/kent-send-lock/bin/python -m pip install --quiet '.[test]'
	{ echo "# Exact versions of every dependency, for Python 3.10 (Rasa 3.6 does not install on 3.11)."; \
	  echo "# Regenerate with 'make lock' after changing pyproject.toml."; \
	  /tmp/kent-send-lock/bin/python -m pip freeze --exclude-editable | grep -v '^kent-send-assistant'; } > requirements.lock

clean:
	rm -rf $(VENV) var node_modules
