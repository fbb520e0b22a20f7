# The two commands: `make run` and `make test`. Everything else is a helper.
# Compiled catalogs (locale/*/LC_MESSAGES/*.mo) are committed, so neither command needs gettext;
# `make messages` (needs gettext) refreshes them after UI strings change.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: run test lint format bench migrate seed messages clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml requirements/hashed.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --no-deps --require-hashes -r requirements/hashed.txt
	$(VENV)/bin/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	@touch $@

# Details go to var/log/ (LOG_DIR); the terminal shows the addresses, the accounts and errors.
LOG_DIR ?= $(or $(VAR_DIR),$(CURDIR)/var)/log

migrate: $(VENV)/.installed
	@mkdir -p $(LOG_DIR)
	@echo "  Migrating the database (details in $(LOG_DIR)/migrate.log)..."
	@LOG_DIR=$(LOG_DIR) $(PY) manage.py migrate --noinput >$(LOG_DIR)/migrate.log 2>&1 \
		|| { tail -n 40 $(LOG_DIR)/migrate.log; echo "migrate failed: see $(LOG_DIR)/migrate.log"; exit 1; }

seed: migrate
	@LOG_DIR=$(LOG_DIR) $(PY) manage.py seed_demo 2>>$(LOG_DIR)/seed.log \
		|| { tail -n 40 $(LOG_DIR)/seed.log; echo "seeding failed: see $(LOG_DIR)/seed.log"; exit 1; }

run: seed
	@echo ""
	@echo "  Answerfirst is starting (Ctrl-C stops everything):"
	@echo "    Portal         http://127.0.0.1:$(PORT)/"
	@echo "    Help center    http://127.0.0.1:$(PORT)/help/"
	@echo "    Wagtail admin  http://127.0.0.1:$(PORT)/admin/"
	@echo "    Agent desk     http://127.0.0.1:$(PORT)/agent/"
	@echo "    APIs           http://127.0.0.1:$(PORT)/api/v2/pages/  http://127.0.0.1:$(PORT)/api/docs/"
	@echo "    Health         http://127.0.0.1:$(PORT)/healthz"
	@echo "    Outgoing mail  var/mail/"
	@echo "    Logs           $(LOG_DIR)/ (the terminal shows warnings and errors)"
	@echo ""
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT=$(PORT) LOG_DIR=$(LOG_DIR) $(VENV)/bin/honcho -f Procfile start

test: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=portal.settings.dev $(PY) -m bench.run_all

# Each app keeps its own catalog (<app>/locale/); locale/ holds the portal's own strings.
MAKEMESSAGES = $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l fr -l de -l es -l it -l pt -l ja -l en --no-obsolete
messages: $(VENV)/.installed-dev
	$(MAKEMESSAGES) --ignore=.venv --ignore=var --ignore=tests --ignore=bench \
		--ignore=accounts --ignore=cms --ignore=search --ignore=deflection --ignore=tickets
	for app in accounts cms search deflection tickets/agents tickets/mail; do \
		(cd $$app && $(MAKEMESSAGES)) || exit 1; done
	cd tickets && $(MAKEMESSAGES) --ignore=agents --ignore=mail
	for dir in . accounts cms search deflection tickets tickets/agents tickets/mail; do \
		(cd $$dir && $(CURDIR)/$(PY) $(CURDIR)/manage.py compilemessages --ignore=.venv) || exit 1; done

clean:
	rm -rf var/broker var/celery-results var/cache var/test*.sqlite3*
