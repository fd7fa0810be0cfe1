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


def _automation_on(event_type, name):
    from lms_automations import api  # pylint: disable=import-outside-toplevel

    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active", "scope": {"courses": [], "orgs": []},
        "triggers": [{"event": event_type}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["x"]}}],
    })


def test_completion_tracking_off_is_a_problem_only_while_an_automation_needs_it():
    from waffle.testutils import override_switch  # pylint: disable=import-outside-toplevel

    _automation_on("enrollment.created", "Welcome")
    with override_switch("completion.enable_completion_tracking", active=False):
        code, out, err = status()
        assert code == 0 and "completion tracking (completion.enable_completion_tracking): off" in out
        _automation_on("progress.lesson_completed", "Lesson done")
        code, _out, err = status()
    assert code == 1
    assert "completion tracking is off" in err and "Lesson done" in err and "Welcome" not in err
    with override_switch("completion.enable_completion_tracking", active=True):
        code, out, err = status()
    assert code == 0 and "completion tracking" not in out
