"""GET/POST /api/automations/v1/automations/ and GET …/<id>/export (SPEC §7.3)."""
import copy
import json
from pathlib import Path

import pytest

from lms_automations import api
from lms_automations.models import Automation, Run

from .conftest import AUTOMATIONS_URL, MINE, THEIRS

pytestmark = pytest.mark.django_db
DOCUMENT = {
    "format": "lms-automations/v1", "name": "Tag webinar goers", "description": "", "status": "draft",
    "scope": {"courses": [MINE], "orgs": []},
    "triggers": [{"event": "enrollment.created", "filter": None}],
    "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["enrolled"]}}],
}


def document(**overrides):
    return {**copy.deepcopy(DOCUMENT), **overrides}


def export_url(automation_id):
    return f"{AUTOMATIONS_URL}{automation_id}/export"


@pytest.fixture
def manager(admin_user):
    """A superuser: sees every course (as in admin, only superusers do)."""
    return admin_user


@pytest.fixture
def teacher(django_user_model, user_with, course_team):
    """A course team member of MINE (staff, with the permissions, like in admin)."""
    return user_with(django_user_model, "teacher", "view_automation", "add_automation", is_staff=True)


def test_import_creates_the_automation_and_answers_with_its_id(api_client, manager):
    api_client.force_authenticate(manager)
    response = api_client.post(AUTOMATIONS_URL, document(), format="json")
    assert response.status_code == 201, response.content
    automation = Automation.objects.get()
    assert response.json()["id"] == automation.pk and response.json()["name"] == "Tag webinar goers"
    assert response.headers["Location"] == export_url(automation.pk)
    assert automation.owner == manager and automation.scope_courses == [MINE]


def test_an_invalid_document_is_400_with_every_error_and_creates_nothing(api_client, manager):
    api_client.force_authenticate(manager)
    broken = document(triggers=[{"event": "no.such_event", "filter": None}],
                      steps=[{"id": "w", "type": "wait", "wait": "duration", "params": {"days": 0}}])
    response = api_client.post(AUTOMATIONS_URL, broken, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {error["path"] for error in errors} == {"triggers[0].event", "steps[0].params.days"}
    assert all(set(error) == {"path", "message"} for error in errors)
    assert not Automation.objects.exists()


@pytest.mark.parametrize("body", [["a", "list"], "text", {"format": "something/else"}])
def test_documents_that_are_not_documents_are_400(api_client, manager, body):
    api_client.force_authenticate(manager)
    response = api_client.post(AUTOMATIONS_URL, body, format="json")
    assert response.status_code == 400 and response.json()["errors"]


def test_export_gives_the_v1_document_and_round_trips(api_client, manager):
    example = json.loads((Path(api.__file__).parent / "examples" / "welcome_and_nudge.json").read_text())
    automation = api.import_automation(example)
    api_client.force_authenticate(manager)
    response = api_client.get(export_url(automation.pk))
    assert response.status_code == 200
    assert response.json() == api.export_automation(automation)
    assert api_client.get(export_url(automation.pk) + "/").status_code == 200
    copy_response = api_client.post(AUTOMATIONS_URL, response.json(), format="json")
    assert copy_response.status_code == 201
    copied = Automation.objects.get(pk=copy_response.json()["id"])
    assert api.export_automation(copied) == response.json()


def test_export_of_a_missing_automation_is_404(api_client, manager):
    api_client.force_authenticate(manager)
    assert api_client.get(export_url(999999)).status_code == 404


def test_the_list_summarises_each_automation(api_client, manager, learner):
    automation = api.import_automation(document())
    Run.objects.create(automation=automation, user=learner, status=Run.STATUS.converted,
                       started_at="2026-07-01T09:00:00Z")
    Run.objects.create(automation=automation, user=learner, started_at="2026-07-01T09:00:00Z")
    api_client.force_authenticate(manager)
    response = api_client.get(AUTOMATIONS_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None
    (item,) = body["results"]
    assert item["id"] == automation.pk and item["name"] == "Tag webinar goers" and item["status"] == "draft"
    assert item["scope"] == {"courses": [MINE], "orgs": []}
    assert item["triggers"] == ["enrollment.created"]
    assert item["counts"]["steps"] == 1
    assert item["counts"]["runs"]["total"] == 2
    assert item["counts"]["runs"]["converted"] == 1 and item["counts"]["runs"]["pending"] == 1
    assert item["counts"]["runs"]["failed"] == 0
    assert item["export_url"] == "http://testserver" + export_url(automation.pk)


def test_the_list_filters_by_status_and_pages(api_client, manager):
    for index in range(3):
        api.import_automation(document(name=f"Automation {index}"))
    api.import_automation(document(name="Live", status="active"))
    api_client.force_authenticate(manager)
    assert [item["name"] for item in api_client.get(AUTOMATIONS_URL, {"status": "active"}).json()["results"]] == [
        "Live"]
    first = api_client.get(AUTOMATIONS_URL, {"page_size": 2}).json()
    assert first["count"] == 4 and len(first["results"]) == 2 and first["next"]
    bad = api_client.get(AUTOMATIONS_URL, {"status": "sleeping"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_unauthenticated_is_401(api_client):
    assert api_client.get(AUTOMATIONS_URL).status_code == 401
    assert api_client.post(AUTOMATIONS_URL, document(), format="json").status_code == 401


def test_without_the_model_permissions_or_staff_status_is_403(api_client, django_user_model, user_with,
                                                             course_team):
    automation = api.import_automation(document())
    viewer = user_with(django_user_model, "viewer", "view_automation", is_staff=True)
    api_client.force_authenticate(viewer)
    assert api_client.get(AUTOMATIONS_URL).status_code == 200
    assert api_client.get(export_url(automation.pk)).status_code == 200
    refused = api_client.post(AUTOMATIONS_URL, document(), format="json")
    assert refused.status_code == 403 and "add_automation" in refused.json()["detail"]
    learner_with_perms = user_with(django_user_model, "not-staff", "view_automation", "add_automation")
    api_client.force_authenticate(learner_with_perms)
    assert api_client.get(AUTOMATIONS_URL).status_code == 403, "like admin, staff status is needed too"
    api_client.force_authenticate(user_with(django_user_model, "staff-only", is_staff=True))
    assert api_client.get(export_url(automation.pk)).status_code == 403


def test_the_event_permission_alone_gives_no_access_to_automations(api_client, integrator):
    api_client.force_authenticate(integrator)
    assert api_client.get(AUTOMATIONS_URL).status_code == 403


def test_course_staff_see_only_their_courses(api_client, teacher):
    mine = api.import_automation(document(name="Mine"))
    org_wide = api.import_automation(document(name="Org wide", scope={"courses": [], "orgs": ["Mine"]}))
    theirs = api.import_automation(document(name="Theirs", scope={"courses": [THEIRS], "orgs": []}))
    api_client.force_authenticate(teacher)
    names = [item["name"] for item in api_client.get(AUTOMATIONS_URL).json()["results"]]
    assert names == ["Mine", "Org wide"]
    assert api_client.get(export_url(mine.pk)).status_code == 200
    assert api_client.get(export_url(org_wide.pk)).status_code == 200
    hidden = api_client.get(export_url(theirs.pk))
    assert hidden.status_code == 404, "an automation they cannot see does not exist for them"


def test_course_staff_import_only_into_their_courses(api_client, teacher):
    api_client.force_authenticate(teacher)
    assert api_client.post(AUTOMATIONS_URL, document(name="Mine"), format="json").status_code == 201
    for scope in ({"courses": [THEIRS], "orgs": []}, {"courses": [MINE], "orgs": ["Other"]},
                  {"courses": [], "orgs": []}):
        response = api_client.post(AUTOMATIONS_URL, document(name="Elsewhere", scope=scope), format="json")
        assert response.status_code == 403, scope
        assert response.json()["errors"][0]["path"] == "scope"
    assert list(Automation.objects.values_list("name", flat=True)) == ["Mine"]


def test_a_scope_missing_from_the_document_is_refused_for_course_staff(api_client, teacher):
    api_client.force_authenticate(teacher)
    unscoped = document()
    del unscoped["scope"]
    response = api_client.post(AUTOMATIONS_URL, unscoped, format="json")
    assert response.status_code == 403 and "every course" in response.json()["detail"]
    assert not Automation.objects.exists()


def test_a_malformed_scope_is_a_validation_error_even_for_course_staff(api_client, teacher):
    api_client.force_authenticate(teacher)
    response = api_client.post(AUTOMATIONS_URL, document(scope={"courses": MINE}), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "scope.courses", "message": "must be a list of strings"}]
    assert not Automation.objects.exists()
