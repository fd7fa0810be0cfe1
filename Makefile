# lms-automations — developer commands. `make demo` and `make test` are the two that matter.
.PHONY: help requirements requirements312 demo test test-all test-oldest test-services test-browser quality tox upgrade clean bench extract_translations

SHELL := /bin/bash
.DEFAULT_GOAL := help
# A pyenv-installed interpreter if there is one (pyenv's shims fail for versions not selected),
# else whatever python3.11 / python3.12 the PATH has.
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null)
PY311 ?= $(or $(lastword $(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.11*/bin/python))),$(shell command -v python3.11))
PY312 ?= $(or $(lastword $(sort $(wildcard $(PYENV_ROOT_DIR)/versions/3.12*/bin/python))),$(shell command -v python3.12))
VENV := .venv
VENV312 := .venv312
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k waits -x"`.
PYTEST_ARGS ?=
# Parallel workers (pytest-xdist); `make test XDIST=0` runs in one process.
XDIST ?= 2
XDIST_ARGS := $(if $(filter 0,$(XDIST)),,-n $(XDIST))
# The services tests share one broker queue: they run in one xdist process (tests/services/support.py).
XDIST_SERVICES_ARGS := $(if $(filter 0,$(XDIST)),,-n $(XDIST) --dist loadgroup)
# Prepared by scripts/ensure-services.sh. Django's test runner creates and drops test_<name>.
MARIADB_URL ?= mysql://lms_automations:lms_automations@127.0.0.1:3306/lms_automations
POSTGRES_URL ?= postgres://lms_automations:lms_automations@127.0.0.1:5432/lms_automations
REDIS_URL ?= redis://127.0.0.1:6379/5
RABBITMQ_URL ?= amqp://guest:guest@127.0.0.1:5672//
# pytest exits 5 when it ran no test: that is a failure here, as is any other non-zero code.
PYTEST_CHECK = rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; exit $$rc

help:
	@echo "make requirements   create/refresh .venv (Python 3.11) from requirements/py311/{test,dev}.txt"
	@echo "make demo           sandbox LMS + plugin on http://127.0.0.1:8000/admin/ (worker and tick included)"
	@echo "make test-all       the whole test suite: all of the below and lint (starts MariaDB, PostgreSQL, Redis)"
	@echo "make test           the default suite (Python 3.11, SQLite, Celery eager): the quick one"
	@echo "make test-oldest    the default suite on Python 3.11, Django 4.2, openedx-events 9.x (tox)"
	@echo "make test-services  the suite on Python 3.12 against MariaDB, then PostgreSQL; broker tests on Redis, RabbitMQ"
	@echo "make test-browser   admin pages in headless Chromium (installs Debian chromium if missing)"
	@echo "make bench          the benchmarks' table (BENCH_ARGS=\"--database postgres --size medium\"; benchmarks/README.md)"
	@echo "make quality        ruff check"
	@echo "make extract_translations  refresh lms_automations/conf/locale/en/LC_MESSAGES/django.po and djangojs.po"
	@echo "make assets         rebuild the builder's static files from assets/builder/ (node; the built files are committed)"
	@echo "make tox            the tox matrix (py311-django42, py311-django52, py312-django52, quality); TOX_ARGS=..."
	@echo "make upgrade        re-pin requirements/py311 and requirements/py312 (UPGRADE= keeps current pins)"
	@echo "make clean          remove the virtualenvs, caches and var/"

# --- virtualenvs ------------------------------------------------------------------------------
# One venv per Python line. scripts/bootstrap-venv.sh does nothing when the venv's stamp (a
# checksum of the pinned files and setup files) matches, so these are cheap to depend on.
requirements:
	@bash scripts/bootstrap-venv.sh $(VENV) "$(PY311)" requirements/py311/test.txt requirements/py311/dev.txt

requirements312:
	@bash scripts/bootstrap-venv.sh $(VENV312) "$(PY312)" requirements/py312/test.txt

# --- running ----------------------------------------------------------------------------------
demo: requirements
	@bash scripts/demo.sh

test: requirements
	@echo "==> The default suite: Python 3.11, SQLite in memory, Celery eager (not: services, browser)"
	@LMS_AUTOMATIONS_LONG_PROPERTIES=$${LMS_AUTOMATIONS_LONG_PROPERTIES:-$${CI:+1}} \
	  $(VENV)/bin/pytest $(XDIST_ARGS) -m "not services and not browser" $(PYTEST_ARGS); $(PYTEST_CHECK)

# Both databases run even when the first fails; the target fails if either did, and then lists, per
# run, pytest's result line and the failing tests (scripts/pytest-summary.sh; logs in var/test-logs/).
SERVICES_SUMMARY := var/test-logs/test-services.summary
# The broker tests share one Redis queue with whatever else publishes in the run: they run in a pytest
# process of their own, after the xdist run (under xdist they timed out with the batched engine).
BROKER_TESTS_APART := --ignore=tests/services/test_broker.py
test-services: requirements312
	@bash scripts/ensure-services.sh
	@mkdir -p var/test-logs; rm -f $(SERVICES_SUMMARY); failed=0; \
	echo "==> The suite plus the services tests: Python 3.12, MariaDB, broker Redis"; \
	DATABASE_URL=$(MARIADB_URL) CELERY_BROKER_URL=$(REDIS_URL) LMS_AUTOMATIONS_REQUIRE_SERVICES=1 \
	  bash scripts/pytest-summary.sh "MariaDB, Redis" $(SERVICES_SUMMARY) -- \
	  $(VENV312)/bin/pytest $(XDIST_SERVICES_ARGS) -m "not browser" $(BROKER_TESTS_APART) $(PYTEST_ARGS) || failed=1; \
	DATABASE_URL=$(MARIADB_URL) CELERY_BROKER_URL=$(REDIS_URL) LMS_AUTOMATIONS_REQUIRE_SERVICES=1 \
	  bash scripts/pytest-summary.sh "MariaDB, Redis (broker tests)" $(SERVICES_SUMMARY) -- \
	  $(VENV312)/bin/pytest -m services tests/services/test_broker.py $(PYTEST_ARGS) || failed=1; \
	echo "==> The suite plus the services tests: Python 3.12, PostgreSQL, broker Redis"; \
	DATABASE_URL=$(POSTGRES_URL) CELERY_BROKER_URL=$(REDIS_URL) LMS_AUTOMATIONS_REQUIRE_SERVICES=1 \
	  bash scripts/pytest-summary.sh "PostgreSQL, Redis" $(SERVICES_SUMMARY) -- \
	  $(VENV312)/bin/pytest $(XDIST_SERVICES_ARGS) -m "not browser" $(BROKER_TESTS_APART) $(PYTEST_ARGS) || failed=1; \
	DATABASE_URL=$(POSTGRES_URL) CELERY_BROKER_URL=$(REDIS_URL) LMS_AUTOMATIONS_REQUIRE_SERVICES=1 \
	  bash scripts/pytest-summary.sh "PostgreSQL, Redis (broker tests)" $(SERVICES_SUMMARY) -- \
	  $(VENV312)/bin/pytest -m services tests/services/test_broker.py $(PYTEST_ARGS) || failed=1; \
	echo "==> The broker tests again with RabbitMQ (Python 3.12, PostgreSQL)"; \
	DATABASE_URL=$(POSTGRES_URL) CELERY_BROKER_URL=$(RABBITMQ_URL) LMS_AUTOMATIONS_REQUIRE_SERVICES=1 \
	  bash scripts/pytest-summary.sh "PostgreSQL, RabbitMQ (broker tests)" $(SERVICES_SUMMARY) -- \
	  $(VENV312)/bin/pytest -m services tests/services/test_broker.py $(PYTEST_ARGS) || failed=1; \
	if [ $$failed -ne 0 ]; then echo; echo "test-services failed:" >&2; cat $(SERVICES_SUMMARY) >&2; exit 1; fi

# The whole test suite (what CI runs): every suite below and lint, each reported (scripts/test-all.sh).
test-all:
	@bash scripts/test-all.sh

# The oldest supported row (Sumac-like): Python 3.11, Django 4.2, openedx-events 9.x, through tox.
test-oldest: requirements
	@echo "==> The default suite on the oldest supported row: Python 3.11, Django 4.2, openedx-events 9.x"
	@PATH="$(dir $(PY311)):$$PATH" $(VENV)/bin/tox -q -e py311-django42-events9

test-browser: requirements
	@command -v chromium >/dev/null || { echo "==> Installing Debian chromium"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }
	@echo "==> Browser checks: admin pages in headless Chromium"
	@$(VENV)/bin/pytest -m browser $(PYTEST_ARGS); $(PYTEST_CHECK)

# Figures beside their baselines, printed (never asserted): PostgreSQL + Redis, 2 Celery prefork
# workers, small sizes by default (a few minutes). `make bench BENCH_ARGS="--database mariadb --size full"`.
BENCH_ARGS ?= --database postgres --size small
bench: requirements312
	@bash scripts/ensure-services.sh
	$(VENV312)/bin/python benchmarks/run_all.py $(BENCH_ARGS)

QUALITY_PATHS := lms_automations sandbox tests benchmarks setup.py
# ruff check only: the code base is not in `ruff format` style (its check would fail on most files).
quality: requirements
	@echo "==> ruff check"
	$(VENV)/bin/ruff check $(QUALITY_PATHS)

# The source (English) catalogues, as Open edX plugins keep them: run from the package, Django's
# makemessages writes into its conf/locale. File names without line numbers keep the diffs small.
# Needs GNU gettext (apt-get install gettext). tests/test_translations.py checks they are current.
MAKEMESSAGES = ../$(VENV)/bin/python ../manage.py makemessages -l en --add-location=file --no-obsolete -v0
extract_translations: requirements
	cd lms_automations && $(MAKEMESSAGES) -d django && $(MAKEMESSAGES) -d djangojs

# tox finds its interpreters on PATH; pyenv's shims refuse versions that are not selected, so put
# the interpreters found above first. `make tox TOX_ARGS="-e py311-django42"`.
TOX_ARGS ?=
tox: requirements
	PATH="$(dir $(PY311)):$(dir $(PY312)):$$PATH" $(VENV)/bin/tox $(TOX_ARGS)

# --- pinning ----------------------------------------------------------------------------------
# pip-compile runs in its own small venv per Python line (the pins differ between 3.11 and 3.12).
# requirements/py3XX/test.txt is compiled first; base.txt and dev.txt are compiled with it as a
# constraint so the three files never disagree. `make upgrade UPGRADE=` re-pins only what the
# .in files changed.
UPGRADE ?= --upgrade
PIP_TOOLS := pip==26.3 pip-tools==7.6.2
COMPILE = CUSTOM_COMPILE_COMMAND="make upgrade" ../$(1)/bin/pip-compile -q --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host --resolver=backtracking

.venv-tools%/bin/pip-compile:
	@py=$(if $(filter 311,$*),$(PY311),$(PY312)); test -n "$$py" || { echo "Python $* not found" >&2; exit 1; }; \
	  $$py -m venv .venv-tools$* && .venv-tools$*/bin/pip install -q $(PIP_TOOLS)

upgrade: .venv-tools311/bin/pip-compile .venv-tools312/bin/pip-compile
	@for line in 311 312; do \
	  echo "==> Pinning requirements/py$$line (Python $$line)"; \
	  mkdir -p requirements/py$$line; \
	  ( cd requirements && \
	    $(call COMPILE,.venv-tools$$line) $(UPGRADE) -o py$$line/test.txt test.in && \
	    $(call COMPILE,.venv-tools$$line) $(UPGRADE) -c py$$line/test.txt -o py$$line/base.txt base.in && \
	    $(call COMPILE,.venv-tools$$line) $(UPGRADE) -c py$$line/test.txt -o py$$line/dev.txt dev.in ) || exit 1; \
	done
	@echo "==> Pinning requirements/py311/quality.txt (tox's quality env)"
	@cd requirements && $(call COMPILE,.venv-tools311) $(UPGRADE) -c py311/dev.txt -o py311/quality.txt quality.in

clean:
	rm -rf $(VENV) $(VENV312) .venv-tools311 .venv-tools312 .tox var .pytest_cache .ruff_cache *.egg-info

# --- the builder's static files -------------------------------------------------------------------
# The built files are committed (installing the plugin needs no build); this rebuilds them from
# assets/builder/ with node alone (ADR 0012).
.PHONY: assets
assets:
	node assets/build.mjs
