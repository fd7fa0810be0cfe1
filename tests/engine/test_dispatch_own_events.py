"""Events a run records for its own learner are dispatched by the same worker, in order.

These tests commit for real (``transaction=True``): the hand-over happens on commit, as in a worker.
"""
import pytest

from lms_automations import api
from lms_automations.engine import dispatch
from lms_automations.models import CustomEventType, Event, LearnerTag, Run
from sandbox.lms import services

pytestmark = pytest.mark.django_db(transaction=True)


def chain(name, event, tag):
    """An automation: on ``event``, add ``tag`` (which records ``tag.added``)."""
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active",
        "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": event}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [tag]}}],
    })


@pytest.fixture
def tasks(monkeypatch):
    """The event types handed to Celery (the eager task still runs)."""
    handed = []
    original = dispatch.publish

    def spy(keys, **options):
        handed.extend(Event.objects.get(idempotency_key=key).event_type for key in keys)
        original(keys, **options)

    monkeypatch.setattr(dispatch, "publish", spy)
    return handed


@pytest.fixture
def ada():
    CustomEventType.objects.create(slug="signup", label="Signed up")
    return services.create_learner("ada")


def test_a_chain_of_automations_runs_in_one_worker_without_new_tasks(ada, tasks):
    first = chain("first", "custom.signup", "step-1")
    second = chain("second", "tag.added", "step-2")
    api.emit("custom.signup", ada, {})
    assert set(LearnerTag.objects.filter(user=ada).values_list("tag", flat=True)) == {"step-1", "step-2"}
    assert Run.objects.get(automation=first).status == Run.STATUS.fulfilled
    assert Run.objects.get(automation=second).status == Run.STATUS.fulfilled
    assert not Event.objects.filter(user=ada, dispatched_at__isnull=True).exists()
    assert tasks == ["custom.signup"], "tag.added and automation.finished needed no task of their own"


def test_a_long_chain_is_handed_to_celery_after_a_few_rounds(ada, tasks, monkeypatch):
    monkeypatch.setattr(dispatch, "MAX_INLINE_ROUNDS", 1)
    chain("first", "custom.signup", "step-1")
    chain("second", "tag.added", "again")
    api.emit("custom.signup", ada, {})
    assert tasks[0] == "custom.signup" and "tag.added" in tasks[1:], tasks
    assert not Event.objects.filter(user=ada, dispatched_at__isnull=True).exists(), "the task dispatched it"
