"""automation.start / automation.exit: entry policies hold, the new run is advanced, exits are recorded."""
import datetime

import pytest

from lms_automations.actions.automation_control import AutomationExit, AutomationStart
from lms_automations.engine.errors import PermanentError
from lms_automations.engine.runs import start_run
from lms_automations.models import Automation, LearnerTag, Run, RunLog, RunWake, TestLearner

from .conftest import NOW, context_for, make_automation, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(ada):
    return make_run(make_automation("Welcome"), ada, event_payload={"course_key": "course-v1:Demo+A1+2026"})


@pytest.fixture
def follow_up():
    return make_automation("Follow-up", steps=[("tag", "tag.add", {"tags": ["followed-up"]})])


def test_start_puts_the_learner_in_and_the_run_is_advanced_after_commit(ada, source, follow_up,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = AutomationStart().execute({"automation_id": follow_up.pk}, context_for(ada, run=source))
    run = Run.objects.get(automation=follow_up)
    assert result == {"started": True, "run_id": run.pk, "automation_id": follow_up.pk}
    assert run.status == Run.STATUS.fulfilled
    assert LearnerTag.objects.filter(user=ada, tag="followed-up").exists()
    started = RunLog.objects.get(run=run, kind=RunLog.KIND.started)
    assert started.message == f"started by automation {source.automation_id} (Welcome)"
    assert run.context["event"] == {"course_key": "course-v1:Demo+A1+2026"}
    assert run.context["started_by_run"] == source.pk


def test_start_respects_the_targets_entry_policy(ada, source):
    once = make_automation("Once", entry_policy=Automation.ENTRY_POLICY.once, steps=[("t", "tag.add", {"tags": ["x"]})])
    assert AutomationStart().execute({"automation_id": once.pk}, context_for(ada, run=source))["started"] is True
    soon = AutomationStart().execute({"automation_id": once.pk}, context_for(ada, "11:act:2", run=source))
    assert soon["started"] is False and "less than 60 s ago" in soon["reason"]  # the guard
    later = context_for(ada, "11:act:3", run=source, now=NOW + datetime.timedelta(days=30))
    again = AutomationStart().execute({"automation_id": str(once.pk)}, later)
    assert again["started"] is False and "once per learner" in again["reason"]
    assert Run.objects.filter(automation=once).count() == 1


def test_start_keeps_the_learners_open_run_of_an_each_time_target(ada, source, follow_up):
    """each_time lets runs overlap: starting the learner again must not end the run they are in."""
    first, _ = start_run(follow_up, ada.pk, now=NOW)
    later = context_for(ada, run=source, now=NOW + datetime.timedelta(minutes=2))
    assert AutomationStart().execute({"automation_id": follow_up.pk}, later)["started"] is True
    first.refresh_from_db()
    assert first.status == Run.STATUS.pending


def test_start_refuses_an_automation_that_is_not_running(ada, source):
    draft = make_automation("Draft", status=Automation.STATUS.draft)
    with pytest.raises(PermanentError, match=r"is draft; set it to active or testing first"):
        AutomationStart().execute({"automation_id": draft.pk}, context_for(ada, run=source))


def test_start_refuses_a_missing_automation_and_itself(ada, source):
    with pytest.raises(PermanentError, match="there is no automation 999999"):
        AutomationStart().execute({"automation_id": 999999}, context_for(ada, run=source))
    with pytest.raises(PermanentError, match="cannot start itself"):
        AutomationStart().execute({"automation_id": source.automation_id}, context_for(ada, run=source))


def test_a_testing_target_takes_only_its_test_learners_and_runs_as_a_test(ada, source):
    testing = make_automation("Trial", status=Automation.STATUS.testing)
    skipped = AutomationStart().execute({"automation_id": testing.pk}, context_for(ada, run=source))
    assert skipped["started"] is False and "not one of its test learners" in skipped["reason"]
    TestLearner.objects.create(automation=testing, user=ada)
    AutomationStart().execute({"automation_id": testing.pk}, context_for(ada, "11:act:2", run=source))
    assert Run.objects.get(automation=testing).is_test is True


def test_a_test_run_starts_test_runs(ada, coach, follow_up):
    trial = make_run(make_automation("Trial", status=Automation.STATUS.testing, owner=coach), ada, is_test=True)
    AutomationStart().execute({"automation_id": follow_up.pk}, context_for(ada, run=trial))
    assert Run.objects.get(automation=follow_up).is_test is True


def test_exit_ends_the_learners_open_runs_of_another_automation(ada, coach, source, follow_up):
    open_run, _ = start_run(follow_up, ada.pk, now=NOW)
    others_run, _ = start_run(follow_up, coach.pk, now=NOW)
    result = AutomationExit().execute({"automation_id": follow_up.pk}, context_for(ada, run=source))
    assert result == {"ended_runs": [open_run.pk]}
    open_run.refresh_from_db()
    others_run.refresh_from_db()
    assert open_run.status == Run.STATUS.exited and open_run.ended_at == NOW
    assert others_run.status == Run.STATUS.pending
    assert not RunWake.objects.filter(run=open_run).exists()
    assert RunLog.objects.filter(run=open_run, kind=RunLog.KIND.ended,
                                 message=f"taken out by automation {source.automation_id} (Welcome)").exists()
    assert AutomationExit().execute({"automation_id": follow_up.pk}, context_for(ada, run=source)) == {
        "ended_runs": []}


def test_exit_refuses_its_own_automation(ada, source):
    with pytest.raises(PermanentError, match="another automation"):
        AutomationExit().execute({"automation_id": source.automation_id}, context_for(ada, run=source))


@pytest.mark.parametrize("value", [0, -1, "abc", "", True, None])
def test_automation_id_is_checked(value):
    errors = AutomationStart.check_params({"automation_id": value})
    assert [error["path"] for error in errors] == ["params.automation_id"]


def test_templated_automation_id_is_accepted_until_rendered(ada, source):
    assert AutomationExit.check_params({"automation_id": "{{ event.next_automation }}"}) == []
    with pytest.raises(PermanentError, match="params.automation_id: '' is not an automation id"):
        AutomationExit().execute({"automation_id": ""}, context_for(ada, run=source))
