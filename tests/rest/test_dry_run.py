"""POST /api/automations/v1/automations/<id>/dry-run and …/dry-run: the builder's "Try with a learner"
over REST, scoped as in admin, writing nothing."""
import copy
import datetime

import pytest
from django.apps import apps
from django.core import mail

from lms_automations import api
from lms_automations.engine import trigger_index
from lms_automations.models import Event, Trigger
from sandbox.lms import services

from .conftest import AUTOMATIONS_URL, MINE, T0, THEIRS

pytestmark = pytest.mark.django_db
DOCUMENT = {
    "format": "lms-automations/v1", "name": "Welcome", "status": "active",
    "scope": {"courses": [MINE], "orgs": []},
    "triggers": [{"event": "enrollment.created",
                  "filter": {"all": [{"condition": "event.field",
                                      "params": {"path": "mode", "op": "eq", "value": "verified"}}]}}],
    "steps": [{"id": "hello", "type": "action", "action": "email.send",
               "params": {"subject": "Welcome, {{ learner.first_name|default:'friend' }}",
                          "body_html": "<p>{{ course.display_name }}</p>", "category": "transactional"}}],
}
DAY = datetime.timedelta(days=1)
NEW_URL = f"{AUTOMATIONS_URL}dry-run"


def url(automation):
    return f"{AUTOMATIONS_URL}{automation.pk}/dry-run"


def row_counts():
    return {model.__name__: model.objects.count()
            for app in ("lms_automations", "sandbox_lms", "auth") for model in apps.get_app_config(app).get_models()}


@pytest.fixture
def teacher(django_user_model, user_with, course_team):
    return user_with(django_user_model, "teacher", "view_automation", is_staff=True)


@pytest.fixture
def welcome(db):
    services.create_course(MINE, units=[["b1"]])
    automation = api.import_automation(copy.deepcopy(DOCUMENT))
    # Live for a month before T0: the learners' events around T0 are ones it listens for (SPEC §5.1).
    Trigger.objects.filter(automation=automation).update(listening_since=T0 - 30 * DAY)
    trigger_index.invalidate()
    return automation


@pytest.fixture
def ada(welcome, clock):
    learner = services.create_learner("ada", first_name="Ada")
    services.enroll(learner, MINE, mode="audit")
    return learner


def test_the_dry_run_says_why_the_trigger_does_not_hold_with_the_value_seen(api_client, teacher, welcome, ada):
    api_client.force_authenticate(teacher)
    before = row_counts()
    answer = api_client.post(url(welcome), {"user": {"username": "ada"}}, format="json")
    assert answer.status_code == 200, answer.content
    trigger, = answer.json()["triggers"]
    assert trigger["matched"] is False
    assert trigger["evaluation"]["leaves"][0]["observed"] == "audit"
    assert answer.json()["entry"]["would_enter"] is False
    assert row_counts() == before and mail.outbox == []


def test_unsaved_edits_render_the_email_for_the_learner(api_client, teacher, welcome, ada):
    api_client.force_authenticate(teacher)
    document = api.export_automation(welcome)
    document["triggers"][0]["filter"] = None
    answer = api_client.post(url(welcome), {"user": {"id": ada.pk}, "document": document}, format="json").json()
    assert answer["entry"]["would_enter"] is True
    email = answer["steps"][0]["email"]
    assert email["subject"] == "Welcome, Ada" and email["to"] == "ada@example.com"
    assert email["would_send"] is True

    new = api_client.post(NEW_URL, {"user": {"id": ada.pk}, "document": document}, format="json")
    assert new.status_code == 200 and new.json()["automation"]["id"] is None


def test_an_invalid_document_is_400_with_its_paths(api_client, teacher, welcome, ada):
    api_client.force_authenticate(teacher)
    document = api.export_automation(welcome)
    document["steps"][0]["params"]["category"] = "spam"
    answer = api_client.post(url(welcome), {"user": {"id": ada.pk}, "document": document}, format="json")
    assert answer.status_code == 400
    assert [error["path"] for error in answer.json()["errors"]] == ["steps[0].params.category"]
    assert api_client.post(url(welcome), {"user": {"id": ada.pk}, "extra": 1}, format="json").status_code == 400
    assert api_client.post(NEW_URL, {"user": {"id": ada.pk}}, format="json").status_code == 400


def test_course_staff_dry_run_only_their_automations_with_their_learners(api_client, teacher, welcome, ada):
    theirs = api.import_automation({**copy.deepcopy(DOCUMENT), "name": "Theirs",
                                    "scope": {"courses": [THEIRS], "orgs": []}})
    stranger = services.create_learner("stranger")
    services.create_course(THEIRS)
    services.enroll(stranger, THEIRS)
    api_client.force_authenticate(teacher)
    assert api_client.post(url(theirs), {"user": {"id": ada.pk}}, format="json").status_code == 404
    for reference in ({"id": stranger.pk}, {"username": "stranger"}, {"username": "nobody"}):
        answer = api_client.post(url(welcome), {"user": reference}, format="json")
        assert answer.status_code == 404, reference
    document = {**api.export_automation(welcome), "scope": {"courses": [THEIRS], "orgs": []}}
    assert api_client.post(url(welcome), {"user": {"id": ada.pk}, "document": document},
                           format="json").status_code == 403
    assert api_client.post(NEW_URL, {"user": {"id": ada.pk}, "document": document}, format="json").status_code == 403


def test_an_automation_course_staff_may_only_see_is_403(api_client, teacher, ada, clock):
    org_wide = api.import_automation({**copy.deepcopy(DOCUMENT), "name": "Org", "scope": {"courses": [],
                                                                                         "orgs": ["Mine"]}})
    api_client.force_authenticate(teacher)
    assert api_client.post(url(org_wide), {"user": {"id": ada.pk}}, format="json").status_code == 403


def test_without_the_view_permission_is_403(api_client, django_user_model, user_with, welcome, ada):
    nobody = user_with(django_user_model, "nobody", is_staff=True)
    api_client.force_authenticate(nobody)
    assert api_client.post(url(welcome), {"user": {"id": ada.pk}}, format="json").status_code == 403


def test_a_chosen_event_is_tried(api_client, admin_user, welcome, ada):
    verified = Event.objects.create(event_type="enrollment.created", user=ada, occurred_at=T0 - DAY, source="api",
                                    idempotency_key="old", payload={"course_key": MINE, "mode": "verified"})
    api_client.force_authenticate(admin_user)
    latest = api_client.post(url(welcome), {"user": {"id": ada.pk}}, format="json").json()
    assert latest["triggers"][0]["matched"] is False  # the learner's latest enrolment is in audit
    chosen = api_client.post(url(welcome), {"user": {"id": ada.pk}, "event_id": verified.pk}, format="json").json()
    assert chosen["triggers"][0]["matched"] is True and chosen["triggers"][0]["event"]["id"] == verified.pk
