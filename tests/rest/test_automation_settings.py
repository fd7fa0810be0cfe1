"""Labels and test learners over REST: beside the v1 document, with the builder's rules and field errors."""
import pytest

from lms_automations import api
from lms_automations.models import Automation, TestLearner
from sandbox.lms import services

from .conftest import AUTOMATIONS_URL, MINE, THEIRS
from .test_automations import document

pytestmark = pytest.mark.django_db


def url(automation):
    return f"{AUTOMATIONS_URL}{automation.pk}/"


@pytest.fixture
def editor(django_user_model, user_with, course_team):
    return user_with(django_user_model, "editor", "view_automation", "add_automation", "change_automation",
                     is_staff=True)


@pytest.fixture
def learners(db):
    """``ada`` learns in MINE, ``bob`` only in THEIRS."""
    services.create_course(MINE)
    services.create_course(THEIRS)
    ada = services.create_learner("ada", "ada@example.com")
    bob = services.create_learner("bob", "bob@example.com")
    services.enroll(ada, MINE)
    services.enroll(bob, THEIRS)
    return ada, bob


@pytest.fixture
def automation(db):
    return api.import_automation(document(status="testing"))


def testers(automation):
    return list(TestLearner.objects.filter(automation=automation).order_by("pk").values_list("user_id", flat=True))


def test_an_import_sets_labels_and_test_learners_given_beside_the_document(api_client, admin_user, learners):
    ada, bob = learners
    api_client.force_authenticate(admin_user)
    answer = api_client.post(AUTOMATIONS_URL, {"document": document(), "labels": [" onboarding ", "2026",
                                                                                  "onboarding"],
                                               "test_learners": [ada.pk, bob.pk]}, format="json")
    assert answer.status_code == 201, answer.json()
    automation = Automation.objects.get()
    assert answer.json()["labels"] == automation.labels == ["onboarding", "2026"]  # as the builder keeps them
    assert answer.json()["test_learners"] == testers(automation) == [ada.pk, bob.pk]
    assert set(TestLearner.objects.values_list("redirect_to", flat=True)) == {admin_user.pk}
    assert api_client.get(AUTOMATIONS_URL).json()["results"][0]["labels"] == ["onboarding", "2026"]


def test_an_update_changes_only_what_the_body_names(api_client, editor, learners, automation):
    ada, _bob = learners
    api_client.force_authenticate(editor)
    first = api_client.put(url(automation), {"document": api.export_automation(automation), "labels": ["a"],
                                             "test_learners": [ada.pk]}, format="json")
    assert first.status_code == 200, first.json()
    renamed = {**api.export_automation(automation), "name": "Renamed"}
    labels_only = api_client.put(url(automation), {"document": renamed, "labels": ["b"]}, format="json")
    assert labels_only.json()["labels"] == ["b"] and labels_only.json()["test_learners"] == [ada.pk]
    bare = api_client.put(url(automation), {**renamed, "name": "Bare"}, format="json")  # the document alone
    assert bare.status_code == 200
    automation.refresh_from_db()
    assert automation.name == "Bare" and automation.labels == ["b"] and testers(automation) == [ada.pk]
    emptied = api_client.put(url(automation), {"document": renamed, "labels": [], "test_learners": []},
                             format="json")
    assert emptied.json()["labels"] == [] and emptied.json()["test_learners"] == []


def test_a_course_team_member_may_name_only_learners_of_their_courses(api_client, editor, learners, automation):
    ada, bob = learners
    api_client.force_authenticate(editor)
    answer = api_client.put(url(automation), {"document": {**api.export_automation(automation), "name": "New"},
                                              "test_learners": [ada.pk, bob.pk, 999999]}, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [{"path": "test_learners", "message": (
        f"test learners must be learners of this automation's courses (not: {bob.pk}, 999999)")}]
    automation.refresh_from_db()
    assert automation.name == "Tag webinar goers" and testers(automation) == [], "nothing was changed"
    imported = api_client.post(AUTOMATIONS_URL, {"document": document(), "test_learners": [bob.pk]}, format="json")
    assert imported.status_code == 400 and imported.json()["errors"][0]["path"] == "test_learners"
    assert Automation.objects.count() == 1


@pytest.mark.parametrize(("extra", "path", "message"), [
    ({"labels": "onboarding"}, "labels", "labels must be a list of words"),
    ({"labels": [3]}, "labels", "labels must be a list of words"),
    ({"labels": [f"label {n}" for n in range(21)]}, "labels", "at most 20 labels of at most 60 characters"),
    ({"labels": ["x" * 61]}, "labels", "at most 20 labels of at most 60 characters"),
    ({"test_learners": ["ada"]}, "test_learners", "test learners must be a list of learner ids"),
    ({"test_learners": [True]}, "test_learners", "test learners must be a list of learner ids"),
    ({"test_learners": [2 ** 63]}, "test_learners", "test learners must be a list of learner ids"),
    ({"test_learners": list(range(1, 52))}, "test_learners", "at most 50 test learners"),
    ({"tags": ["x"]}, "tags", "unknown key; use document, labels and test_learners"),
])
def test_bad_labels_or_test_learners_are_400_field_errors(api_client, admin_user, extra, path, message):
    api_client.force_authenticate(admin_user)
    answer = api_client.post(AUTOMATIONS_URL, {"document": document(), **extra}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"errors": [{"path": path, "message": message}]}
    assert not Automation.objects.exists()


def test_the_documents_errors_are_located_in_the_body(api_client, admin_user, editor, automation):
    api_client.force_authenticate(admin_user)
    broken = document(steps=[{"id": "w", "type": "wait", "wait": "duration", "params": {"days": 0}}])
    answer = api_client.post(AUTOMATIONS_URL, {"document": broken, "labels": ["a"]}, format="json")
    assert answer.status_code == 400
    assert [error["path"] for error in answer.json()["errors"]] == ["document.steps[0].params.days"]
    not_a_document = api_client.post(AUTOMATIONS_URL, {"document": ["steps"]}, format="json")
    assert not_a_document.json()["errors"] == [
        {"path": "document", "message": "the document must be a v1 document (a JSON object)"}]
    api_client.force_authenticate(editor)
    elsewhere = {**api.export_automation(automation), "scope": {"courses": [THEIRS], "orgs": []}}
    refused = api_client.put(url(automation), {"document": elsewhere, "labels": ["a"]}, format="json")
    assert refused.status_code == 403 and refused.json()["errors"][0]["path"] == "document.scope"
    assert Automation.objects.count() == 1 and Automation.objects.get().labels == []
