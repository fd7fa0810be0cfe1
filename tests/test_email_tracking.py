"""Opens, clicks and unsubscribes of the plugin's e-mails, as a learner's mail client produces them."""
import re

import pytest
from django.core import mail

from lms_automations import api
from lms_automations.models import Event, MarketingConsent, Run
from sandbox.lms import services

pytestmark = pytest.mark.django_db
COURSE = "course-v1:Demo+W1+2026"
BODY = ('<html><body><p>Hi!</p><p><a href="https://example.com/offer?a=1&amp;b=2">Offer</a> · '
        '<a href="mailto:x@y.z">Mail</a></p></body></html>')


def send_flow(category="marketing", track=None):
    params = {"subject": "Week 1", "body_html": BODY, "category": category}
    if track is not None:
        params["track"] = track
    return api.import_automation({
        "format": "lms-automations/v1", "name": "Week 1 mail", "status": "active", "execution": "async",
        "scope": {"courses": [COURSE], "orgs": []}, "entry": {"policy": "once", "period": None},
        "triggers": [{"event": "enrollment.created"}],
        "steps": [{"id": "mail", "type": "action", "action": "email.send", "params": params}],
        "exit_conditions": [],
    })


@pytest.fixture(autouse=True)
def tracking_on(settings):
    """The plugin's test settings turn tracking off for the LMS's own test runs; these tests need it."""
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "EMAIL_TRACKING": True}


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Enrol ada; the automation mails her; returns the message."""

    def _send(**flow):
        send_flow(**flow)
        services.create_course(COURSE)
        ada = services.create_learner("ada", "ada@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            services.enroll(ada, COURSE)
        (message,) = mail.outbox
        return ada, message

    return _send


def html_of(message):
    return next(content for content, kind in message.alternatives if kind == "text/html")


def link(html, kind):
    return re.search(rf'http://127\.0\.0\.1:8000(/api/automations/email/{kind}/[^"]+)', html).group(1)


def test_opens_count_once_and_links_go_through_the_signed_redirect(client, sent, django_capture_on_commit_callbacks):
    ada, message = sent()
    html = html_of(message)
    assert "https://example.com/offer" not in html and 'href="mailto:x@y.z"' in html
    pixel = link(html, "open")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(pixel)["Content-Type"] == "image/gif"
        client.get(pixel)  # the mail client loads it again
        response = client.get(link(html, "click"))
    assert response.status_code == 302 and response["Location"] == "https://example.com/offer?a=1&b=2"
    events = Event.objects.filter(user=ada, event_type__in=["email.opened", "email.clicked"])
    assert sorted(events.values_list("event_type", flat=True)) == ["email.clicked", "email.opened"]
    clicked = events.get(event_type="email.clicked").payload
    assert clicked["url"] == "https://example.com/offer?a=1&b=2" and clicked["step_id"] == "mail"
    assert clicked["message_id"] == message.extra_headers["Message-ID"]


def test_a_tampered_link_redirects_nowhere(client, sent):
    _, message = sent()
    click = link(html_of(message), "click")
    flipped = "y" if click[-5] == "x" else "x"  # a character of the signature, surely changed
    response = client.get(click[:-5] + flipped + click[-4:])
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert client.get("/api/automations/email/open/forged.gif")["Content-Type"] == "image/gif"
    assert not Event.objects.filter(event_type__in=["email.opened", "email.clicked"]).exists()


def test_marketing_mail_unsubscribes_in_one_click_and_a_scanner_cannot(client, sent,
                                                                      django_capture_on_commit_callbacks):
    ada, message = sent()
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url.replace("http://127.0.0.1:8000", "") == link(html_of(message), "unsubscribe")
    path = url.replace("http://127.0.0.1:8000", "")
    assert "Unsubscribe from course marketing" in client.get(path).content.decode()
    assert not MarketingConsent.objects.exists(), "fetching the link (a link scanner) changes nothing"
    with django_capture_on_commit_callbacks(execute=True):
        assert "You are unsubscribed" in client.post(path).content.decode()
        client.post(path)  # the provider's one-click request and the learner's button
    assert MarketingConsent.objects.get(user=ada).subscribed is False
    assert Event.objects.filter(user=ada, event_type="email.unsubscribed").count() == 1
    assert client.post("/api/automations/email/unsubscribe/forged/").status_code == 400


def test_transactional_mail_has_no_unsubscribe_and_track_false_leaves_links_alone(sent):
    _, message = sent(category="transactional", track=False)
    html = html_of(message)
    assert 'href="https://example.com/offer?a=1&amp;b=2"' in html and "/email/" not in html
    assert "List-Unsubscribe" not in message.extra_headers


def test_tracking_off_for_the_site(sent, settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "EMAIL_TRACKING": False}
    _, message = sent()
    html = html_of(message)
    assert "/email/open/" not in html and "/email/click/" not in html
    assert "/email/unsubscribe/" in html, "marketing mail still carries the unsubscribe link"
    assert Run.objects.get().status == Run.STATUS.fulfilled


def test_a_test_send_is_untracked_and_its_unsubscribe_link_is_the_testers(client, django_capture_on_commit_callbacks):
    from lms_automations.actions.messaging import EmailSend  # pylint: disable=import-outside-toplevel
    from lms_automations.models import TestLearner  # pylint: disable=import-outside-toplevel
    from tests.actions.conftest import context_for, make_automation, make_run  # pylint: disable=import-outside-toplevel

    ada = services.create_learner("ada", "ada@example.com")
    coach = services.create_learner("coach", "coach@example.com")
    automation = make_automation(status="testing", owner=coach)
    TestLearner.objects.create(automation=automation, user=ada)
    EmailSend().execute({"subject": "Hi", "body_html": BODY}, context_for(ada, run=make_run(automation, ada,
                                                                                            is_test=True)))
    (message,) = mail.outbox
    html = html_of(message)
    assert "/email/open/" not in html and "/email/click/" not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link(html, "unsubscribe"))
    assert MarketingConsent.objects.get().user == coach, "the tester unsubscribed, not the learner"
