"""REST never answers 500 to input: deep nesting, unstorable text and numbers, ids no column holds."""
import json

import pytest

from lms_automations.models import Automation, Event

from .conftest import AUTOMATIONS_URL, EVENTS_URL

pytestmark = pytest.mark.django_db

DEEP_LIST = "[" * 20000 + "]" * 20000  # 40 kB: under every size limit, but Python's json would recurse
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
SCOPE = {"courses": ["course-v1:Demo+W1+2026"], "orgs": []}
TRACKING_UNSUBSCRIBE = "/api/automations/email/unsubscribe/not-a-token/"


@pytest.fixture
def manager(admin_user):
    """A superuser: may call every endpoint, so every refusal below is the body's."""
    return admin_user


def _post(client, url, body):
    return client.post(url, data=body, content_type="application/json")


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT, '{"event": "custom.x", "payload": ' + DEEP_LIST + "}"])
@pytest.mark.parametrize("url", [EVENTS_URL, EVENTS_URL.rstrip("/"), AUTOMATIONS_URL, AUTOMATIONS_URL.rstrip("/")])
def test_a_deeply_nested_body_is_a_400_that_names_the_limit(api_client, manager, url, body):
    api_client.force_authenticate(manager)
    counts = (Automation.objects.count(), Event.objects.count())
    response = _post(api_client, url, body)
    assert response.status_code == 400
    assert "deeper than 64 levels" in response.json()["detail"]
    assert (Automation.objects.count(), Event.objects.count()) == counts


@pytest.mark.parametrize("url", [f"{AUTOMATIONS_URL}1/export", "/api/automations/v1/schema/", AUTOMATIONS_URL])
def test_a_deep_body_sent_with_a_get_is_not_read(api_client, manager, url):
    api_client.force_authenticate(manager)
    response = api_client.generic("GET", url, DEEP_LIST, content_type="application/json")
    assert response.status_code in (200, 404)


def test_unsubscribe_does_not_parse_a_json_body(client):
    response = client.post(TRACKING_UNSUBSCRIBE, data=DEEP_LIST, content_type="application/json")
    assert response.status_code < 500


def test_the_depth_limit_leaves_brackets_inside_text_alone(api_client, manager):
    api_client.force_authenticate(manager)
    document = {"format": "lms-automations/v1", "name": "[[[[" * 60, "scope": SCOPE,
                "triggers": [{"event": "enrollment.created"}],
                "steps": [{"id": "t", "type": "action", "action": "tag.add", "params": {"tags": ["{" * 70]}}]}
    response = api_client.post(AUTOMATIONS_URL, document, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(("text", "says"), [
    (r'"a\u0000b"', "NUL character"),
    (r'"\ud800"', "lone surrogate \\ud800"),
    ("1e400", "finite number"),
    ("NaN", "JSON has no NaN"),
])
def test_a_value_no_database_can_store_is_a_400_with_its_path(api_client, manager, text, says):
    api_client.force_authenticate(manager)
    body = '{"event": "custom.webinar_attended", "user": {"username": "ada"}, "payload": {"webinar": ' + text + "}}"
    response = _post(api_client, EVENTS_URL, body)
    assert response.status_code == 400
    answer = response.json()
    assert says in answer["detail"]
    if "errors" in answer:
        assert answer["errors"][0]["path"] == "payload.webinar"


def test_a_surrogate_in_a_key_is_refused_with_an_escaped_path(api_client, manager):
    api_client.force_authenticate(manager)
    response = _post(api_client, AUTOMATIONS_URL, r'{"name": "x", "\udc00key": 1}')
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "\\udc00key"


def test_a_learner_id_beyond_any_column_is_a_400(api_client, manager, webinar_type):
    api_client.force_authenticate(manager)
    response = api_client.post(EVENTS_URL, {"event": "custom.webinar_attended", "user": {"id": 10**30},
                                            "payload": {"webinar": "intro"}}, format="json")
    assert response.status_code == 400
    assert "user" in response.json()


def test_an_export_id_beyond_any_column_is_a_404(api_client, manager):
    api_client.force_authenticate(manager)
    assert api_client.get(f"{AUTOMATIONS_URL}{'9' * 40}/export").status_code == 404
    assert api_client.get(f"{AUTOMATIONS_URL}{'9' * 5000}/export/").status_code == 404


def test_a_number_of_more_digits_than_python_reads_is_a_400(api_client, manager):
    api_client.force_authenticate(manager)
    response = _post(api_client, AUTOMATIONS_URL, '{"name": ' + "9" * 5000 + "}")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_a_huge_number_in_a_document_is_refused_with_its_path(api_client, manager):
    api_client.force_authenticate(manager)
    document = {"format": "lms-automations/v1", "name": "n", "scope": SCOPE,
                "triggers": [{"event": "enrollment.created"}],
                "steps": [{"id": "w", "type": "wait", "wait": "duration", "params": {"days": 10**400}}]}
    response = _post(api_client, AUTOMATIONS_URL, json.dumps(document))
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "steps[0].params.days"
    assert not Automation.objects.exists()
