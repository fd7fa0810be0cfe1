"""``automations_status`` tells an operator whether the tick and the workers keep up."""
import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from lms_automations.engine.tick import run_tick
from lms_automations.models import Automation, Event, Run, RunWake
from sandbox.lms import services

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 5, 4, 8, 0, tzinfo=datetime.UTC)


def status():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("automations_status", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_all_well_after_a_tick():
    with time_machine.travel(T0, tick=False):
        run_tick()
        code, out, err = status()
    assert code == 0 and out.strip().endswith("OK") and err == ""
    assert "daily scan inactivity: last run 2026-05-04T08:00" in out


def test_no_tick_and_no_worker_are_named():
    ada = services.create_learner("ada")
    automation = Automation.objects.create(name="Welcome", status=Automation.STATUS.active)
    with time_machine.travel(T0, tick=False):
        run = Run.objects.create(automation=automation, user=ada, status=Run.STATUS.pending, started_at=T0)
        RunWake.objects.create(run=run, due_at=T0)
        Event.objects.create(event_type="custom.x", user=ada, payload={}, occurred_at=T0, source="api",
                             idempotency_key="stuck")
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        code, _out, err = status()
    assert code == 1
    assert "1 run(s) overdue: is `automations_tick` running every minute?" in err
    assert "1 event(s) not dispatched: is a Celery worker consuming 'edx.lms.core.default'?" in err
