"""After retirement nothing re-creates a row for the learner: links of e-mails sent before, the
Python API, REST ingestion and the LMS's own signals all record nothing (ADR 0011)."""
import json
import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from lms_automations import api
from lms_automations.models import (
    CustomEventType,
    Event,
    LearnerCourseState,
    LearnerDispatchLock,
    LearnerEntry,
    MarketingConsent,
    Run,
)
from lms_automations.recording import record_event
from lms_automations.retirement import retire_learner
from sandbox.lms import services

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Demo+W1+2026"
BODY = '<html><body><p><a href="https://example.com/week-1">Week 1</a></p></body></html>'


def nothing_names(user):
    """Whether no row of the models a learner's activity writes to names ``user``."""
    return not any(model.objects.filter(user_id=user.pk).exists() for model in (
        Event, Run, LearnerEntry, LearnerCourseState, MarketingConsent, LearnerDispatchLock))


def flow(event_type, *, steps=None):
    return api.import_automation({
        "format": "lms-automations/v1", "name": f"on {event_type}", "status": "active",
        "triggers": [{"event": event_type}],
        "steps": steps or [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["seen"]}}],
    })


@pytest.fixture
def mailed_then_retired(settings, django_capture_on_commit_callbacks):
    """Ada gets a tracked marketing e-mail, then the LMS retires her; returns her and the e-mail's links."""
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "EMAIL_TRACKING": True}
    flow("enrollment.created", steps=[{"id": "mail", "type": "action", "action": "email.send",
                                       "params": {"subject": "Week 1", "body_html": BODY, "category": "marketing"}}])
    for event_type in ("email.opened", "email.clicked", "email.unsubscribed"):
        flow(event_type)  # an automation would start on each, were it recorded
    services.create_course(COURSE)
    ada = services.create_learner("ada", "ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.enroll(ada, COURSE)
    (message,) = mail.outbox
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    links = {kind: re.search(rf'http://127\.0\.0\.1:8000(/api/automations/email/{kind}/[^"]+)', html).group(1)
             for kind in ("open", "click", "unsubscribe")}
    retire_learner(ada.pk)
    assert nothing_names(ada)
    return ada, links


def test_links_of_an_email_sent_before_retirement_still_answer_but_record_nothing(
        client, mailed_then_retired, django_capture_on_commit_callbacks):
    ada, links = mailed_then_retired

    # Not even a passing row: the dispatch would delete one, but the views do not write it at all.
    with django_capture_on_commit_callbacks() as dispatches:
        pixel = client.get(links["open"])
        click = client.get(links["click"])
        confirm = client.get(links["unsubscribe"])
        unsubscribed = client.post(links["unsubscribe"])
    assert not dispatches

    assert (pixel.status_code, pixel["Content-Type"]) == (200, "image/gif")
    assert (click.status_code, click["Location"]) == (302, "https://example.com/week-1")
    assert confirm.status_code == 200 and "Unsubscribe from course marketing" in confirm.content.decode()
    assert unsubscribed.status_code == 200 and "You are unsubscribed" in unsubscribed.content.decode()
    assert nothing_names(ada)


def test_api_emit_for_a_retired_learner_records_nothing_and_returns_none(django_user_model,
                                                                        django_capture_on_commit_callbacks):
    CustomEventType.objects.create(slug="webinar_attended", label="Webinar")
    flow("custom.webinar_attended")
    ada = django_user_model.objects.create_user("ada", "ada@example.com")
    retire_learner(ada.pk)

    with django_capture_on_commit_callbacks() as dispatches:
        assert api.emit("custom.webinar_attended", ada, {"webinar": "intro"}) is None
        assert api.emit("custom.webinar_attended", ada.pk, idempotency_key="zoom-1") is None
    assert not dispatches

    assert nothing_names(ada)


def test_rest_ingestion_for_a_retired_learner_is_refused_with_404_saying_why(django_user_model):
    from django.contrib.auth.models import Permission  # pylint: disable=import-outside-toplevel

    CustomEventType.objects.create(slug="webinar_attended", label="Webinar")
    integrator = django_user_model.objects.create_user("integrator", "i@example.com")
    integrator.user_permissions.set(Permission.objects.filter(codename="add_event"))
    ada = django_user_model.objects.create_user("ada", "ada@example.com")
    retire_learner(ada.pk)
    client = APIClient()
    client.force_authenticate(integrator)

    response = client.post("/api/automations/v1/events/", json.dumps(
        {"event": "custom.webinar_attended", "user": {"id": ada.pk}, "payload": {}, "idempotency_key": "zoom-1"}),
        content_type="application/json")

    assert response.status_code == 404, response.content
    assert "retired" in response.json()["detail"]
    assert nothing_names(ada)


def test_lms_signals_for_a_retired_learner_start_nothing_and_leave_no_row(django_capture_on_commit_callbacks):
    """Open edX keeps the user row: a signal can still name the id (a late certificate, an enrolment
    made by staff). Its event is dropped when dispatched, before it is matched or changes course state."""
    flow("enrollment.created")
    services.create_course(COURSE)
    ada = services.create_learner("ada", "ada@example.com")
    retire_learner(ada.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.enroll(ada, COURSE)
        record_event("custom.late", user_id=ada.pk, payload={}, source=Event.SOURCE.api, idempotency_key="late-1")

    assert nothing_names(ada)


def test_a_learner_who_is_not_retired_is_recorded_as_before(django_capture_on_commit_callbacks):
    flow("enrollment.created")
    services.create_course(COURSE)
    ada, grace = services.create_learner("ada", "ada@example.com"), services.create_learner("grace", "g@example.com")
    retire_learner(ada.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.enroll(grace, COURSE)

    assert Run.objects.filter(user=grace).count() == 1
    assert Event.objects.filter(user=grace, dispatch_status=Event.DISPATCH.dispatched).exists()
