"""A learner who unsubscribed and comes back: ``email.resubscribed`` starts the welcome-back flow, once."""
import re

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.test import RequestFactory

from lms_automations import api
from lms_automations.models import Event, LearnerTag, MarketingConsent, Run
from sandbox.lms import services

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Demo+RESUB+2026"


@pytest.fixture(autouse=True)
def tracking_on(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "EMAIL_TRACKING": True}


def flows():
    api.import_automation({
        "format": "lms-automations/v1", "name": "Course news", "status": "active",
        "scope": {"courses": [COURSE], "orgs": []}, "triggers": [{"event": "enrollment.created"}],
        "steps": [{"id": "news", "type": "action", "action": "email.send",
                   "params": {"subject": "News", "body_html": "<p>News</p>", "category": "marketing"}}],
    })
    return api.import_automation({
        "format": "lms-automations/v1", "name": "Welcome back", "status": "active",
        "scope": {"courses": [COURSE], "orgs": []}, "triggers": [{"event": "email.resubscribed"}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["welcome-back"]}}],
    })


def test_subscribing_again_from_the_page_fires_once_per_change(client, lms):
    welcome_back = flows()
    services.create_course(COURSE)
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, COURSE)
    (message,) = mail.outbox
    path = message.extra_headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:8000", "")
    lms(client.post, path)
    page = lms(client.post, path, {"choice": "resubscribe"}).content.decode()
    assert "You are subscribed again" in page
    lms(client.post, path, {"choice": "resubscribe"})  # a second click changes nothing
    assert MarketingConsent.objects.get(user=ada).subscribed is True
    assert Event.objects.filter(user=ada, event_type="email.resubscribed").count() == 1
    assert Run.objects.filter(automation=welcome_back, user=ada).count() == 1
    assert set(LearnerTag.objects.filter(user=ada).values_list("tag", flat=True)) == {"welcome-back"}
    # Out and back in again: a new change, a new event.
    lms(client.post, path)
    lms(client.post, path, {"choice": "resubscribe"})
    assert Event.objects.filter(user=ada, event_type="email.unsubscribed").count() == 2
    assert Event.objects.filter(user=ada, event_type="email.resubscribed").count() == 2
    assert re.search("Unsubscribe from course marketing", client.get(path).content.decode())


def test_staff_opting_a_learner_back_in_in_admin_fires_it(lms, admin_user):
    flows()
    services.create_course(COURSE)
    ada = services.create_learner("ada", "ada@example.com")
    lms(services.enroll, ada, COURSE)
    consent = MarketingConsent.objects.create(user=ada, subscribed=False, source="unsubscribe link")
    model_admin = site._registry[MarketingConsent]
    request = RequestFactory().post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, consent, change=True)
    form = form_class({"user": ada.pk, "subscribed": "on", "source": "phone call"}, instance=consent)
    assert form.is_valid(), form.errors
    lms(model_admin.save_model, request, form.save(commit=False), form, True)
    assert Event.objects.filter(user=ada, event_type="email.resubscribed").count() == 1
    form = form_class({"user": ada.pk, "subscribed": "on", "source": "phone call, again"},
                      instance=MarketingConsent.objects.get(user=ada))
    assert form.is_valid(), form.errors
    lms(model_admin.save_model, request, form.save(commit=False), form, True)
    assert Event.objects.filter(user=ada, event_type="email.resubscribed").count() == 1
