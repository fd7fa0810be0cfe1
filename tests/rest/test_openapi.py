"""The OpenAPI schema: served to the API's callers only, and true to the API (fuzzed from it).

The fuzzing sends what schemathesis generates from the schema — bodies that fit it and bodies that
do not — and asserts that no answer is a 5xx, that every answer has a status and body the schema
declares, and that a 4xx wrote nothing. Few examples in the default suite, many in CI's profile.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from lms_automations import api
from lms_automations.models import Automation, CustomEventType, Event, ExitCondition, Step, Trigger
from tests.property_budget import examples

from .conftest import AUTOMATIONS_URL

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/automations/v1/schema/"
FUZZ = settings(max_examples=examples(1000, ci=150, dev=40), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much, HealthCheck.data_too_large])
COUNTED = (Automation, Trigger, Step, ExitCondition, Event)


def served_schema(client, user):
    client.force_authenticate(user)
    response = client.get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_for_callers_of_the_api_only(api_client, learner, integrator, admin_user):
    assert api_client.get(SCHEMA_URL).status_code in (401, 403)
    api_client.force_authenticate(learner)
    assert api_client.get(SCHEMA_URL).status_code == 403
    api_client.force_authenticate(integrator)
    assert api_client.get(SCHEMA_URL).status_code == 200
    api_client.force_authenticate(admin_user)
    yaml = api_client.get(SCHEMA_URL)
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi: 3")


def test_the_schema_describes_the_plugins_endpoints_and_their_bodies(api_client, admin_user):
    schema = served_schema(api_client, admin_user)
    assert sorted(schema["paths"]) == ["/api/automations/v1/automations/",
                                       "/api/automations/v1/automations/dry-run",
                                       "/api/automations/v1/automations/{id}/",
                                       "/api/automations/v1/automations/{id}/dry-run",
                                       "/api/automations/v1/automations/{id}/export",
                                       "/api/automations/v1/event-types/",
                                       "/api/automations/v1/events/"]
    components = schema["components"]["schemas"]
    ingest = schema["paths"]["/api/automations/v1/events/"]["post"]
    assert ingest["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/EventIngestRequest")
    assert set(components["EventIngestRequest"]["properties"]) == {"event", "user", "payload", "occurred_at",
                                                                    "idempotency_key"}
    assert {"200", "201", "400", "401", "403", "404", "409", "413", "429", "503"} <= set(ingest["responses"])
    imported = schema["paths"]["/api/automations/v1/automations/"]["post"]
    bodies = imported["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert [body["$ref"].split("/")[-1] for body in bodies] == ["AutomationDocument", "AutomationWithSettings"]
    assert set(components["AutomationWithSettings"]["properties"]) == {"document", "labels", "test_learners"}
    assert components["AutomationDocument"]["properties"]["name"]["maxLength"] == 255
    assert set(components["DocumentErrors"]["properties"]["errors"]["items"]["$ref"].split("/")[-1:]) == {"PathError"}


def _fuzzed_operations(schema):
    return schemathesis.openapi.from_dict(schema)


def row_counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def _as_response(case, django_response, kwargs):
    prepared = requests.Request(method=case.method, url="http://testserver" + kwargs["url"].split("testserver")[-1],
                                headers=kwargs.get("headers")).prepare()
    headers = {name: [value] for name, value in django_response.items()}
    return Response(status_code=django_response.status_code, headers=headers, content=django_response.content,
                    request=prepared, elapsed=0.0, verify=True)


def _send(client, case):
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    path = "/" + kwargs["url"].split("testserver", 1)[1].lstrip("/")
    method = case.method.lower()
    options = {"QUERY_STRING": _query(kwargs.get("params"))}
    if "json" in kwargs:
        return kwargs, client.generic(method.upper(), path, _json_text(kwargs["json"]),
                                      content_type="application/json", **options)
    if kwargs.get("data") is not None:
        return kwargs, client.generic(method.upper(), path, kwargs["data"],
                                      content_type=kwargs.get("headers", {}).get("Content-Type", "text/plain"),
                                      **options)
    return kwargs, client.generic(method.upper(), path, **options)


def _query(params):
    from urllib.parse import urlencode  # pylint: disable=import-outside-toplevel

    return urlencode(params or {}, doseq=True)


def _json_text(value):
    import json  # pylint: disable=import-outside-toplevel

    return json.dumps(value)


@pytest.fixture
def fuzz_client(api_client, admin_user):
    CustomEventType.objects.create(slug="webinar_attended", label="Webinar",
                                   fields=[{"name": "webinar", "type": "string", "required": True}])
    return served_schema(api_client, admin_user), api_client


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_from_the_schema_finds_no_5xx_no_undeclared_answer_and_no_write_on_a_4xx(fuzz_client, mode):
    schema, client = fuzz_client
    operations = _fuzzed_operations(schema)

    @FUZZ
    @given(case=operations.as_strategy(generation_mode=mode), data=st.data())
    def fuzz(case, data):
        before = row_counts()
        kwargs, answer = _send(client, case)
        case.validate_response(_as_response(case, answer, kwargs),
                               checks=[not_a_server_error, status_code_conformance, response_schema_conformance])
        if 400 <= answer.status_code < 500:
            assert row_counts() == before, (answer.status_code, answer.content[:300])

    fuzz()


def test_an_import_answer_matches_the_schema(api_client, admin_user):
    """One known-good import, so that conformance of the 201 is checked even if fuzzing never makes one."""
    schema = served_schema(api_client, admin_user)
    operations = _fuzzed_operations(schema)
    operation = operations["/api/automations/v1/automations/"]["POST"]
    case = operation.Case(body={"format": "lms-automations/v1", "name": "n",
                                "triggers": [{"event": "enrollment.created"}],
                                "steps": [{"id": "t", "type": "action", "action": "tag.add",
                                           "params": {"tags": ["x"]}}]},
                          media_type="application/json")
    kwargs, answer = _send(api_client, case)
    assert answer.status_code == 201
    case.validate_response(_as_response(case, answer, kwargs),
                           checks=[status_code_conformance, response_schema_conformance])
    listed = api_client.get(AUTOMATIONS_URL)
    list_case = operations["/api/automations/v1/automations/"]["GET"].Case()
    case_kwargs = list_case.as_transport_kwargs(base_url="http://testserver")
    list_case.validate_response(_as_response(list_case, listed, case_kwargs),
                                checks=[status_code_conformance, response_schema_conformance])


def test_update_answers_match_the_schema(api_client, admin_user):
    """A known-good update, a refused one and a 404, so their conformance is checked even if fuzzing
    never finds the automation's id."""
    schema = served_schema(api_client, admin_user)
    document = {"format": "lms-automations/v1", "name": "n", "status": "active",
                "triggers": [{"event": "enrollment.created"}],
                "steps": [{"id": "t", "type": "action", "action": "tag.add", "params": {"tags": ["x"]}}]}
    automation = api.import_automation(document)
    operation = _fuzzed_operations(schema)["/api/automations/v1/automations/{id}/"]["PUT"]
    statuses = []
    for automation_id, body in ((automation.pk, {**document, "name": "renamed"}),
                                (automation.pk, {**document, "triggers": []}), (automation.pk + 1, document)):
        case = operation.Case(path_parameters={"id": automation_id}, body=body, media_type="application/json")
        kwargs, answer = _send(api_client, case)
        statuses.append(answer.status_code)
        case.validate_response(_as_response(case, answer, kwargs),
                               checks=[status_code_conformance, response_schema_conformance])
    assert statuses == [200, 400, 404]
    automation.refresh_from_db()
    assert automation.name == "renamed" and automation.status == Automation.STATUS.active


def test_ingestion_answers_match_the_schema(api_client, admin_user, learner, webinar_type):
    schema = served_schema(api_client, admin_user)
    operation = _fuzzed_operations(schema)["/api/automations/v1/events/"]["POST"]
    body = {"event": "custom.webinar_attended", "user": {"username": "ada"}, "payload": {"webinar": "intro"},
            "idempotency_key": "k-1"}
    statuses = []
    for sent in (body, body, {**body, "event": "custom.unknown"}, {**body, "user": {"id": 0}}):
        case = operation.Case(body=sent, media_type="application/json")
        kwargs, answer = _send(api_client, case)
        statuses.append(answer.status_code)
        case.validate_response(_as_response(case, answer, kwargs),
                               checks=[status_code_conformance, response_schema_conformance])
    assert statuses == [201, 200, 404, 400]
