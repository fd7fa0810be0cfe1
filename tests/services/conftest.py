"""Fixtures for the tests that need real services (`make test-services`).

`make test-services` sets ``LMS_AUTOMATIONS_REQUIRE_SERVICES=1``: a missing broker or server
database is then a failure, not a skip, so a mis-wired run cannot pass by skipping.
"""
import contextlib
import os

import pytest
from django.db import connection

from lms_automations.conf import get_setting
from sandbox.celery import app as celery_app

from .support import SERVER_BROKERS, need


@pytest.fixture
def server_database():
    """The test database is MariaDB/MySQL or PostgreSQL (DATABASE_URL), not SQLite."""
    need(connection.vendor in ("mysql", "postgresql"), "needs DATABASE_URL pointing at MariaDB/MySQL or PostgreSQL")
    return connection.vendor


@pytest.fixture
def celery_worker(server_database, transactional_db):
    """A real Celery worker thread consuming the plugin's queue from ``CELERY_BROKER_URL``.

    Eager mode is off while it runs, so ``apply_async`` publishes to the broker and the worker, in its
    own thread with its own database connection, runs the task on committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    broker = os.environ.get("CELERY_BROKER_URL", "")
    need(broker.startswith(SERVER_BROKERS), "needs CELERY_BROKER_URL pointing at Redis or RabbitMQ")
    queue = get_setting("CELERY_QUEUE")

    # sandbox.test_settings takes the broker from CELERY_BROKER_URL too; only eager mode changes.
    assert celery_app.conf.broker_url == broker, (celery_app.conf.broker_url, broker)
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=3)
            # Messages a crashed earlier run left behind would run against the wrong rows. (RabbitMQ
            # refuses to purge a queue that does not exist yet: nothing to purge then.)
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)
        with start_worker(celery_app, queues=[queue], pool="solo", concurrency=1, perform_ping_check=False,
                          loglevel="WARNING", shutdown_timeout=15) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True
