"""POST /api/automations/v1/events/: ingesting custom and commerce events (SPEC §7.3)."""
import datetime
import json

import pytest
from django.contrib.auth.models import Permission

from lms_automations.models import Event

from .conftest import EVENTS_URL

pytestmark = pytest.mark.django_db


def post(client, body, **extra):
    return client.post(EVENTS_URL, json.dumps(body), content_type="application/json", **extra)


def webinar(**overrides):
    return {"event": "custom.webinar_attended", "user": {"username": "ada"},
            "payload": {"webinar": "intro", "minutes": 42}, **overrides}


@pytest.fixture
def logged_in(api_client, integrator, learner, webinar_type):
    api_client.force_authenticate(integrator)
    return api_client


def test_a_custom_event_is_recorded_and_answered_with_its_id(logged_in, learner, clock):
    response = post(logged_in, webinar(idempotency_key="zoom-123"))
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert response.json() == {"id": event.pk, "event": "custom.webinar_attended", "user_id": learner.pk,
                               "occurred_at": "2026-07-01T09:00:00Z", "idempotency_key": "zoom-123",
                               "created": True}
    assert (event.event_type, event.user_id, event.source) == ("custom.webinar_attended", learner.pk, "rest")
    assert event.payload == {"webinar": "intro", "minutes": 42, "user_id": learner.pk}
    assert event.idempotency_key == "rest:zoom-123"


def test_the_same_idempotency_key_twice_is_one_event(logged_in):
    first = post(logged_in, webinar(idempotency_key="zoom-123"))
    again = post(logged_in, webinar(idempotency_key="zoom-123", payload={"webinar": "intro"}))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert Event.objects.count() == 1
    assert Event.objects.get().payload["minutes"] == 42, "the first report wins"


def test_a_request_that_loses_the_race_for_a_key_answers_200(logged_in, monkeypatch):
    from lms_automations.rest import views  # pylint: disable=import-outside-toplevel

    first = post(logged_in, webinar(idempotency_key="zoom-123"))
    # The second request looked before the first wrote its row: it sees no event under the key...
    monkeypatch.setattr(views, "_stored", lambda key: None)
    again = post(logged_in, webinar(idempotency_key="zoom-123"))
    # ...and still learns that it did not write the event.
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created"] is False and again.json()["id"] == first.json()["id"]
    assert Event.objects.count() == 1


def test_without_a_key_every_post_is_a_new_event_and_the_generated_key_is_returned(logged_in):
    first, second = post(logged_in, webinar()), post(logged_in, webinar())
    assert (first.status_code, second.status_code) == (201, 201)
    assert Event.objects.count() == 2
    # The generated key can be sent again to make a retry safe.
    assert post(logged_in, webinar(idempotency_key=first.json()["idempotency_key"])).status_code == 200
    assert Event.objects.count() == 2


def test_a_key_reused_for_another_event_is_a_conflict(logged_in, django_user_model):
    django_user_model.objects.create_user("grace", "grace@example.com", "pw")
    post(logged_in, webinar(idempotency_key="k1"))
    response = post(logged_in, webinar(idempotency_key="k1", user={"username": "grace"}))
    assert response.status_code == 409
    assert "already used for another event" in response.json()["detail"]
    assert Event.objects.count() == 1


@pytest.mark.parametrize("reference", [{"username": "ada"}, {"email": "ADA@example.com"}, "id"])
def test_the_learner_is_found_by_id_username_or_email(logged_in, learner, reference):
    reference = {"id": learner.pk} if reference == "id" else reference
    assert post(logged_in, webinar(user=reference)).status_code == 201
    assert Event.objects.get().user_id == learner.pk


def test_occurred_at_is_kept(logged_in, clock):
    response = post(logged_in, webinar(occurred_at="2026-06-30T18:30:00+02:00"))
    assert response.status_code == 201
    assert Event.objects.get().occurred_at == datetime.datetime(2026, 6, 30, 16, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("body", "errors"), [
    ({}, {"event": ["This field is required."], "user": ["This field is required."]}),
    (webinar(colour="red"), {"colour": ["unknown field; allowed: event, user, payload, occurred_at, "
                                        "idempotency_key"]}),
    (webinar(user={"username": "ada", "email": "ada@example.com"}),
     {"user": {"non_field_errors": ['give exactly one of "id", "username" or "email"']}}),
    (webinar(user={"id": "seven"}), {"user": {"id": ["A valid integer is required."]}}),
    (webinar(payload=["intro"]), {"payload": ['Expected a dictionary of items but got type "list".']}),
    (webinar(occurred_at="yesterday"), {"occurred_at": [
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}),
    (webinar(occurred_at="2026-07-01T10:00:00Z"), {"occurred_at": [
        "is in the future; send when the event happened (ISO-8601, with a time zone)"]}),
    (webinar(idempotency_key="k" * 201), {"idempotency_key": ["Ensure this field has no more than 200 characters."]}),
    (webinar(payload={"minutes": "lots"}), {"payload": {
        "minutes": ["must be a whole number (got 'lots')"], "webinar": ["required — add a value"]}}),
    (webinar(payload={"webinar": "intro", "speaker": "Ada"}), {"payload": {
        "speaker": ["custom.webinar_attended declares no field 'speaker'; declared: minutes, webinar"]}}),
    (webinar(payload={"webinar": "intro", "user_id": 1}), {"payload": {
        "user_id": ['set by the plugin from "user"; leave it out of the payload']}}),
    (webinar(event="enrollment.created"), {"event": [
        "enrollment.created is recorded by the LMS itself and cannot be ingested; send custom.<slug> or a "
        "commerce event type."]}),
])
def test_bad_bodies_get_field_errors(logged_in, clock, body, errors):
    response = post(logged_in, body)
    assert response.status_code == 400
    assert response.json() == errors
    assert not Event.objects.exists()


def test_a_body_that_is_not_json_is_a_400_not_a_500(logged_in):
    response = logged_in.post(EVENTS_URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]
    response = logged_in.post(EVENTS_URL, json.dumps(["a list"]), content_type="application/json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert logged_in.post(EVENTS_URL, "event=x", content_type="application/x-www-form-urlencoded").status_code == 415


def test_a_custom_type_that_declares_no_fields_takes_any_payload(logged_in):
    from lms_automations.models import CustomEventType

    CustomEventType.objects.create(slug="anything", label="Anything")
    response = post(logged_in, webinar(event="custom.anything", payload={"a": [1, 2], "b": {"c": None}}))
    assert response.status_code == 201
    assert Event.objects.get().payload["b"] == {"c": None}


def test_unknown_learner_is_404(logged_in):
    response = post(logged_in, webinar(user={"username": "nobody"}))
    assert response.status_code == 404
    assert response.json() == {"detail": "No learner with username 'nobody'."}


@pytest.mark.parametrize(("event", "message"), [
    ("custom.not_declared", "declare it in Django admin"),
    ("made.up", "send custom.<slug> (declared in admin) or one of order.cancelled, order.created, order.paid"),
])
def test_unknown_event_type_is_404_and_says_what_to_do(logged_in, event, message):
    response = post(logged_in, webinar(event=event))
    assert response.status_code == 404
    assert message in response.json()["detail"] and event in response.json()["detail"]


def test_unauthenticated_is_401(api_client, learner, webinar_type):
    response = post(api_client, webinar())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"]  # 401 always names a scheme
    assert not Event.objects.exists()


def test_without_the_permission_is_403(api_client, django_user_model, learner, webinar_type):
    api_client.force_authenticate(django_user_model.objects.create_user("someone", "s@example.com", "pw"))
    response = post(api_client, webinar())
    assert response.status_code == 403 and "lms_automations.add_event" in response.json()["detail"]


def test_the_permission_can_come_from_a_group(api_client, django_user_model, learner, webinar_type):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="integrations")
    group.permissions.add(Permission.objects.get(codename="add_event", content_type__app_label="lms_automations"))
    service = django_user_model.objects.create_user("zoom", "zoom@example.com", "pw")
    service.groups.add(group)
    api_client.force_authenticate(service)
    assert post(api_client, webinar()).status_code == 201


def test_a_session_login_needs_the_csrf_token(integrator, learner, webinar_type):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(integrator)
    response = post(browser, webinar())
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    browser.get("/admin/login/")  # any page that sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    assert post(browser, webinar(), HTTP_X_CSRFTOKEN=token).status_code == 201


def test_a_body_over_max_payload_bytes_is_413(logged_in, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "MAX_PAYLOAD_BYTES": 1024}
    small = webinar(payload={"webinar": "x" * 800})
    assert post(logged_in, small).status_code == 201
    response = post(logged_in, webinar(payload={"webinar": "x" * 1100}))
    assert response.status_code == 413
    assert "at most 1024" in response.json()["detail"] and "MAX_PAYLOAD_BYTES" in response.json()["detail"]
    assert Event.objects.count() == 1


def test_the_default_limit_is_64_kib(logged_in, api_client):
    response = post(logged_in, webinar(payload={"webinar": "x" * (64 * 1024)}))
    assert response.status_code == 413
    api_client.logout()
    assert post(api_client, webinar(payload={"webinar": "x" * (64 * 1024)})).status_code == 413, \
        "refused before anything else, authentication included"


def test_too_many_requests_are_throttled_per_client(logged_in, clock, settings, django_user_model):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INGEST_THROTTLE_RATE": "2/minute"}
    assert [post(logged_in, webinar()).status_code for _ in range(3)] == [201, 201, 429]
    throttled = post(logged_in, webinar())
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) <= 60
    other = django_user_model.objects.create_user("other", "o@example.com", "pw")
    other.user_permissions.add(Permission.objects.get(codename="add_event",
                                                      content_type__app_label="lms_automations"))
    logged_in.force_authenticate(other)
    assert post(logged_in, webinar()).status_code == 201, "another client has its own allowance"
    clock.shift(datetime.timedelta(seconds=61))
    logged_in.force_authenticate(django_user_model.objects.get(username="integrator"))
    assert post(logged_in, webinar()).status_code == 201, "the window moved on"
    assert Event.objects.count() == 4


def test_throttling_can_be_turned_off(logged_in, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INGEST_THROTTLE_RATE": None}
    assert {post(logged_in, webinar()).status_code for _ in range(5)} == {201}


@pytest.mark.parametrize(("payload", "errors"), [
    ({"order_id": "A-1", "sku": "PY101", "course_key": "course-v1:Demo+W1+2026", "amount": 49.9,
      "currency": "EUR"}, None),
    ({"order_id": 1001}, None),
    ({"sku": "PY101"}, {"order_id": ["required — add a value"]}),
    ({"order_id": "A-1", "amount": "49,90", "currency": "euro", "course_key": "Demo W1"}, {
        "amount": ["must be a number, e.g. 49.9 (got '49,90')"],
        "currency": ["must be an ISO 4217 code in capitals, e.g. EUR (got 'euro')"],
        "course_key": ["'Demo W1' is not a course key, e.g. course-v1:Org+Course+Run"]}),
    ({"order_id": "A-1", "coupon": "SPRING"}, {"coupon": [
        "order.paid declares no field 'coupon'; declared: amount, course_key, currency, order_id, sku"]}),
])
def test_commerce_payloads_are_checked_against_the_catalogue(logged_in, payload, errors):
    response = post(logged_in, {"event": "order.paid", "user": {"username": "ada"}, "payload": payload})
    if errors is None:
        assert response.status_code == 201, response.content
    else:
        assert (response.status_code, response.json()) == (400, {"payload": errors})


def test_subscription_events_need_their_id(logged_in):
    body = {"event": "subscription.cancelled", "user": {"username": "ada"}, "payload": {"sku": "PLUS"}}
    assert post(logged_in, body).json() == {"payload": {"subscription_id": ["required — add a value"]}}
    body["payload"]["subscription_id"] = "sub_1"
    assert post(logged_in, body).status_code == 201


def test_the_trailing_slash_is_optional(logged_in):
    response = logged_in.post(EVENTS_URL.rstrip("/"), json.dumps(webinar()), content_type="application/json")
    assert response.status_code == 201


def test_other_methods_are_refused(logged_in):
    assert logged_in.get(EVENTS_URL).status_code == 405

