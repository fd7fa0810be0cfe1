"""Advance the learners waiting at a step, activate / deactivate, and delete with the SPEC §5.10
question — from the automation admin."""
import pytest
from django.contrib.admin.models import LogEntry

from lms_automations import api
from lms_automations.models import Automation, LearnerTag, Run, RunLog

from .conftest import automation_url, make_automation, messages_of

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/lms_automations/automation/"


def tags(user):
    return sorted(LearnerTag.objects.filter(user=user).values_list("tag", flat=True))


def test_advance_the_learners_waiting_at_a_step_after_choosing_and_confirming(staff_client, automation, learners):
    ada, grace, _ = learners
    runs = api.start_learners(automation, [ada, grace])
    url = automation_url(automation, "advance-waiting/")
    choose = staff_client.get(url)
    assert [(step.step_id, count) for step, count in choose.context["waiting"]] == [("wait", 2)]
    assert "wait — 2 waiting" in choose.content.decode()
    confirm = staff_client.post(url, {"step_id": "wait", "review": "Continue"})
    assert confirm.context["count"] == 2 and confirm.context["target"] == "second"
    assert 'value="Advance 2 learners"' in confirm.content.decode()
    assert {run.status for run in Run.objects.all()} == {Run.STATUS.pending}  # nothing moved yet

    done = staff_client.post(url, {"step_id": "wait", "confirm": "Advance 2 learners"})
    assert done.status_code == 302
    assert messages_of(done) == ["2 learners waiting at wait in “Two tags” moved on to second."]
    for run, learner in zip(runs, (ada, grace), strict=True):
        run.refresh_from_db()
        assert run.status == Run.STATUS.fulfilled and tags(learner) == ["one", "two"]
        assert run.log.filter(kind=RunLog.KIND.staff, message="advance past wait requested by teacher (Django admin)",
                              step_id="wait").exists()
    assert "moved on to second" in LogEntry.objects.get(object_id=str(automation.pk)).get_change_message()


def test_a_step_nobody_waits_at_cannot_be_chosen(staff_client, automation, learners):
    url = automation_url(automation, "advance-waiting/")
    page = staff_client.get(url).content.decode()
    assert "No learner is waiting at a wait step now." in page
    refused = staff_client.post(url, {"step_id": "wait", "confirm": "1"})
    assert refused.status_code == 200
    assert "No learner is waiting at that step any more; choose another." in refused.content.decode()
    assert staff_client.post(url, {"step_id": "first", "confirm": "1"}).status_code == 200  # not a wait: no choice


def test_activate_and_deactivate_from_the_list(staff_client, automation):
    draft = make_automation("Draft one", status="draft")
    broken = make_automation("Broken", status="draft")
    broken.steps.filter(step_id="wait").update(params={"days": 0})
    response = staff_client.post(CHANGELIST, {"action": "activate_selected",
                                              "_selected_action": [automation.pk, draft.pk, broken.pk]})
    assert response.status_code == 302
    assert messages_of(response) == [
        "“Broken” not activated: steps[1].params.days: a wait must be between 5 minutes and 365 days "
        "(got 0 minutes)",
        "1 automation activated: Draft one.",
        "Already active: Two tags.",
    ]
    assert Automation.objects.get(pk=draft.pk).status == "active"
    assert Automation.objects.get(pk=broken.pk).status == "draft"
    response = staff_client.post(CHANGELIST, {"action": "deactivate_selected",
                                              "_selected_action": [automation.pk, draft.pk]})
    assert messages_of(response) == ["2 automations deactivated: Draft one, Two tags."]
    assert set(Automation.objects.filter(pk__in=[automation.pk, draft.pk]).values_list("status", flat=True)) == {
        "inactive"}


def test_deleting_with_learners_in_the_flow_asks_and_lets_them_finish(staff_client, automation, learners):
    runs = api.start_learners(automation, learners[:2])
    url = automation_url(automation, "delete/")
    question = staff_client.get(url)
    page = question.content.decode()
    assert "2 learners are" in page and "Let learners finish" in page and "Remove learners now" in page
    assert staff_client.post(url, {"post": "yes"}).status_code == 200  # no answer: asked again
    done = staff_client.post(url, {"post": "yes", "mode": "finish"})
    assert done.status_code == 302
    assert messages_of(done) == ["“Two tags” is finishing: 2 learners still in the flow finish it, then the "
                                 "automation is removed. It starts nobody new."]
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.finishing
    for run in runs:
        run.refresh_from_db()
        assert run.status == Run.STATUS.pending
        assert run.log.filter(message__startswith="automation deleted by teacher (Django admin)").exists()


def test_deleting_with_learners_in_the_flow_can_remove_them_now(staff_client, automation, learners):
    api.start_learners(automation, learners[:2])
    done = staff_client.post(automation_url(automation, "delete/"), {"post": "yes", "mode": "remove"})
    assert messages_of(done) == ["“Two tags” deleted; 2 runs cancelled."]
    assert not Automation.objects.exists() and not Run.objects.exists()


def test_deleting_an_automation_nobody_is_in_is_the_usual_confirmation(staff_client, automation):
    assert "Are you sure" in staff_client.get(automation_url(automation, "delete/")).content.decode()
    staff_client.post(automation_url(automation, "delete/"), {"post": "yes"})
    assert not Automation.objects.exists()


def test_deleting_an_automation_with_past_runs_explains_and_offers_to_archive(staff_client, automation, learners):
    """Django's own page would refuse (runs are read-only records): ours says what goes with it."""
    api.start_learners(automation, learners[:2])
    Run.objects.update(status=Run.STATUS.fulfilled)
    page = staff_client.get(automation_url(automation, "delete/"))
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert "also deletes its 2 runs" in text and "archive it instead" in text and "Remove learners now" not in text
    archived = staff_client.post(automation_url(automation, "delete/"), {"archive": "Archive instead"})
    assert archived.status_code == 302
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.inactive and automation.labels == ["archived"]
    assert Run.objects.count() == 2 and "archived" in messages_of(archived)[0]
    deleted = staff_client.post(automation_url(automation, "delete/"), {"post": "yes"})
    assert deleted.status_code == 302 and not Automation.objects.exists() and not Run.objects.exists()


def test_bulk_delete_asks_the_same_question(staff_client, automation, learners):
    quiet = make_automation("Quiet")
    api.start_learners(automation, learners[:1])
    selected = {"action": "delete_selected", "_selected_action": [automation.pk, quiet.pk]}
    question = staff_client.post(CHANGELIST, selected)
    assert question.status_code == 200
    assert [(row.name, count) for row, count in question.context["rows"]] == [("Quiet", 0), ("Two tags", 1)]
    assert "Remove learners now" in question.content.decode()
    done = staff_client.post(CHANGELIST, {**selected, "post": "yes", "mode": "finish"})
    assert done.status_code == 302
    assert messages_of(done) == [
        "“Quiet” deleted.",
        "“Two tags” is finishing: 1 learner still in the flow finish it, then the automation is removed. "
        "It starts nobody new.",
    ]
    assert list(Automation.objects.values_list("name", "status")) == [("Two tags", "finishing")]


def test_bulk_delete_of_automations_nobody_is_in_just_confirms(staff_client, automation):
    question = staff_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [automation.pk]})
    assert "No learner is in the flow. Delete for good?" in question.content.decode()
    staff_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [automation.pk], "post": "yes"})
    assert not Automation.objects.exists()


def test_a_finishing_automation_is_read_only_and_runs_cannot_be_deleted(admin_client, automation, learners):
    [run] = api.start_learners(automation, learners[:1])
    api.delete(automation, mode="finish")
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.finishing
    page = admin_client.get(automation_url(automation, "change/")).content.decode()
    assert 'name="_save"' not in page, "no save button: read-only"
    response = admin_client.post(automation_url(automation, "change/"), {"name": "renamed"})
    assert response.status_code == 403
    assert admin_client.get(f"/admin/lms_automations/run/{run.pk}/delete/").status_code == 403
    assert Run.objects.filter(pk=run.pk).exists()
