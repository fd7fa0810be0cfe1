"""Commerce sources that sign their requests (HMAC-SHA256 over timestamp and raw body)."""
import datetime
import json

import pytest

from lms_automations.models import Event
from lms_automations.rest.hmac_auth import sign

from .conftest import EVENTS_URL, T0

pytestmark = pytest.mark.django_db
SECRET = "s3cret-of-the-shop"
NOW = int(T0.timestamp())


@pytest.fixture(autouse=True)
def shop(settings, clock, learner, webinar_type):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INGEST_HMAC_SECRETS": {"shop": SECRET}}


def order(**overrides):
    return {"event": "order.paid", "user": {"email": "ada@example.com"}, "idempotency_key": "order-1001-paid",
            "payload": {"order_id": "1001", "sku": "PY101", "amount": 49.9, "currency": "EUR"}, **overrides}


def signed_post(client, body, *, source="shop", secret=SECRET, timestamp=NOW, signature=None, prefix="sha256="):
    raw = json.dumps(body).encode()
    signature = signature if signature is not None else prefix + sign(secret, timestamp, raw)
    return client.post(EVENTS_URL, raw, content_type="application/json",
                       HTTP_X_AUTOMATIONS_SOURCE=source, HTTP_X_AUTOMATIONS_TIMESTAMP=str(timestamp),
                       HTTP_X_AUTOMATIONS_SIGNATURE=signature)


def test_a_correctly_signed_commerce_event_is_recorded(api_client, learner):
    response = signed_post(api_client, order())
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert (event.event_type, event.user_id, event.source) == ("order.paid", learner.pk, "rest")
    assert event.payload == {"order_id": "1001", "sku": "PY101", "amount": 49.9, "currency": "EUR",
                             "user_id": learner.pk}


def test_the_signature_may_come_without_its_prefix(api_client):
    assert signed_post(api_client, order(), prefix="").status_code == 201


def test_a_replay_within_the_window_is_the_same_event(api_client):
    assert signed_post(api_client, order()).status_code == 201
    assert signed_post(api_client, order()).status_code == 200
    assert Event.objects.count() == 1


@pytest.mark.parametrize("tamper", ["secret", "signature", "body", "source"])
def test_a_bad_signature_is_401(api_client, tamper):
    if tamper == "secret":
        response = signed_post(api_client, order(), secret="guessed")
    elif tamper == "signature":
        response = signed_post(api_client, order(), signature="sha256=" + "0" * 64)
    elif tamper == "body":
        raw = json.dumps(order()).encode()
        response = api_client.post(
            EVENTS_URL, raw.replace(b"49.9", b"0.01"), content_type="application/json",
            HTTP_X_AUTOMATIONS_SOURCE="shop", HTTP_X_AUTOMATIONS_TIMESTAMP=str(NOW),
            HTTP_X_AUTOMATIONS_SIGNATURE=sign(SECRET, NOW, raw))
    else:
        response = signed_post(api_client, order(), source="another-shop")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"]
    assert not Event.objects.exists()


def test_the_messages_say_what_is_wrong(api_client):
    assert "does not match" in signed_post(api_client, order(), secret="guessed").json()["detail"]
    assert "Unknown source 'nope'" in signed_post(api_client, order(), source="nope").json()["detail"]
    partial = api_client.post(EVENTS_URL, json.dumps(order()), content_type="application/json",
                              HTTP_X_AUTOMATIONS_SOURCE="shop")
    assert partial.status_code == 401 and "needs all of" in partial.json()["detail"]
    garbled = signed_post(api_client, order(), timestamp="yesterday")
    assert garbled.status_code == 401 and "Unix time" in garbled.json()["detail"]


@pytest.mark.parametrize(("offset", "status"), [(-301, 401), (-299, 201), (299, 201), (301, 401)])
def test_timestamps_more_than_five_minutes_away_are_refused(api_client, offset, status):
    response = signed_post(api_client, order(), timestamp=NOW + offset)
    assert response.status_code == status
    if status == 401:
        assert "more than 300 seconds away" in response.json()["detail"]


def test_a_request_signed_long_ago_is_refused_when_it_arrives(api_client, clock):
    raw = json.dumps(order()).encode()
    headers = {"HTTP_X_AUTOMATIONS_SOURCE": "shop", "HTTP_X_AUTOMATIONS_TIMESTAMP": str(NOW),
               "HTTP_X_AUTOMATIONS_SIGNATURE": sign(SECRET, NOW, raw)}
    clock.shift(datetime.timedelta(minutes=6))
    assert api_client.post(EVENTS_URL, raw, content_type="application/json", **headers).status_code == 401


def test_signed_sources_may_send_only_commerce_events(api_client):
    body = {"event": "custom.webinar_attended", "user": {"username": "ada"}, "idempotency_key": "w-1",
            "payload": {"webinar": "intro"}}
    response = signed_post(api_client, body)
    assert response.status_code == 403
    assert "may send only commerce events" in response.json()["detail"]
    assert not Event.objects.exists()


def test_signed_sources_must_send_an_idempotency_key(api_client):
    response = signed_post(api_client, order(idempotency_key=None))
    assert response.status_code == 400 and "idempotency_key" in response.json()


def test_signed_sources_are_throttled_per_source(api_client, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INGEST_THROTTLE_RATE": "1/hour",
                                "INGEST_HMAC_SECRETS": {"shop": SECRET, "shop2": "other"}}
    assert signed_post(api_client, order()).status_code == 201
    assert signed_post(api_client, order(idempotency_key="order-1002-paid")).status_code == 429
    assert signed_post(api_client, order(idempotency_key="order-1002-paid"), source="shop2",
                       secret="other").status_code == 201


def test_no_sources_are_configured_by_default(api_client, settings):
    settings.LMS_AUTOMATIONS = {key: value for key, value in settings.LMS_AUTOMATIONS.items()
                                if key != "INGEST_HMAC_SECRETS"}
    assert signed_post(api_client, order()).status_code == 401


def test_a_signed_source_is_no_user_and_cannot_read_automations(api_client):
    response = api_client.get("/api/automations/v1/automations/", HTTP_X_AUTOMATIONS_SOURCE="shop",
                              HTTP_X_AUTOMATIONS_TIMESTAMP=str(NOW),
                              HTTP_X_AUTOMATIONS_SIGNATURE=sign(SECRET, NOW, b""))
    assert response.status_code == 401, "the automations API does not know signed sources"
