"""The e-mail preview renders as the engine would, for one learner, with no side effect; the test
send goes to the staff member's own address."""
import datetime
import json

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone

from lms_automations import api

from .conftest import MINE

PREVIEW = "/admin/lms_automations/automation/builder/preview/"
pytestmark = pytest.mark.django_db
PARAMS = {"subject": "Hello {{ learner.first_name }}", "body_html": "<p>Hi {{ learner.first_name }}, "
          "{{ course.display_name }} waits for you. {{ learner.last_name|default:'friend' }}</p>"}


def row_counts():
    return {model.__name__: model.objects.count()
            for app in ("lms_automations", "sandbox_lms", "auth") for model in apps.get_app_config(app).get_models()}


def preview(client, automation, learner, **extra):
    body = {"automation_id": automation.pk, "document": api.export_automation(automation), "params": PARAMS,
            "learner_id": learner.pk, **extra}
    return client.post(PREVIEW, json.dumps(body), content_type="application/json")


def test_the_preview_renders_for_the_learner_and_changes_nothing(staff_client, automation, learners):
    ada = learners[0]
    ada.first_name = "Ada"
    ada.save()
    before = row_counts()
    answer = preview(staff_client, automation, ada)
    assert answer.status_code == 200
    body = answer.json()
    assert body["subject"] == "Hello Ada"
    assert "Hi Ada, Mine A 2026 waits for you. friend" in body["body_html"]
    assert body["body_text"] == "Hi Ada, Mine A 2026 waits for you. friend"
    assert body["empty"] == [] and body["errors"] == []
    assert row_counts() == before
    assert mail.outbox == []


def test_a_variable_empty_for_the_learner_is_named(staff_client, automation, learners):
    body = preview(staff_client, automation, learners[1]).json()  # grace has no first name
    assert body["subject"] == "Hello"
    assert body["empty"] == ["learner.first_name"]


def test_a_broken_template_is_reported_by_its_param(staff_client, automation, learners):
    body = {"automation_id": automation.pk, "document": api.export_automation(automation),
            "params": {"subject": "{% if %}", "body_html": "<p>x</p>"}, "learner_id": learners[0].pk}
    answer = staff_client.post(PREVIEW, json.dumps(body), content_type="application/json").json()
    assert [error["path"] for error in answer["errors"]] == ["params.subject"]


def test_only_learners_of_the_members_courses_can_be_previewed(staff_client, automation, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", "s@example.com")
    assert preview(staff_client, automation, stranger).status_code == 400


def test_send_a_test_to_me_mails_the_staff_member_only(staff_client, staff, automation, learners):
    before = row_counts()
    answer = preview(staff_client, automation, learners[0], send_test=True)
    assert answer.status_code == 200 and answer.json()["sent_to"] == staff.email
    assert [message.to for message in mail.outbox] == [[staff.email]]
    assert mail.outbox[0].subject == "[TEST for ada] Hello"
    assert row_counts() == before
    assert MINE


def test_the_preview_reads_the_learners_event_of_the_members_courses_only(staff_client, automation, learners):
    from lms_automations.models import Event
    from sandbox.lms import services

    from .conftest import OTHER

    services.create_course(OTHER)
    ada = learners[0]
    now = timezone.now()
    api.emit("custom.go", ada, {"course_key": MINE, "note": "mine"}, occurred_at=now - datetime.timedelta(hours=1))
    api.emit("custom.go", ada, {"course_key": OTHER, "note": "theirs"}, occurred_at=now)  # the latest, not theirs
    assert Event.objects.filter(user=ada, event_type="custom.go").count() == 2
    document = {**api.export_automation(automation), "scope": {"courses": [MINE, OTHER], "orgs": []}}
    body = {"automation_id": automation.pk, "document": document, "learner_id": ada.pk,
            "params": {"subject": "{{ event.note }} {{ course.display_name }}", "body_html": "<p>x</p>"}}
    answer = staff_client.post(PREVIEW, json.dumps(body), content_type="application/json").json()
    assert answer["subject"] == "mine Mine A 2026"
