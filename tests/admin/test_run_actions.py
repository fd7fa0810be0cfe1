"""Cancel a run and replay a run from a chosen step — on the run's page and as list actions."""
import datetime

import pytest

from lms_automations import api
from lms_automations.models import LearnerTag, Run, RunLog, RunWake

from .conftest import messages_of, run_url

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/lms_automations/run/"


def failed_run(automation, user, step_id="second"):
    now = datetime.datetime.now(datetime.UTC)
    return Run.objects.create(automation=automation, user=user, status=Run.STATUS.failed, current_step_id=step_id,
                              started_at=now, ended_at=now, error="the webhook said 500")


def test_the_run_page_offers_replay_and_cancel_while_they_apply(staff_client, automation, learners):
    [run] = api.start_learners(automation, learners[:1])
    page = staff_client.get(run_url(run, "change/")).content.decode()
    assert run_url(run, "replay/") in page and run_url(run, "cancel/") in page
    api.cancel(run)
    page = staff_client.get(run_url(run, "change/")).content.decode()
    assert run_url(run, "replay/") not in page and run_url(run, "cancel/") not in page


def test_cancel_a_run_after_confirming(staff_client, automation, learners):
    [run] = api.start_learners(automation, learners[:1])
    question = staff_client.get(run_url(run, "cancel/"))
    assert "Cancel 1 run?" in question.content.decode() and "ada in “Two tags” — pending at wait" in (
        question.content.decode())
    run.refresh_from_db()
    assert run.status == Run.STATUS.pending
    done = staff_client.post(run_url(run, "cancel/"), {"confirm": "Yes, cancel"})
    assert done.status_code == 302 and done.url == run_url(run, "change/")
    assert messages_of(done) == [f"Run {run.pk} (ada in “Two tags”) cancelled."]
    run.refresh_from_db()
    assert run.status == Run.STATUS.cancelled and not RunWake.objects.filter(run=run).exists()
    assert [entry["message"] for entry in api.explain(run)][-2:] == [
        "cancel requested by teacher (Django admin)", "cancelled by staff"]
    again = staff_client.post(run_url(run, "cancel/"))
    assert messages_of(again) == [f"Run {run.pk} has already ended (cancelled); nothing to cancel."]


def test_replay_from_a_chosen_step_defaults_to_the_current_one(staff_client, automation, learners):
    ada = learners[0]
    [run] = api.start_learners(automation, [ada])
    form = staff_client.get(run_url(run, "replay/"))
    assert form.context["form"]["from_step"].value() == "wait"
    assert [value for value, _label in form.context["form"].fields["from_step"].choices] == [
        "first", "wait", "second"]
    assert "first — action tag.add" in form.content.decode()
    LearnerTag.objects.all().delete()
    done = staff_client.post(run_url(run, "replay/"), {"from_step": "first"})
    assert messages_of(done) == [f"Run {run.pk} (ada in “Two tags”) replayed from first; now pending at wait."]
    run.refresh_from_db()
    assert run.status == Run.STATUS.pending and run.current_step_id == "wait"
    assert list(LearnerTag.objects.filter(user=ada).values_list("tag", flat=True)) == ["one"]
    staff_lines = list(run.log.filter(kind=RunLog.KIND.staff).order_by("at", "id").values_list("message", flat=True))
    assert staff_lines[-2:] == ["replay from first requested by teacher (Django admin)", "replayed from first"]


def test_a_failed_run_replays_and_an_ended_one_does_not(staff_client, automation, learners):
    run = failed_run(automation, learners[0])
    assert staff_client.get(run_url(run, "replay/")).context["form"]["from_step"].value() == "second"
    done = staff_client.post(run_url(run, "replay/"), {"from_step": "second"})
    assert "replayed from second; now fulfilled" in messages_of(done)[0]
    assert Run.objects.get(pk=run.pk).status == Run.STATUS.fulfilled
    api.cancel(run)  # fulfilled already: stays as it is
    cancelled = failed_run(automation, learners[1])
    Run.objects.filter(pk=cancelled.pk).update(status=Run.STATUS.cancelled)
    refused = staff_client.get(run_url(cancelled, "replay/"))
    assert refused.status_code == 302
    assert messages_of(refused) == [
        "A cancelled run cannot be replayed; replay pending, fulfilled or failed runs."]
    bad_step = staff_client.post(run_url(run, "replay/"), {"from_step": "nope"})
    assert "Select a valid choice" in bad_step.content.decode()


def test_cancel_selected_runs_confirms_first_and_leaves_ended_ones(staff_client, automation, learners):
    open_runs = api.start_learners(automation, learners[:2])
    ended = failed_run(automation, learners[2])
    selected = {"action": "cancel_selected", "_selected_action": [run.pk for run in [*open_runs, ended]]}
    question = staff_client.post(CHANGELIST, selected)
    assert question.status_code == 200 and "Cancel 2 runs?" in question.content.decode()
    assert "Already ended, left as they are" in question.content.decode()
    done = staff_client.post(CHANGELIST, {**selected, "post": "yes"})
    assert messages_of(done) == [
        "2 runs cancelled: grace in “Two tags”, ada in “Two tags”; 1 had already ended."]
    assert sorted(Run.objects.values_list("status", flat=True)) == ["cancelled", "cancelled", "failed"]


def test_replay_selected_runs_from_their_current_step(staff_client, automation, learners):
    failed = failed_run(automation, learners[0])
    [pending] = api.start_learners(automation, learners[1:2])
    api.cancel(pending)
    selected = {"action": "replay_selected", "_selected_action": [failed.pk, pending.pk]}
    question = staff_client.post(CHANGELIST, selected)
    assert "Replay 1 run from the step each is at" in question.content.decode()
    done = staff_client.post(CHANGELIST, {**selected, "post": "yes"})
    assert messages_of(done) == [
        "1 run replayed: ada in “Two tags” from second; 1 skipped (only pending, fulfilled or failed runs replay)."]
    assert Run.objects.get(pk=failed.pk).status == Run.STATUS.fulfilled
    assert Run.objects.get(pk=pending.pk).status == Run.STATUS.cancelled
