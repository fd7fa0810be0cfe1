"""The builder's "Try with a learner": what would happen now, for the saved definition or unsaved
edits, with no side effect, only for the automations and learners the staff member works on."""
import copy
import datetime
import json

import pytest
import time_machine
from django.apps import apps
from django.core import mail

from lms_automations import api
from lms_automations.engine import trigger_index
from lms_automations.models import Event, Trigger
from sandbox.lms import services

from .conftest import MINE, OTHER

DRY_RUN = "/admin/lms_automations/automation/builder/dry-run/"
T0 = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def automation(automation):
    """Live for a month before T0: the learners' events around T0 are ones it listens for (SPEC §5.1)."""
    Trigger.objects.filter(automation=automation).update(listening_since=T0 - datetime.timedelta(days=30))
    trigger_index.invalidate()
    return automation


def row_counts():
    return {model.__name__: model.objects.count()
            for app in ("lms_automations", "sandbox_lms", "auth") for model in apps.get_app_config(app).get_models()}


def try_with(client, automation, learner, **extra):
    body = {"automation_id": automation.pk if automation else None, "learner_id": learner.pk, **extra}
    return client.post(DRY_RUN, json.dumps(body), content_type="application/json")


def go(learner, key="go-1", payload=None, at=T0):
    return Event.objects.create(event_type="custom.go", user=learner, payload=payload or {}, occurred_at=at,
                                source="api", idempotency_key=key)


@time_machine.travel(T0, tick=False)
def test_the_dry_run_shows_the_trigger_the_path_and_the_wait_and_changes_nothing(staff_client, automation, learners):
    ada = learners[0]
    go(ada)
    before = row_counts()
    answer = try_with(staff_client, automation, ada)
    assert answer.status_code == 200, answer.content
    report = answer.json()
    assert report["triggers"][0]["matched"] is True
    assert report["entry"]["would_enter"] is True
    assert [step["id"] for step in report["steps"]] == ["first", "wait", "second"]
    assert report["steps"][0]["params"] == {"tags": ["one"]}
    assert report["steps"][1]["due_at"] == "2026-07-02T09:00:00+00:00"
    assert report["outcome"]["status"] == "fulfilled"
    assert row_counts() == before
    assert mail.outbox == []


@time_machine.travel(T0, tick=False)
def test_unsaved_edits_are_tried_and_an_invalid_document_is_refused_on_its_step(staff_client, automation, learners):
    document = api.export_automation(automation)
    document["steps"][1]["params"] = {"days": 3}
    report = try_with(staff_client, automation, learners[0], document=document).json()
    assert report["steps"][1]["due_at"] == "2026-07-04T09:00:00+00:00"

    document["steps"][1]["params"] = {"minutes": 1}
    answer = try_with(staff_client, automation, learners[0], document=document)
    assert answer.status_code == 400
    error, = answer.json()["errors"]
    assert (error["step_id"], error["field"]) == ("wait", "minutes")


@time_machine.travel(T0, tick=False)
def test_a_new_automation_can_be_tried_before_it_is_saved(staff_client, automation, learners):
    document = copy.deepcopy(api.export_automation(automation))
    document["name"] = "Not saved yet"
    before = row_counts()
    answer = try_with(staff_client, None, learners[0], document=document)
    assert answer.status_code == 200, answer.content
    assert answer.json()["automation"] == {"id": None, "name": "Not saved yet", "status": "active"}
    assert row_counts() == before


def test_course_staff_try_only_their_automations_with_their_learners(staff_client, automation, other_automation,
                                                                     learners):
    stranger = services.create_learner("stranger")
    services.create_course(OTHER)
    services.enroll(stranger, OTHER)
    assert try_with(staff_client, other_automation, learners[0]).status_code == 404
    assert try_with(staff_client, automation, stranger).status_code == 404
    document = api.export_automation(automation)
    document["scope"] = {"courses": [OTHER], "orgs": []}
    assert try_with(staff_client, automation, learners[0], document=document).status_code == 403
    assert try_with(staff_client, automation, learners[0]).status_code == 200


@time_machine.travel(T0, tick=False)
def test_an_event_of_another_course_is_not_heard_and_the_path_is_shown_as_started_by_hand(
        admin_client, staff_client, automation, learners):
    go(learners[0], payload={"course_key": OTHER})
    report = try_with(admin_client, automation, learners[0]).json()
    trigger, = report["triggers"]
    assert trigger["heard"] is False and "outside the automation's scope" in trigger["reason"]
    assert report["entry"]["would_enter"] is False
    assert report["start"]["by"] == "hand"
    assert [step["id"] for step in report["steps"]] == ["first", "wait", "second"]
    # a course team member of MINE is not shown the learner's event of another course at all
    trigger, = try_with(staff_client, automation, learners[0]).json()["triggers"]
    assert trigger["event"] is None and trigger["reason"] == "the learner has had no custom.go event"
    assert automation.scope_courses == [MINE]
