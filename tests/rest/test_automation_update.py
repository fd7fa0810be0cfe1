"""PUT /api/automations/v1/automations/<id>/: the definition replaced in place, with the builder's rules."""
import pytest

from lms_automations import api
from lms_automations.models import Automation, Run
from sandbox.lms import services

from .conftest import MINE, THEIRS
from .test_automations import document

pytestmark = pytest.mark.django_db
ACTIVE = {"status": "active", "steps": [
    {"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["enrolled"]}},
    {"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 1}},
    {"id": "later", "type": "action", "action": "tag.add", "params": {"tags": ["later"]}},
]}


def url(automation):
    return f"/api/automations/v1/automations/{automation.pk}/"


@pytest.fixture
def editor(django_user_model, user_with, course_team):
    """A course team member of MINE who may change automations."""
    return user_with(django_user_model, "editor", "view_automation", "change_automation", is_staff=True)


@pytest.fixture
def running(db):
    return api.import_automation(document(**ACTIVE))


def test_a_valid_document_replaces_the_definition_in_place(api_client, editor, running):
    changed = api.export_automation(running)
    changed["name"] = "Renamed"
    changed["steps"][2]["params"]["tags"] = ["later", "again"]
    api_client.force_authenticate(editor)
    answer = api_client.put(url(running), changed, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["id"] == running.pk and answer.json()["status"] == "active"
    running.refresh_from_db()
    assert api.export_automation(running) == changed


def test_an_invalid_change_to_an_active_automation_is_refused_and_leaves_it_running(api_client, editor, running):
    before = api.export_automation(running)
    broken = api.export_automation(running)
    broken["steps"][1]["params"] = {"days": 0}
    api_client.force_authenticate(editor)
    answer = api_client.put(url(running), broken, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["path"] == "steps[1].params.days"
    running.refresh_from_db()
    assert running.status == Automation.STATUS.active and api.export_automation(running) == before


def test_removing_a_step_where_learners_wait_asks_first(api_client, editor, running):
    services.create_course(MINE)
    ada = services.create_learner("ada2", "ada2@example.com")
    api.start_learners(running, [ada])
    assert Run.objects.get().current_step_id == "wait"
    shorter = api.export_automation(running)
    del shorter["steps"][1]
    api_client.force_authenticate(editor)
    asked = api_client.put(url(running), shorter, format="json")
    assert asked.status_code == 409
    assert asked.json()["learners"] == [{"step_id": "wait", "count": 1, "next": "later"}]
    assert len(api.export_automation(running)["steps"]) == 3, "nothing changed before the confirmation"
    confirmed = api_client.put(url(running) + "?move_learners_on=true", shorter, format="json")
    assert confirmed.status_code == 200
    assert [step["id"] for step in api.export_automation(running)["steps"]] == ["tag", "later"]


def test_scope_and_effects_are_checked_for_the_caller(api_client, editor, running):
    api_client.force_authenticate(editor)
    elsewhere = api.export_automation(running)
    elsewhere["scope"] = {"courses": [THEIRS], "orgs": []}
    assert api_client.put(url(running), elsewhere, format="json").status_code == 403
    naming = api.export_automation(running)
    naming["steps"][0] = {"id": "tag", "type": "action", "action": "enrollment.enroll",
                          "params": {"course_key": THEIRS, "mode": "audit"}}
    answer = api_client.put(url(running), naming, format="json")
    assert answer.status_code == 400 and THEIRS in str(answer.json()["errors"])
    assert api.export_automation(running)["steps"][0]["action"] == "tag.add"


def test_who_may_not_change_it_gets_404_or_403(api_client, editor, django_user_model, user_with):
    theirs = api.import_automation(document(name="Theirs", scope={"courses": [THEIRS], "orgs": []}))
    org_wide = api.import_automation(document(name="Org", scope={"courses": [], "orgs": ["Mine"]}))
    api_client.force_authenticate(editor)
    assert api_client.put(url(theirs), api.export_automation(theirs), format="json").status_code == 404
    assert api_client.put(url(org_wide), api.export_automation(org_wide), format="json").status_code == 403
    reader = user_with(django_user_model, "reader", "view_automation", is_staff=True)
    api_client.force_authenticate(reader)
    mine = api.import_automation(document(name="Mine"))
    assert api_client.put(url(mine), api.export_automation(mine), format="json").status_code == 403
    assert Automation.objects.get(pk=mine.pk).name == "Mine"


@pytest.mark.parametrize("body", [[], "text", 3])
def test_a_body_that_is_not_a_document_is_400(api_client, admin_user, running, body):
    api_client.force_authenticate(admin_user)
    assert api_client.put(url(running), body, format="json").status_code == 400
