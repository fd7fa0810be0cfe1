"""An ingested event starts automations exactly as an LMS event does (record, commit, dispatch, run)."""
import json

import pytest

from lms_automations import api
from lms_automations.models import LearnerTag, Run
from lms_automations.rest.hmac_auth import sign

from .conftest import EVENTS_URL, T0

pytestmark = pytest.mark.django_db


def automation_on(event, condition, tag):
    return api.import_automation({
        "format": "lms-automations/v1", "name": f"On {event}", "status": "active",
        "triggers": [{"event": event, "filter": {"all": [{"condition": "event.field", "params": condition}]}}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [tag]}}],
    })


def test_an_ingested_custom_event_starts_the_automation_it_triggers(
        api_client, integrator, learner, webinar_type, clock, django_capture_on_commit_callbacks):
    automation = automation_on("custom.webinar_attended", {"path": "webinar", "op": "eq", "value": "intro"},
                               "attended-intro")
    api_client.force_authenticate(integrator)
    body = {"event": "custom.webinar_attended", "user": {"email": "ada@example.com"},
            "payload": {"webinar": "intro", "minutes": 50}, "idempotency_key": "zoom-1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(EVENTS_URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    run = Run.objects.get(automation=automation)
    assert (run.user_id, run.status, run.event_id) == (learner.pk, Run.STATUS.fulfilled, response.json()["id"])
    assert list(LearnerTag.objects.filter(user=learner).values_list("tag", flat=True)) == ["attended-intro"]
    # The same report again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(EVENTS_URL, json.dumps(body), content_type="application/json").status_code == 200
    assert Run.objects.filter(automation=automation).count() == 1


def test_a_filter_that_does_not_hold_starts_nothing(
        api_client, integrator, learner, webinar_type, django_capture_on_commit_callbacks):
    automation_on("custom.webinar_attended", {"path": "webinar", "op": "eq", "value": "advanced"}, "advanced")
    api_client.force_authenticate(integrator)
    body = {"event": "custom.webinar_attended", "user": {"username": "ada"}, "payload": {"webinar": "intro"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(EVENTS_URL, json.dumps(body), content_type="application/json").status_code == 201
    assert not Run.objects.exists()


def test_a_signed_order_paid_starts_the_upsell(api_client, learner, settings, clock,
                                              django_capture_on_commit_callbacks):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INGEST_HMAC_SECRETS": {"shop": "shop-secret"}}
    automation = automation_on("order.paid", {"path": "amount", "op": "gte", "value": 40}, "customer")
    raw = json.dumps({"event": "order.paid", "user": {"id": learner.pk}, "idempotency_key": "order-7-paid",
                      "payload": {"order_id": "7", "sku": "PY101", "amount": 49.9, "currency": "EUR"}}).encode()
    now = int(T0.timestamp())
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(EVENTS_URL, raw, content_type="application/json",
                                   HTTP_X_AUTOMATIONS_SOURCE="shop", HTTP_X_AUTOMATIONS_TIMESTAMP=str(now),
                                   HTTP_X_AUTOMATIONS_SIGNATURE="sha256=" + sign("shop-secret", now, raw))
    assert response.status_code == 201, response.content
    assert Run.objects.get(automation=automation).status == Run.STATUS.fulfilled
    assert LearnerTag.objects.filter(user=learner, tag="customer").exists()
