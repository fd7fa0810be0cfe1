"""What staff do to automations with learners in them (SPEC §5.1, §5.10–§5.13, §7.1)."""
import copy
import datetime

import pytest
import time_machine
from django.core import mail

from lms_automations import api
from lms_automations.engine.tick import run_tick
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Automation, CustomEventType, LearnerTag, Run, RunWake, TestLearner
from sandbox.lms import services

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
DOCUMENT = {
    "format": "lms-automations/v1", "name": "two waits", "status": "active",
    "triggers": [{"event": "custom.go", "filter": None}],
    "steps": [
        {"id": "first", "type": "action", "action": "tag.add", "params": {"tags": ["one"]}},
        {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}},
        {"id": "second", "type": "action", "action": "tag.add", "params": {"tags": ["two"]}},
    ],
}


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(clock, django_capture_on_commit_callbacks):
    CustomEventType.objects.create(slug="go", label="Go")
    automation = api.import_automation(copy.deepcopy(DOCUMENT))
    learners = [services.create_learner(name, f"{name}@example.com") for name in ("ada", "grace")]

    def go(learner):
        with django_capture_on_commit_callbacks(execute=True):
            api.emit("custom.go", learner, {})
        return Run.objects.filter(user=learner).latest("id")

    return automation, learners, go


def tags(user):
    return sorted(LearnerTag.objects.filter(user=user).values_list("tag", flat=True))


def test_an_edit_reaches_learners_only_at_steps_they_have_not_reached(setup, clock):
    automation, (ada, _), go = setup
    run = go(ada)
    document = api.export_automation(automation)
    document["steps"][0]["params"]["tags"] = ["changed-too-late"]
    document["steps"][2]["params"]["tags"] = ["two-edited"]
    api.update_automation(automation, document)
    clock.shift(datetime.timedelta(days=1, minutes=1))
    api.process_due()
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled and tags(ada) == ["one", "two-edited"]


def test_removing_a_wait_that_holds_learners_moves_them_on(setup, django_capture_on_commit_callbacks):
    automation, (ada, _), go = setup
    run = go(ada)
    document = api.export_automation(automation)
    del document["steps"][1]
    api.update_automation(automation, document)
    run.refresh_from_db()
    assert run.current_step_id == "second" and RunWake.objects.get(run=run).reason == "start"
    with django_capture_on_commit_callbacks(execute=True):
        api.process_due()
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled and tags(ada) == ["one", "two"]
    assert any("was removed" in entry["message"] for entry in api.explain(run))


def test_advance_everyone_waiting_at_a_step(setup):
    automation, learners, go = setup
    runs = [go(learner) for learner in learners]
    assert api.advance_waiting(automation, "wait") == 2
    for run, learner in zip(runs, learners, strict=True):
        run.refresh_from_db()
        assert run.status == Run.STATUS.fulfilled and tags(learner) == ["one", "two"]
    with pytest.raises(ValueError, match="not a wait step"):
        api.advance_waiting(automation, "first")


def test_advancing_one_step_leaves_other_due_runs_to_the_tick(setup, clock, django_capture_on_commit_callbacks):
    automation, (ada, grace), go = setup
    CustomEventType.objects.create(slug="other", label="Other")
    other = api.import_automation({**copy.deepcopy(DOCUMENT), "name": "another",
                                   "triggers": [{"event": "custom.other", "filter": None}]})
    go(ada)
    with django_capture_on_commit_callbacks(execute=True):
        api.emit("custom.other", grace, {})
    graces = Run.objects.get(user=grace, automation=other)
    RunWake.objects.filter(run_id=graces.pk).update(due_at=T0)  # due now, in another automation
    assert api.advance_waiting(automation, "wait") == 1
    assert tags(ada) == ["one", "two"]
    assert tags(grace) == ["one"] and RunWake.objects.filter(run_id=graces.pk).exists(), "left for the tick"


def test_replay_a_fulfilled_run_from_a_chosen_step(setup, clock):
    automation, (ada, _), go = setup
    run = go(ada)
    api.advance_waiting(automation, "wait")
    LearnerTag.objects.all().delete()
    api.replay(Run.objects.get(pk=run.pk), from_step="second")
    run.refresh_from_db()
    assert run.status == Run.STATUS.fulfilled and tags(ada) == ["two"]
    with pytest.raises(ValueError, match="has no step"):
        api.replay(run, from_step="nope")


def test_cancel_and_deactivate(setup, clock):
    automation, (ada, grace), go = setup
    run = go(ada)
    api.cancel(run)
    run.refresh_from_db()
    assert run.status == Run.STATUS.cancelled and not RunWake.objects.filter(run=run).exists()
    pending = go(grace)
    api.deactivate(automation)
    clock.shift(datetime.timedelta(minutes=2))
    assert go(ada).pk == run.pk  # no new run while inactive
    clock.shift(datetime.timedelta(days=1))
    api.process_due()
    pending.refresh_from_db()
    assert pending.status == Run.STATUS.fulfilled  # learners already in continue


def test_delete_letting_learners_finish_then_removed(setup, clock, django_capture_on_commit_callbacks):
    automation, (ada, _), go = setup
    run = go(ada)
    assert api.delete(automation, mode="finish").status == Automation.STATUS.finishing
    with pytest.raises(InvalidAutomation, match="read-only"):
        api.update_automation(automation, api.export_automation(automation))
    clock.shift(datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        api.process_due()
    assert not Automation.objects.filter(pk=automation.pk).exists()
    assert not Run.objects.filter(pk=run.pk).exists()


def test_delete_removing_learners_now(setup):
    automation, (ada, _), go = setup
    go(ada)
    assert api.delete(automation, mode="remove") is None
    assert not Automation.objects.exists() and not Run.objects.exists()


def test_testing_status_runs_only_for_test_learners_and_redirects_messages(setup, django_capture_on_commit_callbacks):
    _, (ada, grace), go = setup
    staff = services.create_learner("coach", "coach@example.com")
    document = copy.deepcopy(DOCUMENT)
    document.update(name="mail test", status="draft")
    document["steps"] = [{"id": "hello", "type": "action", "action": "email.send",
                          "params": {"subject": "Hello", "body_html": "<p>x</p>", "category": "transactional"}}]
    tested = api.import_automation(document)
    TestLearner.objects.create(automation=tested, user=ada, redirect_to=staff)
    api.activate(tested, testing=True)
    go(ada)
    go(grace)
    assert Run.objects.filter(automation=tested).get().user == ada
    assert [(m.subject, m.to) for m in mail.outbox] == [("[TEST for ada] Hello", ["coach@example.com"])]


def test_activation_is_refused_with_every_error(setup):
    automation, _, _ = setup
    automation.steps.filter(step_id="wait").update(params={"days": 0})
    with pytest.raises(InvalidAutomation) as caught:
        api.activate(automation)
    assert caught.value.errors == [{"path": "steps[1].params.days",
                                    "message": "a wait must be between 5 minutes and 365 days (got 0 minutes)"}]


def test_bulk_start_with_a_preview(setup):
    automation, learners, _ = setup
    automation.entry_policy = "once"
    automation.save()
    assert api.preview_start(automation, learners) == 2
    runs = api.start_learners(automation, learners[:1])
    assert len(runs) == 1 and api.preview_start(automation, learners) == 1
    assert "started by staff" in api.explain(runs[0])[0]["message"]


def test_the_tick_resumes_due_runs_through_celery_in_batches(setup, clock, settings,
                                                             django_capture_on_commit_callbacks):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "TASK_BATCH_SIZE": 1}
    _, learners, go = setup
    runs = [go(learner) for learner in learners]
    clock.shift(datetime.timedelta(days=1, minutes=1))
    report = run_tick()
    assert report.resumed_runs == 2
    assert {Run.objects.get(pk=run.pk).status for run in runs} == {Run.STATUS.fulfilled}
    assert run_tick().resumed_runs == 0


def test_many_learners_start_in_the_background(setup, clock, monkeypatch):
    automation, learners, _go = setup
    handed = []
    monkeypatch.setattr("lms_automations.engine.tick.enqueue_resume", lambda ids, token: handed.append((ids, token)))
    runs = api.start_learners(automation, learners, in_background=True)
    assert [tags(learner) for learner in learners] == [[], []], "nothing ran in this process"
    [(run_ids, token)] = handed
    assert sorted(run_ids) == sorted(run.pk for run in runs)
    from lms_automations.tasks import resume_runs  # pylint: disable=import-outside-toplevel

    resume_runs(run_ids, token)  # what the worker does with the task
    assert [tags(learner) for learner in learners] == [["one"], ["one"]]
    assert all(run.wake.reason == "wait" for run in Run.objects.filter(pk__in=run_ids))
