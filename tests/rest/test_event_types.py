"""GET/POST /api/automations/v1/event-types/ and custom types registered by their first event (ADR 0017)."""
import pytest

from lms_automations import api
from lms_automations.models import CustomEventType, Event
from sandbox.lms.host_backend import SandboxHost

from .conftest import EVENTS_URL, MINE, THEIRS

pytestmark = pytest.mark.django_db
URL = "/api/automations/v1/event-types/"


def automation(name, course, trigger, exit_event=None):
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active",
        "scope": {"courses": [course], "orgs": []}, "triggers": [{"event": trigger}],
        "steps": [{"id": "t", "type": "action", "action": "tag.add", "params": {"tags": ["x"]}}],
        "exit_conditions": [{"event": exit_event, "filter": None, "outcome": "converted"}] if exit_event else [],
    })


def row(answer, key):
    return next(item for item in answer.json()["results"] if item["key"] == key)


@pytest.fixture
def registering(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "REGISTER_CUSTOM_EVENT_TYPES": True}


def test_each_event_type_lists_what_it_starts_and_stops_as_far_as_the_caller_sees(
        api_client, admin_user, django_user_model, user_with, monkeypatch, webinar_type):
    mine = automation("Webinar follow-up", MINE, "custom.webinar_attended", exit_event="enrollment.created")
    theirs = automation("Their follow-up", THEIRS, "custom.webinar_attended")
    api_client.force_authenticate(admin_user)
    answer = api_client.get(URL)
    assert answer.status_code == 200
    webinar = row(answer, "custom.webinar_attended")
    assert webinar["custom"] and webinar["payload_fields"] == {"webinar": "string", "minutes": "integer"}
    assert [item["id"] for item in webinar["starts"]] == [mine.pk, theirs.pk] and webinar["stops"] == []
    assert [item["name"] for item in row(answer, "enrollment.created")["stops"]] == ["Webinar follow-up"]
    assert "automation.started" in {item["key"] for item in answer.json()["results"]}
    monkeypatch.setattr(SandboxHost, "staff_course_keys", lambda self, who: None if who.is_superuser else {MINE})
    api_client.force_authenticate(user_with(django_user_model, "teacher", "view_automation", is_staff=True))
    webinar = row(api_client.get(URL, {"key": "custom.webinar_attended"}), "custom.webinar_attended")
    assert [item["id"] for item in webinar["starts"]] == [mine.pk], "another course's automation is not shown"


def test_platform_staff_declare_a_custom_type_and_bad_input_is_400_per_field(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    answer = api_client.post(URL, {"slug": "Bad Slug!", "fields": [
        {"name": "1st", "type": "colour"}, {"name": "x"}, {"name": "x"}], "colour": "red"}, format="json")
    assert answer.status_code == 400
    errors = answer.json()
    assert "lower-case" in errors["slug"][0] and "unknown field" in errors["colour"][0]
    assert set(errors["fields"]["0"]) == {"name", "type"}
    assert not CustomEventType.objects.exists()
    answer = api_client.post(URL, {"slug": "trial_started", "label": "Started a trial",
                                   "fields": [{"name": "plan", "type": "string", "required": True}]}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["key"] == "custom.trial_started" and answer.json()["payload_fields"] == {"plan": "string"}
    assert api_client.post(URL, {"slug": "trial_started"}, format="json").status_code == 409


def test_a_course_team_member_may_not_declare_site_wide_types(api_client, django_user_model, user_with):
    api_client.force_authenticate(user_with(django_user_model, "teacher", "view_automation", "add_automation",
                                            "add_customeventtype", is_staff=True))
    assert api_client.post(URL, {"slug": "mine"}, format="json").status_code == 403
    assert not CustomEventType.objects.exists()


def test_an_unknown_custom_type_is_404_unless_the_operator_turned_registration_on(api_client, integrator, learner):
    api_client.force_authenticate(integrator)
    body = {"event": "custom.quiz_done", "user": {"username": "ada"}, "payload": {"score": 7}}
    assert api_client.post(EVENTS_URL, body, format="json").status_code == 404
    assert not CustomEventType.objects.exists() and not Event.objects.exists()


def test_the_first_event_registers_the_type_with_its_fields_and_later_ones_add_theirs(
        api_client, integrator, learner, registering):
    api_client.force_authenticate(integrator)
    body = {"event": "custom.quiz_done", "user": {"username": "ada"}, "payload": {"score": 7, "quiz": "intro"}}
    assert api_client.post(EVENTS_URL, body, format="json").status_code == 201
    declared = CustomEventType.objects.get(slug="quiz_done")
    assert declared.learns_fields and declared.label == "Quiz done"
    assert declared.fields == [{"name": "quiz", "type": "string", "description": ""},
                               {"name": "score", "type": "integer", "description": ""}]
    assert api_client.post(EVENTS_URL, {**body, "payload": {"score": "high"}}, format="json").status_code == 400
    assert api_client.post(EVENTS_URL, {**body, "payload": {"score": 9, "passed": True}},
                           format="json").status_code == 201
    assert [field["name"] for field in CustomEventType.objects.get(slug="quiz_done").fields] == [
        "quiz", "score", "passed"]
    CustomEventType.objects.filter(slug="quiz_done").update(learns_fields=False)  # staff froze it
    answer = api_client.post(EVENTS_URL, {**body, "payload": {"minutes": 3}}, format="json")
    assert answer.status_code == 400 and "minutes" in answer.json()["payload"]


def test_registration_refuses_bad_slugs_and_unknown_learners_without_registering(
        api_client, integrator, learner, registering):
    api_client.force_authenticate(integrator)
    answer = api_client.post(EVENTS_URL, {"event": "custom.Not A Slug", "user": {"username": "ada"}}, format="json")
    assert answer.status_code == 400 and "slug" in answer.json()["event"][0]
    answer = api_client.post(EVENTS_URL, {"event": "custom.fine", "user": {"username": "nobody"}}, format="json")
    assert answer.status_code == 404
    answer = api_client.post(EVENTS_URL, {"event": "custom.fine", "user": {"username": "ada"},
                                          "payload": {"9lives": 1}}, format="json")
    assert answer.status_code == 400 and "9lives" in answer.json()["payload"]
    assert not CustomEventType.objects.exists()
