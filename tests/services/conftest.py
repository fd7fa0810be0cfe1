"""Fixtures for the tests that need real services (`make test-services`).

`make test-services` sets ``LMS_AUTOMATIONS_REQUIRE_SERVICES=1``: a missing broker or server
database is then a failure, not a skip, so a mis-wired run cannot pass by skipping.
"""
import contextlib
import logging
import os
import threading

import pytest
from django.db import connection

from lms_automations import publishing
from lms_automations.conf import get_setting
from sandbox.celery import app as celery_app

from .support import SERVER_BROKERS, WorkerProgress, need


@pytest.fixture
def server_database():
    """The test database is MariaDB/MySQL or PostgreSQL (DATABASE_URL), not SQLite."""
    need(connection.vendor in ("mysql", "postgresql"), "needs DATABASE_URL pointing at MariaDB/MySQL or PostgreSQL")
    return connection.vendor


class WorkerErrors(logging.Handler):
    """Error records logged by threads other than the test's: the worker's, which a test would
    otherwise only see as a condition that never came true."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        if record.thread != threading.main_thread().ident:
            self.records.append(f"{record.name}: {record.getMessage()}\n{record.exc_text or ''}")


@pytest.fixture
def celery_worker(server_database, transactional_db):
    """A real Celery worker thread consuming the plugin's queue from ``CELERY_BROKER_URL``; yields a
    ``WorkerProgress`` whose ``wait_for`` waits for the worker's tasks, not for time.

    Eager mode is off while it runs, so ``apply_async`` publishes to the broker and the worker, in its
    own thread with its own database connection, runs the task on committed rows. The worker keeps
    the root logger (Celery would replace its handlers, and with them pytest's capture): an error the
    worker logs is shown, and fails the test.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    broker = os.environ.get("CELERY_BROKER_URL", "")
    need(broker.startswith(SERVER_BROKERS), "needs CELERY_BROKER_URL pointing at Redis or RabbitMQ")
    queue = get_setting("CELERY_QUEUE")

    # sandbox.test_settings takes the broker from CELERY_BROKER_URL too; only eager mode changes.
    assert celery_app.conf.broker_url == broker, (celery_app.conf.broker_url, broker)
    celery_app.conf.update(task_always_eager=False, worker_hijack_root_logger=False)
    progress, errors = WorkerProgress(), WorkerErrors()
    task_postrun.connect(progress.task_done, weak=False, dispatch_uid="tests.services.progress")
    logging.getLogger().addHandler(errors)
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=3)
            # Messages a crashed earlier run left behind would run against the wrong rows. (RabbitMQ
            # refuses to purge a queue that does not exist yet: nothing to purge then.)
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)
        with start_worker(celery_app, queues=[queue], pool="solo", concurrency=1, perform_ping_check=False,
                          loglevel="WARNING", shutdown_timeout=15) as worker:
            progress.worker = worker
            yield progress
    finally:
        task_postrun.disconnect(dispatch_uid="tests.services.progress")
        logging.getLogger().removeHandler(errors)
        celery_app.conf.update(task_always_eager=True, worker_hijack_root_logger=True)
        publishing.reset()  # the test thread's broker connection belongs to this test
    assert not errors.records, "the worker logged errors:\n" + "\n".join(errors.records)
