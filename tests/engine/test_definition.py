"""Import and export of the v1 document: round trips, generated ids, and atomic refusal."""
import copy
import json
from pathlib import Path

import pytest

from lms_automations import api
from lms_automations.exceptions import InvalidAutomation
from lms_automations.models import Automation, Step, Trigger

EXAMPLES = sorted((Path(api.__file__).parent / "examples").glob("*.json"))

pytestmark = pytest.mark.django_db


def spec_example():
    return {
        "format": "lms-automations/v1",
        "name": "Welcome and nudge",
        "description": "",
        "scope": {"courses": ["course-v1:Demo+W1+2026"], "orgs": []},
        "status": "draft",
        "execution": "async",
        "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": "enrollment.created", "filter": None}],
        "steps": [
            {"id": "welcome", "type": "action", "action": "email.send",
             "params": {"subject": "Hi {{ learner.first_name }}", "body_html": "<p>Welcome</p>"}},
            {"id": "wait2d", "type": "wait", "wait": "duration", "params": {"days": 2}},
            {
                "id": "started?",
                "type": "branch",
                "condition": {"any": [{"condition": "course.progress",
                                       "params": {"course_key": "{{ event.course_key }}", "op": "gt", "value": 0}}]},
                "yes": [{"id": "tag-active", "type": "action", "action": "tag.add", "params": {"tags": ["active"]}}],
                "no": [{"id": "nudge", "type": "action", "action": "email.send",
                        "params": {"subject": "Hand?", "body_html": "<p>…</p>"}}],
            },
        ],
        "exit_conditions": [{"event": "progress.course_completed", "filter": None, "outcome": "converted"}],
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_documents_round_trip_exactly(path):
    document = json.loads(path.read_text())
    exported = api.export_automation(api.import_automation(document))
    assert exported == document
    assert api.export_automation(api.import_automation(exported)) == exported


def test_branch_children_are_stored_as_a_tree():
    automation = api.import_automation(spec_example())
    branch = automation.steps.get(step_id="started?")
    assert [(s.step_id, s.side) for s in branch.children.order_by("side")] == [("nudge", "no"), ("tag-active", "yes")]
    top = automation.steps.filter(parent=None).order_by("position")
    assert [s.step_id for s in top] == ["welcome", "wait2d", "started?"]


def test_missing_step_ids_are_generated_unique_and_kept_on_export():
    document = spec_example()
    for step in document["steps"]:
        step.pop("id")
    document["steps"].append({"type": "action", "action": "email.send", "params": {"subject": "x", "body_html": "y"}})
    exported = api.export_automation(api.import_automation(document))
    ids = [step["id"] for step in exported["steps"]]
    assert ids == ["email-send", "duration", "branch", "email-send-2"]
    assert exported["steps"][2]["yes"][0]["id"] == "tag-active"
    assert exported["steps"][2]["no"][0]["id"] == "nudge"


def test_once_per_period_is_exported_in_iso_8601():
    document = spec_example()
    document["entry"] = {"policy": "once_per", "period": "P7D"}
    exported = api.export_automation(api.import_automation(document))
    assert exported["entry"] == {"policy": "once_per", "period": "P7D"}


def test_invalid_document_creates_nothing_and_reports_every_error_with_its_path():
    document = spec_example()
    document["triggers"] = []
    document["steps"][1]["id"] = "welcome"
    document["steps"].insert(2, {"id": "wait-again", "type": "wait", "wait": "duration", "params": {}})
    document["scope"]["courses"].append("not a course")
    document["entry"] = {"policy": "once_per", "period": "P1Y"}
    document["colour"] = "blue"
    with pytest.raises(InvalidAutomation) as caught:
        api.import_automation(document)
    paths = {error["path"]: error["message"] for error in caught.value.errors}
    assert "add at least one trigger" in paths["triggers"]
    assert "already the id of steps[0]" in paths["steps[1].id"]
    assert "two waits may not follow each other" in paths["steps[2]"]
    assert "course-v1:ORG+COURSE+RUN" in paths["scope.courses[1]"]
    assert "P12M" in paths["entry.period"]
    assert "unknown key" in paths["colour"]
    assert Automation.objects.count() == 0
    assert Trigger.objects.count() == 0 and Step.objects.count() == 0


def test_branch_without_condition_and_too_many_triggers_are_refused():
    document = spec_example()
    document["steps"][2]["condition"] = {}
    document["triggers"] = [{"event": "enrollment.created", "filter": None}] * 11
    with pytest.raises(InvalidAutomation) as caught:
        api.import_automation(document)
    messages = {error["path"]: error["message"] for error in caught.value.errors}
    assert messages["steps[2].condition"] == "a branch needs at least one condition"
    assert messages["triggers"] == "at most 10 triggers (got 11)"


def test_branches_nested_deeper_than_ten_are_refused():
    document = spec_example()
    condition = {"all": [{"condition": "learner.has_tag", "params": {"tag": "vip"}}]}
    leaf = [{"id": "deepest", "type": "action", "action": "tag.add", "params": {"tags": ["x"]}}]
    for depth in range(11):
        leaf = [{"id": f"b{depth}", "type": "branch", "condition": condition, "yes": leaf, "no": []}]
    document["steps"] = leaf
    with pytest.raises(InvalidAutomation) as caught:
        api.import_automation(document)
    assert any("nested at most 10 deep" in error["message"] for error in caught.value.errors)


def test_a_failure_while_writing_rows_rolls_back_the_automation(monkeypatch):
    from lms_automations.engine import definition

    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(definition, "_save_steps", explode)
    with pytest.raises(RuntimeError):
        api.import_automation(copy.deepcopy(spec_example()))
    assert Automation.objects.count() == 0
