# The two commands: `make run` and `make test`. Everything else is what they use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint messages worker beat clean bench bench-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## make run: the app, its Celery worker and beat on http://127.0.0.1:8000 (Ctrl-C stops all of it)
run: $(STAMP)
	bin/run

## make test: lint, the import layers, migration check and the whole suite
test: $(STAMP)
	DJANGO_SETTINGS_MODULE=cac.settings_test $(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=cac.settings_test $(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=cac.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

## make messages: extract strings into the .po files and compile them
messages: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf .broker staticfiles test-artifacts .test-media

## make bench-data SCALE=1: the large data set of the benchmark in BENCH_DATABASE_URL (created if missing)
## make bench [SCALE=…] [BENCH_ARGS="--only 360,lookup --no-load"]: time it; results in bench/results/
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cac_bench
BENCH_ARGS ?=
# What the Dockerfile installs for the report PDF: CJK fonts, and HarfBuzz's subsetter (fontTools is 10x slower).
BENCH_PDF_PACKAGES := fonts-noto-cjk libharfbuzz-subset0
BENCH_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench-only-not-a-production-secret \
	DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1,localhost DATABASE_URL=$(BENCH_DATABASE_URL)

bench-data: $(STAMP)
	$(BENCH_ENV) $(BIN)/python -m bench.createdb
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v 1
	$(BENCH_ENV) $(BIN)/python manage.py seed_bench --scale $(or $(SCALE),1)

bench: $(STAMP)
	@missing=$$(command -v wrk >/dev/null || echo wrk; \
		for package in $(BENCH_PDF_PACKAGES); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "Installing" $$missing; export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 \
				|| { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null; } \
				|| echo "Could not install" $$missing; \
		else \
			echo "Missing" $$missing "and no apt-get as root: without wrk the load test is skipped," \
				"without the fonts the PDF fails, without libharfbuzz-subset0 it takes ten times as long."; \
		fi; \
	fi
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	$(BENCH_ENV) $(BIN)/python -m bench.run $(if $(SCALE),--scale $(SCALE)) $(BENCH_ARGS)
