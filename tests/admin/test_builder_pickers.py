"""The builder's catalogue and pickers: generated forms for every entry, scoped to the staff member."""
import pytest

from lms_automations.models import LearnerTag
from sandbox.lms import services

from .conftest import MINE, OTHER

BUILDER = "/admin/lms_automations/automation/builder/"
pytestmark = pytest.mark.django_db


def test_the_catalogue_gives_every_entry_a_form(staff_client):
    catalogue = staff_client.get(f"{BUILDER}catalogue/").json()
    waits = {entry["key"]: entry for entry in catalogue["waits"]}
    assert waits["duration"]["fields"][0]["widget"] == "duration_parts"
    assert {field["name"]: field["widget"] for field in waits["until"]["fields"]} == {
        "at": "datetime", "timezone": "timezone", "if_past": "select"}
    conditions = {entry["key"]: entry for entry in catalogue["conditions"]}
    assert [field["widget"] for field in conditions["course.progress"]["fields"]] == ["course", "op", "number"]
    assert conditions["course.lesson_completed"]["fields"][1]["widget"] == "lessons"
    assert conditions["event.occurred"]["fields"][1]["widget"] == "condition"
    events = {entry["key"]: entry for entry in catalogue["events"]}
    assert events["progress.threshold_reached"]["payload_fields"]["percent"]
    assert "is_set" in catalogue["valueless_ops"] and "Europe/Paris" in catalogue["timezones"]


def test_a_third_party_entry_gets_a_form_from_its_schema_alone(staff_client, monkeypatch):
    from lms_automations.admin import builder_catalogue
    from lms_automations.catalogue import Action, get_actions, object_schema

    class BookRoom(Action):  # what a package would declare: a key, labels and a params schema, no admin code
        key = "acme.book_room"
        label = "Book a room"
        category = "Acme"
        description = "Books a tutoring room."
        params_schema = object_schema(
            ["room", "seats"], room={"type": "string", "enum": ["small", "large"]},
            seats={"type": "integer", "minimum": 1}, lead_time={"type": "string", "pattern": "^P(?!$)(\\d+W)?(\\d+D)?"
                                                                    "(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$"},
            online={"type": "boolean"}, topics={"type": "array", "items": {"type": "string"}}, note={"type": "string"})

    monkeypatch.setattr(builder_catalogue, "get_actions", lambda: {**get_actions(), BookRoom.key: BookRoom})
    actions = {entry["key"]: entry for entry in staff_client.get(f"{BUILDER}catalogue/").json()["actions"]}
    fields = {field["name"]: field for field in actions["acme.book_room"]["fields"]}
    assert {name: field["widget"] for name, field in fields.items()} == {
        "room": "select", "seats": "number", "lead_time": "duration", "online": "checkbox", "topics": "string_list",
        "note": "text"}
    assert fields["room"]["enum"] == ["small", "large"] and fields["room"]["required"]
    assert fields["seats"]["minimum"] == 1 and fields["lead_time"]["label"] == "Lead time"
    # the package's own condition, installed in the test environment, is offered too
    conditions = [entry["key"] for entry in staff_client.get(f"{BUILDER}catalogue/").json()["conditions"]]
    assert "testext.always" in conditions


def test_course_and_outline_pickers_offer_only_the_members_courses(staff_client):
    services.create_course(MINE, units=[["intro"], ["problem:quiz"]])
    services.create_course(OTHER)
    courses = staff_client.get(f"{BUILDER}courses/").json()["courses"]
    assert [course["key"] for course in courses] == [MINE]
    outline = staff_client.get(f"{BUILDER}outline/", {"course": MINE}).json()["units"]
    assert [unit["name"] for unit in outline] == ["Unit 1", "Unit 2"]
    assert outline[1]["blocks"] == ["block-v1:Mine+A+2026+type@problem+block@quiz"]
    refused = staff_client.get(f"{BUILDER}outline/", {"course": OTHER})
    assert refused.status_code == 403 and "units" not in refused.json()


def test_names_come_from_what_exists_and_course_teams_see_only_their_automations(
        staff_client, client, automation, other_automation, django_user_model):
    learner = services.create_learner("ada", "ada@example.com")
    LearnerTag.objects.create(user=learner, tag="site-wide-secret")
    assert staff_client.get(f"{BUILDER}names/tag/").json()["names"] == ["one", "two"]
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    assert client.get(f"{BUILDER}names/tag/").json()["names"] == ["one", "site-wide-secret", "two"]


def test_learners_offered_for_a_preview_are_those_of_the_members_courses(staff_client, learners):
    services.create_course(OTHER)
    stranger = services.create_learner("adam", "adam@example.com")
    services.enroll(stranger, OTHER)
    found = staff_client.get(f"{BUILDER}learners/", {"q": "ad", "courses": MINE}).json()["learners"]
    assert [learner["username"] for learner in found] == ["ada"]
    assert staff_client.get(f"{BUILDER}learners/", {"q": "adam", "courses": OTHER}).json()["learners"] == []
