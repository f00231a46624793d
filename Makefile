# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_SETTINGS := config.settings.dev
# The port `make run` serves on, on 127.0.0.1: `make run PORT=8001`.
PORT ?= 8000
# manage.py as the demo runs it: dev settings, links in what it sends pointing at the served port.
DEV_MANAGE = DEV_SERVER_ADDRESS=127.0.0.1:$(PORT) DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py

.PHONY: run test lint format worker up install speedups migrate demo clean train-scorer train-second-tier

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt requirements-embeddings.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-embeddings.txt
	touch $(STAMP)

## make install: the virtualenv, then the scorer's compiled lookups (scoring/_speedups.c; needs
## gcc and the Python headers: without them the scorer runs as pure Python, same scores, slower)
install: $(STAMP) speedups

speedups: $(BIN)/python
	$(BIN)/python scoring/build_speedups.py \
	  || echo "WARNING: scoring/_speedups.c did not build: the scorer runs as pure Python (slower)" >&2

migrate: install
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_MANAGE) seed_demo
	$(DEV_MANAGE) seed_demo_alerts
	$(DEV_MANAGE) seed_demo_policy
	$(DEV_MANAGE) seed_demo_partners

## make run: install, migrate the SQLite database, load the demo, serve on 127.0.0.1:8000 with
## a Celery worker and beat beside it (Procfile.dev; Ctrl-C stops them all)
## (make run PORT=8001: another port; links in printed emails and sms_simulate follow it)
run: demo
	DEV_SERVER_ADDRESS=127.0.0.1:$(PORT) DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) PYTHONUNBUFFERED=1 \
	  PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev -e /dev/null -p $(PORT)

## make test: the whole suite (SQLite unless DATABASE_URL is set)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make train-scorer: re-train the scorer's learned tier from data/scorer (seeded: the same
## data gives a byte-identical scoring/model/harm.json.gz); EXTRA=triage.jsonl adds an export
train-scorer: install
	$(BIN)/python -m scoring.train $(foreach f,$(EXTRA),--extra $(f)) --report scoring/model/validation.json

## make train-second-tier: re-train the second tier's heads (sentence embeddings on the first
## tier's candidates; seeded) into scoring/model/second_tier.json; embeddings cached in /tmp
train-second-tier: install
	nice -n 10 $(BIN)/python -m scoring.train.second_tier --report scoring/model/second_tier_validation.json

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make worker: a Celery worker with embedded beat (CELERY_BROKER_URL, e.g. Redis; the dev
## settings default to the demo's broker folder)
worker: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-$(DEV_SETTINGS)} \
	  $(BIN)/celery -A config worker --beat --loglevel=INFO --concurrency=2

## make up: the production configuration on one machine (gunicorn, worker, beat) from the Procfile
up: install
	test -f .env.up || $(BIN)/python -m config.stack env > .env.up
	psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='tipline'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres tipline
	set -a && . ./.env.up && set +a && $(BIN)/python manage.py migrate --noinput \
	  && $(BIN)/python manage.py collectstatic --noinput -v0 && $(BIN)/python manage.py seed_demo \
	  && $(BIN)/python manage.py seed_demo_alerts
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -e .env.up start

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* .staticfiles .media .dev-broker build/speedups
	rm -f scoring/_speedups.*.so
