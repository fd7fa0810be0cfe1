"""The builder's one save view: the v1 document in, the automation replaced atomically, errors by step."""
import copy
import json

import pytest

from lms_automations import api
from lms_automations.models import Automation, Run, Step, TestLearner
from sandbox.lms import services

from .conftest import MINE, OTHER

SAVE = "/admin/lms_automations/automation/builder/save/"
pytestmark = pytest.mark.django_db


def save(client, document, automation=None, **extra):
    body = {"automation_id": automation.pk if automation else None, "document": document, **extra}
    return client.post(SAVE, json.dumps(body), content_type="application/json")


def test_the_page_carries_the_document_and_the_builder(staff_client, automation):
    page = staff_client.get(f"/admin/lms_automations/automation/{automation.pk}/change/")
    assert page.status_code == 200
    assert page.context["builder_data"]["document"] == api.export_automation(automation)
    assert b"lms_automations/builder/builder.js" in page.content
    classic = staff_client.get(f"/admin/lms_automations/automation/{automation.pk}/change/?classic=1")
    assert b'name="steps-0-kind"' in classic.content


def test_saving_round_trips_the_document_with_a_branch_added_before_any_save(staff_client, automation):
    document = api.export_automation(automation)
    document["steps"].append({"id": "passed?", "type": "branch",
                              "condition": {"all": [{"condition": "course.passed", "params": {"course_key": MINE}}]},
                              "yes": [{"id": "well-done", "type": "action", "action": "tag.add",
                                       "params": {"tags": ["passed"]}}],
                              "no": [{"id": "nudge", "type": "action", "action": "tag.add",
                                      "params": {"tags": ["nudged"]}}]})
    answer = save(staff_client, document, automation)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["document"] == document
    assert api.export_automation(automation) == document
    assert Step.objects.get(step_id="nudge").parent.step_id == "passed?"


def test_a_new_automation_is_created_from_a_blank_page(staff_client, automation):
    document = copy.deepcopy(api.export_automation(automation))
    document.update(name="Built from blank", status="draft")
    answer = save(staff_client, document)
    assert answer.status_code == 200
    created = Automation.objects.get(pk=answer.json()["id"])
    assert created.name == "Built from blank" and answer.json()["url"].endswith(f"/{created.pk}/change/")


def test_errors_name_the_step_and_field_they_concern(staff_client, automation):
    document = api.export_automation(automation)
    document["steps"].append({"id": "check", "type": "branch", "condition": {"all": [
        {"condition": "learner.has_tag", "params": {"tag": "x"}}]}, "yes": [],
        "no": [{"id": "too-short", "type": "wait", "wait": "duration", "params": {"days": 0}}]})
    answer = save(staff_client, document, automation)
    assert answer.status_code == 400
    assert answer.json()["errors"] == [{
        "path": "steps[3].no[0].params.days", "where": "step", "step_id": "too-short", "field": "days",
        "message": "a wait must be between 5 minutes and 365 days (got 0 minutes)"}]


def test_an_invalid_change_to_an_active_automation_is_refused_and_changes_nothing(staff_client, automation):
    before = api.export_automation(automation)
    document = copy.deepcopy(before)
    document["steps"][0]["params"] = {"tags": []}
    document["name"] = "Renamed"
    answer = save(staff_client, document, automation)
    assert answer.status_code == 400
    assert [(e["path"], e["step_id"]) for e in answer.json()["errors"]] == [("steps[0].params.tags", "first")]
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.active
    assert api.export_automation(automation) == before


def test_activation_is_refused_until_the_automation_is_valid(staff_client, automation):
    api.deactivate(automation)
    document = api.export_automation(automation)
    document["status"] = "active"
    document["triggers"] = []
    answer = save(staff_client, document, automation)
    assert answer.status_code == 400
    assert any(error["path"].startswith("triggers") for error in answer.json()["errors"])
    automation.refresh_from_db()
    assert automation.status == Automation.STATUS.inactive


def test_deleting_a_step_that_holds_learners_asks_first(staff_client, automation, learners):
    api.start_learners(automation, learners[:2])
    assert Run.objects.filter(current_step_id="wait").count() == 2
    document = api.export_automation(automation)
    document["steps"] = [step for step in document["steps"] if step["id"] != "wait"]
    answer = save(staff_client, document, automation)
    assert answer.status_code == 409
    assert answer.json()["confirm"] == [{"step_id": "wait", "count": 2, "next": "second"}]
    assert Step.objects.filter(automation=automation, step_id="wait").exists()
    confirmed = save(staff_client, document, automation, move_learners_on=True)
    assert confirmed.status_code == 200
    assert not Step.objects.filter(automation=automation, step_id="wait").exists()


def test_a_course_team_member_cannot_scope_outside_their_courses(staff_client, automation, other_automation):
    document = api.export_automation(automation)
    document["scope"] = {"courses": [OTHER], "orgs": []}
    answer = save(staff_client, document, automation)
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["path"] == "scope.courses"
    assert save(staff_client, api.export_automation(other_automation), other_automation).status_code == 404


def test_errors_of_triggers_exits_and_settings_are_placed_on_their_row(staff_client, automation):
    document = api.export_automation(automation)
    document["triggers"].append({"event": "no.such_event", "filter": None})
    document["exit_conditions"] = [{"event": "custom.go", "outcome": "converted", "filter": {"all": [
        {"condition": "learner.has_tag", "params": {}}]}}]
    answer = save(staff_client, document, automation)
    assert answer.status_code == 400
    placed = {(error["where"], error.get("index"), error["field"]) for error in answer.json()["errors"]}
    assert placed == {("triggers", 1, "event"), ("exit_conditions", 0, "filter.all[0].params.tag")}
    unnamed = {**api.export_automation(automation), "name": " "}
    [error] = save(staff_client, unnamed, automation).json()["errors"]
    assert (error["where"], error["field"]) == ("automation", "name")


def test_labels_and_test_learners_are_saved_beside_the_document(staff_client, staff, automation, learners):
    ada, grace, _alan = learners
    answer = save(staff_client, api.export_automation(automation), automation, labels=[" PY101 ", "nudges", "PY101"],
                  test_learners=[ada.pk, grace.pk])
    assert answer.status_code == 200, answer.json()
    automation.refresh_from_db()
    assert automation.labels == ["PY101", "nudges"]
    assert [(item["id"], item["redirect_to"]) for item in answer.json()["test_learners"]] == [
        (ada.pk, "teacher"), (grace.pk, "teacher")]
    assert set(TestLearner.objects.filter(automation=automation).values_list("user_id", "redirect_to_id")) == {
        (ada.pk, staff.pk), (grace.pk, staff.pk)}
    # Removing one keeps the other as it was; a body without them changes neither.
    kept = save(staff_client, api.export_automation(automation), automation, test_learners=[grace.pk])
    assert kept.status_code == 200
    assert list(TestLearner.objects.filter(automation=automation).values_list("user_id", flat=True)) == [grace.pk]
    assert save(staff_client, api.export_automation(automation), automation).status_code == 200
    automation.refresh_from_db()
    assert automation.labels == ["PY101", "nudges"] and TestLearner.objects.filter(automation=automation).count() == 1


def test_a_test_learner_outside_the_members_courses_is_refused_and_nothing_changes(staff_client, automation,
                                                                                   learners):
    stranger = services.create_learner("stranger", "stranger@example.com")
    services.create_course(OTHER)
    services.enroll(stranger, OTHER)
    document = api.export_automation(automation)
    document["name"] = "Renamed"
    answer = save(staff_client, document, automation, test_learners=[learners[0].pk, stranger.pk], labels=["x" * 61])
    assert answer.status_code == 400
    errors = {error["field"]: error["message"] for error in answer.json()["errors"]}
    assert str(stranger.pk) in errors["test_learners"] and "60 characters" in errors["labels"]
    automation.refresh_from_db()
    assert automation.name == "Two tags" and not TestLearner.objects.filter(automation=automation).exists()


def test_a_step_naming_a_course_outside_the_scope_is_refused_on_update(staff_client, automation):
    """The builder's update is checked for authority as an import is (SPEC §5.16)."""
    document = api.export_automation(automation)
    document["steps"][0] = {"id": "first", "type": "action", "action": "enrollment.enroll",
                            "params": {"course_key": OTHER, "mode": "audit"}}
    answer = save(staff_client, document, automation)
    assert answer.status_code == 400
    assert any(OTHER in error["message"] for error in answer.json()["errors"]), answer.json()
    assert api.export_automation(automation)["steps"][0]["action"] == "tag.add"
