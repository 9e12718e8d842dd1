# The two commands: `make run` and `make test`. Everything else is what they use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint messages worker beat clean

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

## make test: lint, migration check and the whole suite
test: $(STAMP)
	DJANGO_SETTINGS_MODULE=cac.settings_test $(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=cac.settings_test $(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=cac.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## make messages: extract strings into the .po files and compile them
messages: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf .broker staticfiles test-artifacts .test-media
