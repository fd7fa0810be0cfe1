"""Helpers shared by the services tests (fixtures live in conftest.py)."""
import os
import threading
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


class WorkerProgress:
    """Counts the tasks the test's worker has finished, so a test waits for the worker, not for time.

    Connected to Celery's ``task_postrun`` (sent in the worker thread once a task has returned, its
    transactions committed): ``wait_for`` checks its condition, and if it does not hold yet, sleeps
    until the next task finishes — never a fixed interval.
    """

    def __init__(self):
        self.finished = 0
        self.changed = threading.Condition()

    def task_done(self, **kwargs):
        with self.changed:
            self.finished += 1
            self.changed.notify_all()

    def wait_for(self, condition, what, seconds=120.0):
        """The first truthy value of ``condition()``, re-checked after each task the worker finishes;
        fails the test saying ``what`` did not happen within ``seconds`` (a generous bound: on a
        loaded machine a task can take seconds, and nothing here waits longer than it must)."""
        deadline = time.monotonic() + seconds
        while True:
            with self.changed:
                seen = self.finished
            value = condition()
            if value:
                return value
            with self.changed:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.changed.wait_for(lambda seen=seen: self.finished != seen, remaining):
                    value = condition()  # a last look: the bound is reached
                    if value:
                        return value
                    pytest.fail(f"{what}: not seen within {seconds:.0f} s ({self.finished} task(s) finished)")
