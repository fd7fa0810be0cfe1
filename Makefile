# lms-automations — developer commands. `make demo` and `make test` are the two that matter.
.PHONY: help requirements requirements312 demo test test-services test-browser quality upgrade clean

SHELL := /bin/bash
# A pyenv-installed interpreter if there is one (pyenv's shims fail for versions not selected),
# else whatever python3.11 / python3.12 the PATH has.
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null)
PY311 ?= $(or $(lastword $(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.11*/bin/python))),$(shell command -v python3.11))
PY312 ?= $(or $(lastword $(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.12*/bin/python))),$(shell command -v python3.12))
VENV := .venv
VENV312 := .venv312
PYTEST_ARGS ?=
MARIADB_URL ?= mysql://lms_automations:lms_automations@127.0.0.1:3306/lms_automations
POSTGRES_URL ?= postgres://lms_automations:lms_automations@127.0.0.1:5432/lms_automations
REDIS_URL ?= redis://127.0.0.1:6379/5

help:
	@echo "make demo           sandbox LMS + plugin on http://127.0.0.1:8000/admin/ (worker and tick included)"
	@echo "make test           the whole default test suite (Python 3.11, SQLite, Celery eager)"
	@echo "make test-services  the suite on Python 3.12 against MariaDB and PostgreSQL, broker tests on Redis"
	@echo "make test-browser   admin pages in headless Chromium (installs Debian chromium if missing)"
	@echo "make quality        ruff"
	@echo "make upgrade        re-pin requirements/py311 and requirements/py312"

# A venv per Python line, rebuilt only when its pinned requirements change.
$(VENV)/.installed-%: requirements/py311/test.txt requirements/py311/quality.txt setup.py
	@echo "==> Installing Python 3.11 requirements into $(VENV)"
	@test -x $(VENV)/bin/python || $(PY311) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --upgrade pip
	@$(VENV)/bin/pip install -q -r requirements/py311/test.txt -r requirements/py311/quality.txt
	@$(VENV)/bin/pip install -q --no-deps -e . -e tests/catalogue/thirdparty_pkg
	@rm -f $(VENV)/.installed-* && touch $@

$(VENV312)/.installed-%: requirements/py312/test.txt setup.py
	@echo "==> Installing Python 3.12 requirements into $(VENV312)"
	@test -n "$(PY312)" || { echo "Python 3.12 not found (pyenv install 3.12)"; exit 1; }
	@test -x $(VENV312)/bin/python || $(PY312) -m venv $(VENV312)
	@$(VENV312)/bin/pip install -q --upgrade pip
	@$(VENV312)/bin/pip install -q -r requirements/py312/test.txt
	@$(VENV312)/bin/pip install -q --no-deps -e . -e tests/catalogue/thirdparty_pkg
	@rm -f $(VENV312)/.installed-* && touch $@

STAMP311 = $(VENV)/.installed-$(shell cat requirements/py311/*.txt setup.py tests/catalogue/thirdparty_pkg/setup.py | md5sum | cut -c1-12)
STAMP312 = $(VENV312)/.installed-$(shell cat requirements/py312/*.txt setup.py tests/catalogue/thirdparty_pkg/setup.py | md5sum | cut -c1-12)

requirements: $(STAMP311)
requirements312: $(STAMP312)

demo: requirements
	@bash scripts/demo.sh

test: requirements
	$(VENV)/bin/pytest -m "not services and not browser" $(PYTEST_ARGS)

test-services: requirements312
	@bash scripts/ensure-services.sh
	@echo "==> Python 3.12, MariaDB"
	DATABASE_URL=$(MARIADB_URL) CELERY_BROKER_URL=$(REDIS_URL) $(VENV312)/bin/pytest -m "not browser" $(PYTEST_ARGS)
	@echo "==> Python 3.12, PostgreSQL"
	DATABASE_URL=$(POSTGRES_URL) CELERY_BROKER_URL=$(REDIS_URL) $(VENV312)/bin/pytest -m "not browser" $(PYTEST_ARGS)

test-browser: requirements
	@command -v chromium >/dev/null || { echo "==> Installing Debian chromium"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }
	$(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

quality: requirements
	$(VENV)/bin/ruff check lms_automations sandbox tests benchmarks setup.py

upgrade:
	cd requirements && ../$(VENV)/bin/pip-compile -q --upgrade --strip-extras --no-header --allow-unsafe -o py311/test.txt test.in
	cd requirements && ../$(VENV)/bin/pip-compile -q --upgrade --strip-extras --no-header --allow-unsafe -o py311/quality.txt quality.in
	cd requirements && ../$(VENV312)/bin/pip-compile -q --upgrade --strip-extras --no-header --allow-unsafe -o py312/test.txt test.in

clean:
	rm -rf $(VENV) $(VENV312) var .pytest_cache .ruff_cache *.egg-info
