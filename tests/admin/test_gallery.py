"""Starting fast: a template becomes a valid draft of the chosen course; import is all or nothing,
with every error named by its JSON path; duplicate and export."""
import io
import json

import pytest

from lms_automations import api
from lms_automations.admin.automation_list_pages import GALLERY
from lms_automations.engine.definition import dump_document
from lms_automations.engine.validation import validate_document
from lms_automations.models import Automation
from sandbox.lms import services

from .conftest import MINE, OTHER, automation_url, messages_of

pytestmark = pytest.mark.django_db
GALLERY_URL = "/admin/lms_automations/automation/gallery/"


@pytest.fixture
def courses(db):
    services.create_course(MINE)
    services.create_course(OTHER)


def test_the_gallery_offers_the_six_templates(staff_client):
    page = staff_client.get(GALLERY_URL).content.decode()
    for title in ("Welcome and nudge", "Win back quiet learners", "Upsell after completion",
                  "Certificate reminder before access ends", "Upgrade-deadline reminder", "Course start reminder"):
        assert title in page
    assert len(GALLERY) == 6


@pytest.mark.parametrize("template", GALLERY, ids=lambda template: template.slug)
def test_every_template_makes_a_valid_draft_scoped_to_the_chosen_course(staff_client, staff, courses, template):
    response = staff_client.post(f"{GALLERY_URL}{template.slug}/", {"course_key": MINE})
    automation = Automation.objects.get()
    assert response.status_code == 302 and response.url == automation_url(automation, "change/")
    assert automation.status == Automation.STATUS.draft
    assert automation.scope_courses == [MINE] and automation.owner == staff
    document = dump_document(automation, reveal_secrets=True)
    assert validate_document(document, automation_id=automation.pk) == []
    # The template's own demo course is nowhere left (filters and params name the chosen course).
    assert "Demo+" not in json.dumps(document)


def test_the_course_picker_lists_only_the_members_courses_and_refuses_others(staff_client, courses):
    page = staff_client.get(f"{GALLERY_URL}welcome_and_nudge/").content.decode()
    assert MINE in page and OTHER not in page
    response = staff_client.post(f"{GALLERY_URL}welcome_and_nudge/", {"course_key": OTHER})
    assert response.status_code == 200 and not Automation.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_site_staff_type_a_course_key_that_the_lms_must_have(client, admin_user, courses):
    client.force_login(admin_user)
    response = client.post(f"{GALLERY_URL}welcome_and_nudge/", {"course_key": "course-v1:No+Such+Course"})
    assert "The LMS has no course course-v1:No+Such+Course." in response.content.decode()
    assert not Automation.objects.exists()
    client.post(f"{GALLERY_URL}welcome_and_nudge/", {"course_key": OTHER})
    assert Automation.objects.get().scope_courses == [OTHER]


IMPORT_URL = "/admin/lms_automations/automation/import/"


def _upload(client, content, name="automations.json"):
    handle = io.BytesIO(content.encode() if isinstance(content, str) else content)
    handle.name = name
    return client.post(IMPORT_URL, {"file": handle})


def test_import_refuses_a_bad_file_listing_each_error_by_path_and_creates_nothing(staff_client, automation):
    good = api.export_automation(automation)
    bad = {**good, "name": "Broken", "steps": [{"id": "w", "type": "wait", "wait": "duration", "params": {"days": 0}}]}
    response = _upload(staff_client, json.dumps([good, bad]))
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in page
    assert "[1].steps[0].params" in page
    assert Automation.objects.count() == 1  # the good one was not created either


def test_import_says_when_the_file_is_not_json(staff_client):
    page = _upload(staff_client, "{ not json").content.decode()
    assert "not valid JSON" in page and not Automation.objects.exists()


def test_import_refuses_a_scope_outside_the_members_courses(staff_client, automation):
    document = {**api.export_automation(automation), "scope": {"courses": [OTHER], "orgs": []}}
    page = _upload(staff_client, json.dumps(document)).content.decode()
    assert "scope" in page and "not yours: " + OTHER in page
    assert Automation.objects.count() == 1


def test_an_imported_document_arrives_as_a_draft(staff_client, automation):
    document = {**api.export_automation(automation), "name": "From a file"}
    assert document["status"] == "active"
    response = _upload(staff_client, json.dumps(document))
    imported = Automation.objects.get(name="From a file")
    assert response.url == automation_url(imported, "change/")
    assert imported.status == Automation.STATUS.draft


def test_export_downloads_the_v1_document(staff_client, automation):
    response = staff_client.get(automation_url(automation, "export/"))
    assert response["Content-Disposition"] == f'attachment; filename="two-tags-{automation.pk}.json"'
    assert json.loads(response.content) == api.export_automation(automation)


def test_export_and_duplicate_of_another_course_are_not_found(staff_client, other_automation):
    assert staff_client.get(automation_url(other_automation, "export/")).status_code == 404
    assert staff_client.post(automation_url(other_automation, "duplicate/")).status_code == 404


def test_duplicate_makes_a_draft_copy_with_the_same_flow_and_labels(staff_client, automation):
    automation.labels = ["onboarding"]
    automation.save()
    assert staff_client.get(automation_url(automation, "duplicate/")).status_code == 200  # asks first
    response = staff_client.post(automation_url(automation, "duplicate/"))
    copy = Automation.objects.get(name="Two tags (copy)")
    assert response.url == automation_url(copy, "change/")
    assert copy.status == Automation.STATUS.draft and copy.labels == ["onboarding"]
    original, copied = api.export_automation(automation), api.export_automation(copy)
    assert copied["steps"] == original["steps"] and copied["triggers"] == original["triggers"]
    assert messages_of(response) == ["“Two tags (copy)” created as a draft."]


def test_an_invalid_draft_is_duplicated_as_the_draft_it_is(staff_client, automation):
    """A half-edited draft (saved by the classic form, not valid yet) is copied row by row."""
    document = api.export_automation(automation)
    document["steps"].insert(1, {"id": "check", "type": "branch", "condition": {"all": [
        {"condition": "learner.has_tag", "params": {"tag": "one"}}]},
        "yes": [{"id": "short", "type": "wait", "wait": "duration", "params": {"days": 2}}],
        "no": [{"id": "noted", "type": "action", "action": "tag.add", "params": {"tags": ["no"]}}]})
    api.update_automation(automation, {**document, "status": "draft"})
    automation.refresh_from_db()
    automation.steps.filter(step_id="short").update(params={"days": 0})  # what the classic form lets a draft hold
    automation.labels = ["wip"]
    automation.save()
    assert validate_document(dump_document(automation, reveal_secrets=True), automation_id=automation.pk)
    response = staff_client.post(automation_url(automation, "duplicate/"))
    copy = Automation.objects.get(name="Two tags (copy)")
    assert response.url == automation_url(copy, "change/")
    assert copy.status == Automation.STATUS.draft and copy.labels == ["wip"]
    original, copied = api.export_automation(automation), api.export_automation(copy)
    assert copied["steps"] == original["steps"] and copied["triggers"] == original["triggers"]
    assert copy.steps.get(step_id="noted").parent == copy.steps.get(step_id="check")
