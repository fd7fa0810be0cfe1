"""The builder's "Try with a learner" in a real browser: the PY101 automation tried with Ada — the
trigger and its values, the path through the branch, the e-mail rendered, the wait's due time —
then an unsaved edit tried again; nothing written, nothing sent. Screenshot: var/screenshots/builder-dry-run.png
(the README's is test_py101_proof.py's)."""
import copy
import datetime
import zoneinfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from lms_automations import api
from lms_automations.models import Event
from sandbox.lms.models import UserProfile

from .conftest import PY101
from .test_py101_proof import EXPECTED_STEPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DOCUMENT = {
    "format": "lms-automations/v1", "name": "PY101 halfway nudge", "status": "active",
    "scope": {"courses": [PY101], "orgs": []}, "entry": {"policy": "once", "period": None},
    "triggers": [{"event": "progress.threshold_reached", "filter": {"all": [
        {"condition": "event.field", "params": {"path": "percent", "op": "gte", "value": 50}}]}}],
    "steps": EXPECTED_STEPS,
}


def row_counts():
    return {model.__name__: model.objects.count()
            for app in ("lms_automations", "sandbox_lms", "auth") for model in apps.get_app_config(app).get_models()}


def test_try_the_automation_with_a_learner_from_the_builder(page, live_server, course_team_login, screenshot):
    course_team_login()
    automation = api.import_automation(copy.deepcopy(DOCUMENT))
    ada = get_user_model().objects.get(username="ada")
    UserProfile.objects.filter(user=ada).update(time_zone="Europe/Paris")
    Event.objects.create(event_type="progress.threshold_reached", user=ada,
                         payload={"course_key": PY101, "percent": 50}, occurred_at=timezone.now(), source="lms",
                         idempotency_key="halfway:ada")
    before = row_counts()

    page.goto(f"{live_server.url}/admin/lms_automations/automation/{automation.pk}/change/")
    page.wait_for_selector('.lb-card[data-key="duration"]')
    page.click("#lb-try")
    page.fill("#lb-panel input[type=search]", "ada")
    page.locator("#lb-panel").get_by_role("button", name="Find", exact=True).click()
    page.wait_for_selector("#lb-dry-learner option[value]:not([value=''])", state="attached")
    page.click("#lb-dry-run")
    page.wait_for_selector("#lb-dry-outcome")
    result = page.inner_text("#lb-dry-result")
    assert "would match" in result and "saw 50 → true" in result
    assert "Would enter: nothing keeps them out" in result
    assert "Halfway there, Ada" in result
    assert "Yes / no condition held → yes" in result
    assert "Then: reached the end of the flow (fulfilled)" in result
    assert page.locator('.lb-card[data-key="email-send"] .lb-path-badge').count() == 1
    assert page.locator('.lb-card[data-key="tag-add"] .lb-path-badge').count() == 0
    assert "Keep going in Demo PY101 2026!" in page.frame_locator("#lb-dry-result .lb-preview-html").locator(
        "body").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.set_viewport_size({"width": 1280, "height": 1250})
    screenshot("builder-dry-run")  # the README's dry-run.png comes from test_py101_proof.py
    page.set_viewport_size({"width": 1280, "height": 900})

    # An unsaved edit is tried as it stands: a 3-day wait moves the due time.
    page.click('.lb-card[data-key="duration"]')
    page.locator('#lb-panel .lb-row[data-field="days|hours|minutes"] input').first.fill("3")
    page.click("#lb-try")
    assert "The flow changed since this dry run" in page.inner_text("#lb-panel")
    page.click("#lb-dry-run")
    page.wait_for_function("!document.querySelector('#lb-panel').innerText.includes('The flow changed')")
    due = (datetime.datetime.now(PARIS) + datetime.timedelta(days=3)).strftime("%Y-%m-%d %H:")
    assert f"until {due}" in page.inner_text("#lb-dry-result") and "(Europe/Paris)" in page.inner_text("#lb-dry-result")
    assert row_counts() == before, "the dry run wrote nothing"
    assert mail.outbox == []
    assert api.export_automation(automation)["steps"] == EXPECTED_STEPS, "the edit was not saved"
