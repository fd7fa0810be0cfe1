"""The plugin's Celery pipeline over a real broker (Redis in ``make test-services``)."""
import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from lms_automations.models import Event
from lms_automations.recording import enqueue_dispatch
from sandbox.celery import app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def worker():
    if not BROKER.startswith(("redis://", "amqp://")) or connection.vendor == "sqlite":
        pytest.skip("needs CELERY_BROKER_URL (Redis/RabbitMQ) and a server database: run make test-services")
    saved = {key: app.conf.get(key) for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=BROKER)
    app.connection_for_write().ensure_connection(max_retries=3)
    with start_worker(app, queues=["edx.lms.core.default"], perform_ping_check=False, pool="solo",
                      shutdown_timeout=10):
        yield
    app.conf.update(saved)


def wait_until(predicate, seconds=20):
    """Poll a condition with a deadline (the worker runs in another thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_an_enqueued_dispatch_is_consumed_from_the_broker_and_marks_the_event(worker, django_user_model):
    learner = django_user_model.objects.create(username="ada")
    event = Event.objects.create(event_type="custom.signup", user=learner, payload={}, source="api",
                                 idempotency_key="redis-1", occurred_at="2026-01-01T00:00:00Z")
    enqueue_dispatch("redis-1")
    assert wait_until(lambda: Event.objects.filter(pk=event.pk, dispatched_at__isnull=False).exists())
    assert Event.objects.get(pk=event.pk).dispatch_status == Event.DISPATCH.dispatched
