"""A broker that cannot be reached does not slow the learner's request (ADR 0011): the plugin's
publish is tried once, with short timeouts, then not at all for a while; the outbox delivers later.

The broker here is py-amqp (installed with Celery) at a port of 127.0.0.1 nothing listens on, or at
a listening socket whose accept queue is full, which drops connection attempts like a firewall."""
import datetime
import socket
import time
from unittest import mock

import kombu.utils.functional
import pytest
from django.utils import timezone
from kombu import Connection

from lms_automations import api, publishing
from lms_automations.engine.tick import relay_undispatched_events
from lms_automations.models import Event, Run
from lms_automations.tasks import dispatch_event
from sandbox.celery import app as celery_app
from sandbox.lms import services

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Demo+B1+2026"


def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens here now: a connection is refused at once
    return port


class Clock:
    """``publishing``'s monotonic clock, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def broker_down(monkeypatch):
    """Celery publishes for real (not eagerly) to a broker that refuses connections; every connection
    attempt and every sleep of kombu and the socket layer is recorded."""
    clock, attempts, sleeps = Clock(), [], []
    monkeypatch.setattr(publishing, "_clock", clock)
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_write_url")}
    celery_app.conf.update(task_always_eager=False, broker_write_url=None)
    point_celery_at(f"amqp://guest:guest@127.0.0.1:{closed_port()}//", monkeypatch)
    original = Connection._establish_connection

    def establish(connection):
        attempts.append(connection)
        return original(connection)

    monkeypatch.setattr(Connection, "_establish_connection", establish)
    monkeypatch.setattr(kombu.utils.functional, "sleep", sleeps.append)
    monkeypatch.setattr(time, "sleep", sleeps.append)
    publishing.reset()
    # The host's commits queue their keys; the test publishes them (as the publisher thread would).
    monkeypatch.setattr(publishing, "_coalescer", publishing.Coalescer(start_thread=False))
    try:
        yield clock, attempts, sleeps
    finally:
        celery_app.conf.update(saved)
        publishing.reset()


def point_celery_at(url, monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its settings (`make test-services` sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    celery_app.conf.broker_url = url
    publishing.reset()


def welcome_flow():
    api.import_automation({
        "format": "lms-automations/v1", "name": "welcome", "status": "active",
        "triggers": [{"event": "enrollment.created"}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["welcomed"]}}],
    })
    services.create_course(COURSE)


def test_an_enrolment_with_the_broker_down_succeeds_without_retrying_and_the_relay_delivers_it_later(
        broker_down, django_capture_on_commit_callbacks):
    clock, attempts, sleeps = broker_down
    welcome_flow()
    ada, grace = services.create_learner("ada", "ada@example.com"), services.create_learner("grace", "g@example.com")

    with django_capture_on_commit_callbacks(execute=True) as dispatches:
        enrollment = services.enroll(ada, COURSE)
    recorded = Event.objects.filter(user=ada).count()
    assert enrollment.is_active and recorded >= 2 and len(dispatches) == recorded  # each handed over on commit
    assert attempts == [], "the learner's request does not talk to the broker: its keys are queued"

    # The publisher: one connection attempt, with the short timeouts, no retry and no sleep; then none.
    publishing._coalescer.drain()
    assert len(attempts) == 1 and sleeps == []
    assert attempts[0].connect_timeout == 0.25
    assert attempts[0].transport_options["max_retries"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.enroll(grace, COURSE)
    publishing._coalescer.drain()
    assert len(attempts) == 1, "while paused, publishing does not try the broker"
    pending = Event.objects.filter(dispatched_at__isnull=True)
    assert pending.filter(user=ada).count() == recorded and pending.filter(user=grace).count() == recorded
    assert not Run.objects.exists()

    # The pause ends: the next publish tries the broker again (still down: one attempt, paused again).
    clock.now += 31
    assert publishing.publish(dispatch_event, ["k"], queue="q") is False
    assert len(attempts) == 2 and sleeps == []

    # The broker is back (eager here): the tick's relay hands the events over, and the flow runs.
    celery_app.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        relay_undispatched_events(timezone.now() + datetime.timedelta(minutes=5))
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert sorted(Run.objects.values_list("user__username", "status")) == [("ada", "fulfilled"), ("grace", "fulfilled")]


def test_a_blackholed_broker_costs_one_short_timeout_then_nothing(broker_down, monkeypatch):
    _clock, attempts, sleeps = broker_down
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    # The accept queue holds one connection nobody accepts; the kernel drops further attempts.
    filler = socket.create_connection(("127.0.0.1", port))
    point_celery_at(f"amqp://guest:guest@127.0.0.1:{port}//", monkeypatch)
    try:
        assert publishing.publish(dispatch_event, ["k"], queue="q") is False
        assert publishing.publish(dispatch_event, ["k"], queue="q") is False
    finally:
        filler.close()
        listener.close()
    # The one attempt gave up after the socket's connect timeout: the short one, not kombu's 4 s.
    assert len(attempts) == 1 and sleeps == []
    assert attempts[0].connect_timeout == publishing.publish_options()["connect_timeout"] == 0.25


def test_the_timeouts_are_the_operators_and_apply_to_redis_and_amqp(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "PUBLISH_TIMEOUT_SECONDS": 1}
    redis, amqp = (publishing.publish_options(url) for url in ("redis://127.0.0.1:1/0", "amqp://127.0.0.1:1//"))
    assert redis["connect_timeout"] == amqp["connect_timeout"] == 1
    assert redis["transport_options"] == {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0}
    assert amqp["transport_options"] == {"read_timeout": 1, "write_timeout": 1, "max_retries": 0}
    for url, options, key in (("redis://127.0.0.1:1/0", redis, "socket_connect_timeout"),
                              ("amqp://127.0.0.1:1//", amqp, "read_timeout")):
        connection = Connection(url, **options)
        assert connection.transport_options[key] == 1 and connection.connect_timeout == 1


def test_a_publish_to_the_sandboxs_sqlite_broker_is_taken(tmp_path, settings):
    """The zero-setup broker (kombu's SQLAlchemy transport) refuses Redis/AMQP socket options: a
    publish with them failed, and the demo's events waited for the tick's relay."""
    from celery import Celery  # pylint: disable=import-outside-toplevel

    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    app = Celery("publish-check", broker=url, set_as_current=False)
    app.conf.task_always_eager = False
    assert publishing.publish_options(url)["transport_options"] == {"max_retries": 0}
    @app.task(name="publish_check.noop", shared=False)
    def noop(keys):
        return keys

    assert publishing.publish(noop, [["k1"]], queue="publish-check") is True


def test_in_eager_mode_publish_runs_the_task_here():
    with mock.patch.object(dispatch_event, "apply_async") as apply_async:
        assert publishing.publish(dispatch_event, ["key-1"], queue="edx.lms.core.default") is True
    apply_async.assert_called_once_with(args=["key-1"], queue="edx.lms.core.default", retry=False)
