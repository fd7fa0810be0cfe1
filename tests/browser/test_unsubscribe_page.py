"""The unsubscribe page a learner reaches from a marketing e-mail, in headless Chromium."""
import pytest

from lms_automations.models import MarketingConsent
from lms_automations.tracking.tokens import make_token
from sandbox.lms import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_confirms_and_is_unsubscribed(page, live_server, screenshot):
    ada = services.create_learner("ada", "ada@example.com")
    token = make_token("unsubscribe", u=ada.pk, m="<lms-automations.1.mail.0@lms>")
    page.goto(f"{live_server.url}/api/automations/email/unsubscribe/{token}/")
    assert page.locator("h1").inner_text() == "Unsubscribe from course marketing e-mails?"
    screenshot("unsubscribe-confirm")
    assert not MarketingConsent.objects.exists()
    page.click("button:has-text('Unsubscribe')")
    page.wait_for_selector("text=You are unsubscribed")
    screenshot("unsubscribe-done")
    assert MarketingConsent.objects.get(user=ada).subscribed is False


def test_a_damaged_link_says_so(page, live_server, screenshot):
    response = page.goto(f"{live_server.url}/api/automations/email/unsubscribe/not-a-token/")
    assert response.status == 400
    assert page.locator("h1").inner_text() == "This link is not valid"
    screenshot("unsubscribe-invalid")
