"""Entry policies and the 60-second guard, decided under the learner's entry lock (SPEC §3, §5.3)."""
import datetime

import pytest
import time_machine
from django.db import transaction

from lms_automations.engine.runs import end_run, start_run
from lms_automations.models import Automation, LearnerEntry, Run, RunLog, RunWake, Step

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create(username="ada")


def make_automation(policy, period=None):
    automation = Automation.objects.create(name=policy, status="active", entry_policy=policy, entry_period=period)
    Step.objects.create(automation=automation, step_id="wait", step_type="wait", kind="duration",
                        params={"days": 1})
    return automation


def enter(automation, learner, at):
    with time_machine.travel(at, tick=False), transaction.atomic():
        return start_run(automation, learner.pk, now=at)


def test_each_time_lets_the_learner_in_again_after_the_guard(learner):
    automation = make_automation("each_time")
    assert enter(automation, learner, T0)[0]
    run, reason = enter(automation, learner, T0 + datetime.timedelta(seconds=59))
    assert run is None and "less than 60 s ago" in reason
    assert enter(automation, learner, T0 + datetime.timedelta(seconds=61))[0]
    assert Run.objects.filter(automation=automation).count() == 2


def test_the_guard_follows_the_setting(learner, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "DEDUPE_SECONDS": 5}
    automation = make_automation("each_time")
    enter(automation, learner, T0)
    assert enter(automation, learner, T0 + datetime.timedelta(seconds=6))[0]


def test_once_is_once_ever_even_after_the_run_ended(learner):
    automation = make_automation("once")
    first, _ = enter(automation, learner, T0)
    end_run(first, Run.STATUS.fulfilled, "done", now=T0)
    run, reason = enter(automation, learner, T0 + datetime.timedelta(days=400))
    assert run is None and "once per learner" in reason


def test_once_per_period(learner):
    automation = make_automation("once_per", period=datetime.timedelta(days=1))
    enter(automation, learner, T0)
    assert enter(automation, learner, T0 + datetime.timedelta(hours=23))[0] is None
    assert enter(automation, learner, T0 + datetime.timedelta(hours=24, seconds=1))[0] is not None


def test_skip_if_active_waits_for_the_open_run_to_end(learner):
    automation = make_automation("skip_if_active")
    first, _ = enter(automation, learner, T0)
    run, reason = enter(automation, learner, T0 + datetime.timedelta(hours=1))
    assert run is None and "already in this automation" in reason
    end_run(first, Run.STATUS.fulfilled, "done", now=T0 + datetime.timedelta(hours=2))
    assert enter(automation, learner, T0 + datetime.timedelta(hours=3))[0] is not None


def test_restart_exits_the_open_run_and_starts_a_new_one(learner):
    automation = make_automation("restart")
    first, _ = enter(automation, learner, T0)
    second, _ = enter(automation, learner, T0 + datetime.timedelta(hours=1))
    first.refresh_from_db()
    assert first.status == Run.STATUS.exited
    assert "restarted" in first.log.filter(kind=RunLog.KIND.ended).get().message
    assert second.status == Run.STATUS.pending
    assert LearnerEntry.objects.get(automation=automation, user=learner).active_run == second


def test_a_new_run_is_due_at_once_and_logged(learner):
    automation = make_automation("each_time")
    run, _ = enter(automation, learner, T0)
    assert RunWake.objects.get(run=run).due_at == T0
    assert run.current_step_id == "wait"
    assert run.log.get().kind == RunLog.KIND.started
    entry = LearnerEntry.objects.get(automation=automation, user=learner)
    assert (entry.entry_count, entry.first_entered_at, entry.last_entered_at) == (1, T0, T0)
