"""Orders and subscriptions from an external store, end to end: the store reports over the signed
REST endpoint, the automation waits and checks, and asks the store to act with a signed request."""
import datetime
import hashlib
import hmac
import json

import pytest
from django.core import mail
from rest_framework.test import APIClient

from lms_automations import api
from lms_automations.models import Run
from lms_automations.rest.hmac_auth import sign
from sandbox.lms import services

from ..actions.endpoints import Endpoint

pytestmark = pytest.mark.django_db
SECRET = "the-shop-shares-this-secret"
EVENTS_URL = "/api/automations/v1/events/"


@pytest.fixture
def shop(settings):
    with Endpoint() as endpoint:
        settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INGEST_HMAC_SECRETS": {"shop": SECRET},
                                    "COMMERCE_STORES": {"shop": {"url": f"{endpoint.url}/lms-requests"}},
                                    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}
        yield endpoint


@pytest.fixture
def ada(db):
    return services.create_learner("ada", "ada@example.com", first_name="Ada")


def report(lms, event_type, payload, key):
    """The store reports an event, signed, as it would in production."""
    body = json.dumps({"event": event_type, "user": {"email": "ada@example.com"}, "payload": payload,
                       "idempotency_key": key}).encode()
    timestamp = int(datetime.datetime.now(tz=datetime.UTC).timestamp())
    response = lms(APIClient().post, EVENTS_URL, body, content_type="application/json",
                   HTTP_X_AUTOMATIONS_SOURCE="shop", HTTP_X_AUTOMATIONS_TIMESTAMP=str(timestamp),
                   HTTP_X_AUTOMATIONS_SIGNATURE="sha256=" + sign(SECRET, timestamp, body))
    assert response.status_code == 201, response.content
    return response


def chase_unpaid_orders():
    return api.import_automation({
        "format": "lms-automations/v1", "name": "Chase unpaid orders", "status": "active",
        "scope": {"courses": [], "orgs": []}, "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": "order.created"}],
        "steps": [
            {"id": "wait-15-min", "type": "wait", "wait": "duration", "params": {"minutes": 15}},
            {"id": "paid?", "type": "branch",
             "condition": {"all": [{"condition": "event.occurred", "params": {
                 "event": "order.paid", "filter": {"all": [{"condition": "event.field", "params": {
                     "path": "order_id", "op": "eq", "value": "{{ event.order_id }}"}}]}}}]},
             "yes": [],
             "no": [{"id": "chase", "type": "action", "action": "email.send",
                     "params": {"subject": "Your order {{ event.order_id }} is waiting",
                                "body_html": "<p>Finish your purchase, {{ learner.first_name }}.</p>",
                                "category": "transactional"}}]},
        ],
        "exit_conditions": [{"event": "order.cancelled", "filter": None, "outcome": "exited"}],
    })


ORDER = {"order_id": "A-1", "sku": "PY101", "amount": 49.0, "currency": "EUR"}


def test_fifteen_minutes_after_an_unpaid_order_the_learner_is_chased(clock, lms, tick, shop, ada):
    automation = chase_unpaid_orders()
    report(lms, "order.created", ORDER, "A-1-created")
    clock.shift(datetime.timedelta(minutes=16))
    tick()
    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.fulfilled, run.error
    assert [message.subject for message in mail.outbox] == ["Your order A-1 is waiting"]


def test_an_order_paid_in_time_is_not_chased(clock, lms, tick, shop, ada):
    automation = chase_unpaid_orders()
    report(lms, "order.created", ORDER, "A-1-created")
    clock.shift(datetime.timedelta(minutes=5))
    report(lms, "order.paid", ORDER, "A-1-paid")
    clock.shift(datetime.timedelta(minutes=11))
    tick()
    assert Run.objects.get(automation=automation).status == Run.STATUS.fulfilled
    assert mail.outbox == []


def test_a_cancelled_order_ends_the_chase(clock, lms, tick, shop, ada):
    automation = chase_unpaid_orders()
    report(lms, "order.created", ORDER, "A-1-created")
    report(lms, "order.cancelled", ORDER, "A-1-cancelled")
    assert Run.objects.get(automation=automation).status == Run.STATUS.exited


def refund_after_failed_course():
    return api.import_automation({
        "format": "lms-automations/v1", "name": "Refund on request", "status": "active",
        "scope": {"courses": [], "orgs": []}, "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": "custom.refund_requested"}],
        "steps": [
            {"id": "bought?", "type": "branch",
             "condition": {"all": [{"condition": "commerce.last_purchase",
                                    "params": {"sku": "PY101", "op": "within_last", "value": "P14D"}}]},
             "yes": [{"id": "refund", "type": "action", "action": "order.refund",
                      "params": {"order_id": "{{ event.order_id }}", "reason": "within 14 days"}}],
             "no": [{"id": "too-late", "type": "action", "action": "tag.add", "params": {"tags": ["refund-refused"]}}]},
        ],
    })


def test_a_refund_within_fourteen_days_asks_the_store_with_a_signed_idempotent_request(clock, lms, shop, ada):
    from lms_automations.models import CustomEventType  # pylint: disable=import-outside-toplevel

    CustomEventType.objects.create(slug="refund_requested", label="Refund requested",
                                   fields=[{"name": "order_id", "type": "string"}])
    automation = refund_after_failed_course()
    report(lms, "order.paid", ORDER, "A-1-paid")
    clock.shift(datetime.timedelta(days=3))
    lms(api.emit, "custom.refund_requested", ada, {"order_id": "A-1"})

    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.fulfilled, run.error
    (request,) = shop.requests
    assert request.path == "/lms-requests"
    body = json.loads(request.body)
    assert body["request"] == "order.refund" and body["order_id"] == "A-1" and body["learner"]["email"] == \
        "ada@example.com"
    timestamp = request.headers["X-Automations-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Automations-Signature"] == f"sha256={expected}"
    assert request.headers["Idempotency-Key"] == body["idempotency_key"] and body["idempotency_key"]


def test_no_refund_for_a_refunded_or_old_purchase(clock, lms, shop, ada):
    from lms_automations.models import CustomEventType, LearnerTag  # pylint: disable=import-outside-toplevel

    CustomEventType.objects.create(slug="refund_requested", label="Refund requested")
    refund_after_failed_course()
    report(lms, "order.paid", ORDER, "A-1-paid")
    clock.shift(datetime.timedelta(days=20))
    lms(api.emit, "custom.refund_requested", ada, {"order_id": "A-1"})
    assert shop.requests == []
    assert LearnerTag.objects.filter(user=ada, tag="refund-refused").exists()


def test_a_store_error_fails_the_run_with_the_stores_reason(clock, lms, shop, ada):
    from lms_automations.models import CustomEventType  # pylint: disable=import-outside-toplevel

    CustomEventType.objects.create(slug="refund_requested", label="Refund requested")
    automation = refund_after_failed_course()
    report(lms, "order.paid", ORDER, "A-1-paid")
    shop.status, shop.body = 422, b"order A-1 was already refunded"
    lms(api.emit, "custom.refund_requested", ada, {"order_id": "A-1"})
    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.failed and "already refunded" in run.error


def test_subscriptions_are_active_until_they_end(clock, lms, shop, ada):
    from lms_automations.models import CustomEventType, LearnerTag  # pylint: disable=import-outside-toplevel

    CustomEventType.objects.create(slug="webinar_booked", label="Webinar booked")
    automation = api.import_automation({
        "format": "lms-automations/v1", "name": "Members only", "status": "active",
        "scope": {"courses": [], "orgs": []}, "entry": {"policy": "each_time", "period": None},
        "triggers": [{"event": "custom.webinar_booked"}],
        "steps": [{"id": "member?", "type": "branch",
                   "condition": {"all": [{"condition": "commerce.subscription_active", "params": {"sku": "CLUB"}}]},
                   "yes": [{"id": "member", "type": "action", "action": "tag.add", "params": {"tags": ["member"]}}],
                   "no": [{"id": "guest", "type": "action", "action": "tag.add", "params": {"tags": ["guest"]}}]}],
    })
    subscription = {"subscription_id": "S-9", "sku": "CLUB"}
    report(lms, "subscription.renewed", subscription, "S-9-renewed")
    report(lms, "subscription.cancelled", subscription, "S-9-cancelled")
    clock.shift(datetime.timedelta(minutes=2))
    lms(api.emit, "custom.webinar_booked", ada, {}, idempotency_key="booking-1")
    assert LearnerTag.objects.filter(user=ada, tag="member").exists(), "cancelled runs until the period ends"
    report(lms, "subscription.ended", subscription, "S-9-ended")
    clock.shift(datetime.timedelta(minutes=2))
    lms(api.emit, "custom.webinar_booked", ada, {}, idempotency_key="booking-2")
    assert LearnerTag.objects.filter(user=ada, tag="guest").exists()
    assert Run.objects.filter(automation=automation).count() == 2


def test_a_store_that_is_not_configured_is_refused_at_validation(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "COMMERCE_STORES": {"shop": {"url": "https://s.example"}}}
    with pytest.raises(api.InvalidAutomation) as refused:
        api.import_automation({
            "format": "lms-automations/v1", "name": "Cancel", "status": "active",
            "scope": {"courses": [], "orgs": []}, "triggers": [{"event": "order.refunded"}],
            "steps": [{"id": "cancel", "type": "action", "action": "subscription.cancel",
                       "params": {"store": "other", "subscription_id": "{{ event.subscription_id }}"}}],
        })
    assert refused.value.errors == [{"path": "steps[0].params.store",
                                     "message": "no store named 'other' is configured; configured: shop"}]
