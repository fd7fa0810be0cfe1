"""``bulk.insert_rows``: the engine's own rows written in one statement read back as the ORM wrote them."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms_automations.engine.bulk import insert_rows
from lms_automations.models import ActionExecution, Automation, Run, RunLog, RunWake

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC)


@pytest.fixture
def runs(django_user_model):
    automation = Automation.objects.create(name="rows", status="active")
    learner = django_user_model.objects.create(username="ada")
    return [Run.objects.create(automation=automation, user=learner, started_at=AT) for _ in range(3)]


def test_timeline_rows_keep_their_text_json_and_instants(runs):
    logs = [RunLog(run=run, kind=RunLog.KIND.wait, message=f"waiting «{number}»", step_id="wait1", at=AT,
                   detail={"due_at": AT.isoformat(), "nested": [1, None, "é"]}, event_id=None)
            for number, run in enumerate(runs)]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(RunLog, logs)
    assert len(queries) == 1
    stored = list(RunLog.objects.order_by("run_id"))
    assert [(log.run_id, log.message, log.at, log.detail) for log in stored] == [
        (run.pk, f"waiting «{number}»", AT, {"due_at": AT.isoformat(), "nested": [1, None, "é"]})
        for number, run in enumerate(runs)]


def test_executions_get_their_ids_and_can_be_updated_afterwards(runs):
    executions = [ActionExecution(run=run, step_id="mail", visit=1, action="email.send",
                                  idempotency_key=f"{run.pk}:mail:1", attempts=1) for run in runs]
    insert_rows(ActionExecution, executions, return_ids=True)
    assert all(execution.pk for execution in executions)
    executions[1].status = ActionExecution.STATUS.succeeded
    executions[1].save()
    stored = ActionExecution.objects.get(pk=executions[1].pk)
    assert (stored.idempotency_key, stored.status, stored.attempts) == (f"{runs[1].pk}:mail:1", "succeeded", 1)
    assert stored.created is not None and stored.modified is not None


def test_wake_ups_are_written_with_their_due_time(runs):
    insert_rows(RunWake, [RunWake(run_id=run.pk, due_at=AT + datetime.timedelta(days=1), reason="wait")
                          for run in runs])
    assert set(RunWake.objects.filter(due_at=AT + datetime.timedelta(days=1)).values_list("run_id", flat=True)) == {
        run.pk for run in runs}
