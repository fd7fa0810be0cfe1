"""Helpers shared by the services tests (fixtures live in conftest.py)."""
import os
import time

import pytest

HOST_QUEUE = "edx.lms.core.default"  # the LMS's default Celery queue: the plugin's tasks go there by default
SERVER_BROKERS = ("redis://", "rediss://", "amqp://", "pyamqp://")

# Every module here sets ``pytestmark = SERVICES``: the ``services`` mark (skipped by `make test`),
# and one xdist group so that, under `pytest -n N --dist loadgroup`, one process runs them all and two
# Celery workers never share the broker's queue (a task must run against its own process's test
# database).
SERVICES = [pytest.mark.services, pytest.mark.xdist_group("services")]


def need(condition, reason):
    """Skip unless ``condition``; under `make test-services` (LMS_AUTOMATIONS_REQUIRE_SERVICES=1), fail."""
    if condition:
        return
    if os.environ.get("LMS_AUTOMATIONS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"services required but missing: {reason}")
    pytest.skip(f"{reason}: run `make test-services`")


def wait_until(predicate, seconds=30.0, interval=0.05):
    """Poll ``predicate`` until it is truthy or ``seconds`` have passed; returns its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
