"""What the plugin may add to a host operation (issue 9, criterion 2), counted, never timed: one INSERT
per signal in the host's transaction and no other statement (a mode set while enrolling adds the
one UPDATE that folds it, ADR 0018), one publish queued per host commit whatever its signals, and no
broker I/O in the host's operation — none at all once the broker has been found down.

The operations are the stand-in LMS's real code paths, with an automation listening to every event
they record (so every event takes the whole path: insert, hand-over at commit, publish)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu import Connection

from lms_automations import api, publishing
from lms_automations.engine import trigger_index
from lms_automations.models import Event
from sandbox.celery import app as celery_app
from sandbox.lms import services
from sandbox.lms.apps import plugin_receivers as sandbox_plugin_receivers

from ..test_publishing import closed_port

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Host+Cost+2026"
BLOCK = "block-v1:Host+Cost+2026+type@html+block@welcome"
PROBLEM = "block-v1:Host+Cost+2026+type@problem+block@quiz-1"
#: (operation, the events it records, whether it folds a mode into the recorded CREATED)
OPERATIONS = {
    "enrol in audit": (lambda user: services.enroll(user, COURSE, "audit"),
                       ["enrollment.mode_changed", "enrollment.created"], False),
    "enrol in verified": (lambda user: services.enroll(user, COURSE, "verified"),
                          ["enrollment.mode_changed", "enrollment.created", "enrollment.mode_changed"], True),
    "complete a block": (lambda user: services.complete_block(user, BLOCK), ["progress.block_completed"], False),
    "score a problem": (lambda user: services.score_problem(user, PROBLEM, 1.0),
                        ["problem.passed", "progress.block_completed"], False),
    "set a grade": (lambda user: services.set_grade(user, COURSE, 0.8, True), ["grade.changed", "course.passed"],
                    False),
}
LISTENED = sorted({event_type for _op, types, _fold in OPERATIONS.values() for event_type in types})


def plugin_receivers():
    """The plugin's LMS receivers, as the sandbox connects them."""
    return sandbox_plugin_receivers(apps_only={"lms_automations"})


@pytest.fixture
def site(publishes, django_capture_on_commit_callbacks):
    """A course, an automation listening to every event type the operations record, and each
    operation done once (the definitions snapshot built, completion tracking switched on)."""
    services.create_course(COURSE)
    api.import_automation({"format": "lms-automations/v1", "name": "listens", "status": "active",
                           "triggers": [{"event": event_type} for event_type in LISTENED],
                           "steps": [{"id": "tag", "type": "action", "action": "tag.add",
                                      "params": {"tags": ["x"]}}]})
    trigger_index.definitions()
    warm = services.create_learner("warm", "warm@example.com")
    for operation, _types, _fold in OPERATIONS.values():
        with django_capture_on_commit_callbacks(execute=True):
            operation(warm)
    Event.objects.all().delete()
    publishes[1].clear()
    publishes[2].drain()
    del publishes[0][:]
    publishing.reset()
    return lambda name: services.create_learner(name, f"{name}@example.com")


@pytest.fixture
def publishes(monkeypatch):
    """Celery publishing for real (not eagerly) to a broker at a closed port; every connection attempt
    is recorded, and the host's commits queue their keys in a publisher whose thread is this test."""
    attempts, submits = [], []
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_write_url")}
    url = f"redis://127.0.0.1:{closed_port()}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its settings (`make test-services` sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    celery_app.conf.update(task_always_eager=False, broker_write_url=None, broker_url=url)
    original = Connection._establish_connection

    def establish(kombu_connection):
        attempts.append(kombu_connection)
        return original(kombu_connection)

    monkeypatch.setattr(Connection, "_establish_connection", establish)
    coalescer = publishing.Coalescer(start_thread=False)
    submit = coalescer.submit

    def counted_submit(task, keys, queue):
        submits.append(list(keys))
        return submit(task, keys, queue)

    coalescer.submit = counted_submit
    monkeypatch.setattr(publishing, "_coalescer", coalescer)
    publishing.reset()
    try:
        yield attempts, submits, coalescer
    finally:
        celery_app.conf.update(saved)
        publishing.reset()


def statements(operation, user, capture_on_commit):
    with CaptureQueriesContext(connection) as captured, capture_on_commit(execute=True):
        operation(user)
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_each_signal_adds_one_insert_to_the_host_transaction_and_nothing_else(
        name, publishes, site, django_capture_on_commit_callbacks):
    operation, event_types, folds = OPERATIONS[name]
    with_plugin = statements(operation, site("ada"), django_capture_on_commit_callbacks)
    removed = [item for item in plugin_receivers() if item[0].disconnect(item[1], sender=item[2], dispatch_uid=item[3])]
    try:
        without = statements(operation, site("bob"), django_capture_on_commit_callbacks)
    finally:
        for signal, receiver, sender, uid in removed:
            signal.connect(receiver, sender=sender, dispatch_uid=uid)

    table = connection.ops.quote_name(Event._meta.db_table)
    inserts = [sql for sql in with_plugin if "INSERT" in sql and table in sql.split("(", 1)[0]]
    updates = [sql for sql in with_plugin if "UPDATE" in sql and table in sql.split("SET", 1)[0]]
    assert list(Event.objects.filter(user__username="ada").order_by("id").values_list("event_type", flat=True)) == \
        event_types
    assert len(inserts) == len(event_types), "one INSERT per signal"
    assert len(updates) == (1 if folds else 0)
    assert len(with_plugin) - len(without) == len(inserts) + len(updates), "no other statement in the host's operation"


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_a_host_commit_queues_one_publish_and_the_operation_never_talks_to_the_broker(
        name, publishes, site, django_capture_on_commit_callbacks):
    attempts, submits, coalescer = publishes
    operation, event_types, _folds = OPERATIONS[name]
    ada, bob = site("ada"), site("bob")

    with django_capture_on_commit_callbacks(execute=True):
        operation(ada)
    keys = list(Event.objects.filter(user=ada).order_by("id").values_list("idempotency_key", flat=True))
    assert len(keys) == len(event_types)
    assert submits == [keys], "one publish for the commit, carrying every key it recorded"
    assert attempts == [], "the host's operation does not talk to the broker"

    coalescer.drain()  # the publisher thread: one attempt at the broker (down), then a pause
    assert len(attempts) == 1
    with django_capture_on_commit_callbacks(execute=True):
        operation(bob)
    coalescer.drain()
    assert len(attempts) == 1, "while the broker is down nothing tries it, in the operation or after"
    assert len(submits) == 2
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 2 * len(event_types), \
        "the events wait in the outbox for the tick's relay"


def test_the_insert_compiled_once_sends_what_djangos_compiler_would(django_user_model):
    """The event INSERT is compiled once per connection and its values prepared per event: for
    events unlike the first, the statement and values are those Django's insert compiler builds."""
    import time_machine
    from django.db.models.constants import OnConflict
    from django.db.models.sql import InsertQuery
    from django.utils import timezone

    from lms_automations.happened import recording

    ada = django_user_model.objects.create(username="ada", email="ada@example.com")
    now = timezone.now()
    first = recording._new_event("custom.a", ada.pk, {"n": 1}, now, "api", "k1", now)
    recording._insert_statement(connection, first)
    others = [
        recording._new_event("enrollment.created", ada.pk, {"course_key": "course-v1:a+b+c", "nested": [1, None, "é"]},
                             now, "openedx_events", "oev:2", now),
        recording._new_event("custom.b", ada.pk, {}, None, "rest", "k3", now),
    ]
    others[1].dispatch_status, others[1].dispatched_at, others[1].dispatch_note = "dispatched", now, "nobody listens"
    for event in others:
        with time_machine.travel(now, tick=False):  # recorded_at: the same instant for both
            sql, params = recording._insert_statement(connection, event)
            query = InsertQuery(Event, on_conflict=OnConflict.IGNORE)
            query.insert_values(recording._EVENT_FIELDS, [event])
            ((expected_sql, expected_params),) = query.get_compiler(connection=connection).as_sql()
        assert sql == expected_sql
        assert [str(value) for value in params] == [str(value) for value in expected_params]
