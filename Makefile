# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: one per CPU; 0 runs serially (e.g. to use --pdb).
PYTEST_WORKERS ?= auto
# One process, with the beat inside: enough for development and for a single machine; in
# production run more workers and one beat (docs/deployment.md).
CELERY_WORKER := $(VENV)/bin/celery -A config worker --beat --pool=solo --loglevel=$${CELERY_LOG_LEVEL:-info}

.PHONY: install translations messages i18n-check run worker test screenshots serve lint format clean

install: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The interface's translations (docs/languages.md): locale/<lang>/LC_MESSAGES/django.po, compiled
# here into .mo files, which are not committed. compilemessages runs GNU gettext's msgfmt.
translations: $(STAMP)
	@command -v msgfmt >/dev/null 2>&1 || { echo >&2 "msgfmt not found: compiling the translations needs GNU gettext (Debian/Ubuntu: sudo apt-get install gettext; macOS: brew install gettext)."; exit 1; }
	$(PY) manage.py compilemessages --ignore .venv --ignore .git --verbosity 0

# Refresh the .po files from the code and templates, then list what is left to translate.
messages: $(STAMP)
	$(PY) manage.py check_translations --write

# Fails listing every message that is untranslated or fuzzy, without touching the .po files.
i18n-check: $(STAMP)
	$(PY) manage.py check_translations

# HOST= and PORT= choose where the server listens (a port already taken is said before anything
# starts). The web server (runserver, which Daphne makes an ASGI server for the live board's
# stream) and, next to it, the background worker (docs/worker.md); stopping one (Ctrl-C) stops
# the other.
run: install
	$(PY) manage.py check_port $(HOST) $(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py rollup
	$(PY) manage.py mail_destination
	mkdir -p var
	$(CELERY_WORKER) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The background worker alone, with its periodic sweep (beat); the broker is CELERY_BROKER_URL.
worker: $(STAMP)
	mkdir -p var
	$(CELERY_WORKER)

# In parallel, listing the 15 slowest tests at the end; PYTEST_ARGS adds pytest arguments, e.g.
# make test PYTEST_ARGS="tests/reports -k live". xdist's default distribution on purpose:
# loadscope and loadgroup key tests by node id, and the API schema fuzzing gives several tests
# one id (all but one would silently not run). Python may write its bytecode caches here, even
# where the environment says not to (PYTHONDONTWRITEBYTECODE): pytest keeps the test modules
# with their assertions rewritten there, and each worker would otherwise rewrite and compile
# them all again, every run (about eight seconds each).
test: install
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(PYTEST_WORKERS) --durations=15 $(PYTEST_ARGS)

# The README's pictures: the browser tests, saving their screenshots into docs/screenshots/.
screenshots: install
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/browser

# gunicorn with Uvicorn's workers serving the ASGI application (config/asgi.py): the live board's
# event streams stay open without holding a worker (docs/deployment.md).
serve: install
	DEBUG=false $(PY) manage.py collectstatic --noinput
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(VENV)/bin/gunicorn config.asgi:application --worker-class uvicorn_worker.UvicornWorker --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3}

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 var
	find locale -name '*.mo' -delete
