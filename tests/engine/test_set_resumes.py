"""Due runs resumed as a set (ADR 0022): the database-local actions a round's runs reach run once for
all of them, with the same outcome, events and timeline as one by one."""
import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms_automations import api
from lms_automations.actions import learner_data
from lms_automations.models import ActionExecution, CustomEventType, Event, LearnerTag, Run, RunLog
from sandbox.lms import services

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
LATER = T0 + datetime.timedelta(days=1, minutes=1)


@pytest.fixture(autouse=True)
def never():
    CustomEventType.objects.create(slug="never", label="Never sent")


def waiting_flow(name="wakes", action="tag.add", tags=("woke",)):
    """``wait1 → action → wait2``, with runs placed at ``wait1`` by ``start``."""
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active",
        "triggers": [{"event": "custom.never"}],
        "steps": [{"id": "wait1", "type": "wait", "wait": "duration", "params": {"days": 1}},
                  {"id": "act", "type": "action", "action": action, "params": {"tags": list(tags)}},
                  {"id": "wait2", "type": "wait", "wait": "duration", "params": {"days": 1}}],
    })


def start(automation, people):
    with time_machine.travel(T0, tick=False):
        return api.start_learners(automation, people)


def resume():
    with time_machine.travel(LATER, tick=False), CaptureQueriesContext(connection) as queries:
        resumed = api.process_due()
    return resumed, len(queries)


def test_a_set_of_due_runs_goes_through_its_tags_in_a_fixed_number_of_statements():
    automation = waiting_flow()
    few = [services.create_learner(f"few{number}") for number in range(3)]
    start(automation, few)
    assert resume()[0] == 3
    many = [services.create_learner(f"many{number}") for number in range(30)]
    with time_machine.travel(LATER, tick=False):
        api.start_learners(automation, many)
    with time_machine.travel(LATER + datetime.timedelta(days=1, minutes=1), tick=False), \
            CaptureQueriesContext(connection) as queries:
        assert api.process_due() == 30 + 3  # the first three, at wait2, end their flow in the same round
    assert len(queries) <= 25  # one round: claim, one read and one insert of tags, their events, bulk writes
    assert set(LearnerTag.objects.values_list("user", flat=True)) == {person.pk for person in few + many}
    assert Event.objects.filter(event_type="tag.added").count() == 33
    assert Run.objects.filter(status=Run.STATUS.fulfilled).count() == 3
    run = Run.objects.get(user=many[0])
    assert (run.current_step_id, run.status) == ("wait2", Run.STATUS.pending)
    assert list(RunLog.objects.filter(run=run).values_list("kind", "message"))[-3:] == [
        (RunLog.KIND.resumed, "the wait is over"), (RunLog.KIND.action, "tag.add done"),
        (RunLog.KIND.wait, "waiting until 2026-07-04T09:02:00+00:00")]
    assert ActionExecution.objects.get(run=run).result == {"added": ["woke"]}


def test_two_runs_of_one_learner_in_one_set_add_the_tag_once():
    ada = services.create_learner("ada")
    LearnerTag.objects.create(user=ada, tag="old")
    start(waiting_flow("first", tags=("vip", "old")), [ada])
    start(waiting_flow("second", tags=("vip",)), [ada])
    assert resume()[0] == 2
    assert sorted(LearnerTag.objects.values_list("tag", flat=True)) == ["old", "vip"]
    assert Event.objects.filter(event_type="tag.added").count() == 1
    results = ActionExecution.objects.values_list("result", flat=True)
    assert sorted(result["added"] for result in results) == [[], ["vip"]]


def test_a_tag_another_transaction_added_meanwhile_sends_the_round_one_by_one(monkeypatch):
    """The set's read missed a tag (as if another worker committed it just after): its insert breaks
    the unique constraint, the round rolls back whole and is done again with a savepoint a run."""
    ada, grace = services.create_learner("ada"), services.create_learner("grace")
    automation = waiting_flow()
    start(automation, [ada, grace])
    LearnerTag.objects.create(user=ada, tag="woke")
    monkeypatch.setattr(learner_data, "_stored_tags", lambda wanted, with_ids=False: set())
    assert resume()[0] == 2
    assert Run.objects.filter(current_step_id="wait2", status=Run.STATUS.pending).count() == 2
    assert LearnerTag.objects.filter(tag="woke").count() == 2
    assert list(Event.objects.filter(event_type="tag.added").values_list("user", flat=True)) == [grace.pk]
    results = dict(ActionExecution.objects.values_list("run__user", "result"))
    assert results == {ada.pk: {"added": []}, grace.pk: {"added": ["woke"]}}


def test_tags_removed_for_a_set():
    ada, grace = services.create_learner("ada"), services.create_learner("grace")
    LearnerTag.objects.create(user=ada, tag="trial")
    start(waiting_flow(action="tag.remove", tags=("trial",)), [ada, grace])
    assert resume()[0] == 2
    assert not LearnerTag.objects.exists()
    assert list(Event.objects.filter(event_type="tag.removed").values_list("user", flat=True)) == [ada.pk]
    results = dict(ActionExecution.objects.values_list("run__user", "result"))
    assert results == {ada.pk: {"removed": ["trial"]}, grace.pk: {"removed": []}}
