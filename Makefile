# Xianjie: two commands for a new machine with Python (3.11–3.13) and make.
#   make run   — install, migrate, seed the demo, serve http://$(HOST):$(PORT) (127.0.0.1:8000)
#   make test  — install, run the whole test suite
# The first Python that Django 5.2 supports (3.11, 3.12 or 3.13) found on the PATH; PYTHON=… picks one.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# The embedded default is for local work: DEBUG on unless the caller says otherwise.
export DEBUG ?= 1

.PHONY: run test check bench load install migrate seed clean worker beat serve

$(STAMP): pyproject.toml
	@test -x $(PY) || test -n "$(PYTHON)" || { echo "Xianjie needs Python 3.11, 3.12 or 3.13 (python3.11 … python3 on the PATH), or PYTHON=/path/to/python."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --campaign-2018 --certificates 2000

# The deadline sweep runs beside the server, every 60 seconds, and stops with it; once a day it
# writes the event chain digest to chain-digests/ for keeping off the system.
run: seed
	$(PY) manage.py demo_logins --address http://$(HOST):$(PORT)
	@$(PY) manage.py sweep_deadlines --every 60 --digest-dir chain-digests & sweeper=$$!; \
	trap 'kill $$sweeper 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production stack in the foreground: nginx on $(PORT) in front of gunicorn's uvicorn workers
# (deploy/; config/stack.py), on PostgreSQL and Redis. Ctrl-C stops both.
serve: $(STAMP)
	@test -n "$$DATABASE_URL" && test -n "$$REDIS_URL" || { echo "make serve needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://… first."; exit 1; }
	$(PY) manage.py migrate --noinput
	@echo "Xianjie: http://127.0.0.1:$(PORT)"
	$(PY) -m config.stack --port $(PORT)

# A Celery worker of every queue, and beat, in the foreground (CELERY_BROKER_URL must name the
# broker; without one `make run`'s sweep loop does their work). deploy/systemd/ runs them as services.
WORKER_CONCURRENCY ?= 2

worker: migrate
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (redis://… or amqp://…) first."; exit 1; }
	$(VENV)/bin/celery -A config worker -Q mail,jobs,sweep -c $(WORKER_CONCURRENCY) --loglevel INFO

beat: migrate
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (redis://… or amqp://…) first."; exit 1; }
	$(VENV)/bin/celery -A config beat --loglevel INFO

# In parallel: one pytest-xdist worker per core, each on its own test database and Redis database
# (tests/workers.py). --dist load hands tests out one by one in collection order: better balanced
# than by file (the security matrix alone is a third of the suite), and each worker still runs
# the transactional tests, which empty its database, after every test that needs the seeded demo
# data (worksteal would not keep that order). PYTEST_ARGS comes last and wins: PYTEST_ARGS="-n 0"
# runs serially, PYTEST_ARGS=tests/cases a part in parallel.
PYTEST_XDIST ?= -n auto --dist load

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Benchmarks on PostgreSQL and Redis (DATABASE_URL, REDIS_URL); writes bench/results.json and .md.
bench: $(STAMP)
	$(PY) -m bench.run

# A working day's mixed users (Locust) in steps through nginx, on the database `make bench` leaves
# (same DATABASE_URL and REDIS_URL); writes bench/load.json and .md. LOAD_STEPS, LOAD_STEP_SECONDS.
load: $(STAMP)
	$(PY) -m bench.load

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(VENV)/bin/mypy .

clean:
	rm -rf $(VENV) xianjie.sqlite3 staticfiles
