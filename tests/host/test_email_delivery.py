"""``ace.send`` never raises: the host's ``send_email`` reads ACE's delivery report instead, so a
step that sends e-mail fails (permanently or for a retry) when nothing was delivered."""
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from lms_automations.engine.errors import PermanentError, SilentFailure, TransientError
from lms_automations.host import get_host
from sandbox.lms import services

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def send(user):
    get_host().send_email(to_user_id=user.pk, subject="Hi", body_html="<p>Hi</p>",
                          message_id="<lms-automations.1.1.1@lms>", transactional=True)


@pytest.fixture
def ada():
    return services.create_learner("ada", email="ada@example.com")


def test_a_delivered_message_passes(ada):
    send(ada)
    assert len(mail.outbox) == 1


def test_an_smtp_failure_is_transient_and_says_so(ada, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(TransientError, match="not delivered: email_error: An SMTP error"):
        send(ada)


def test_a_missing_template_is_permanent(ada, monkeypatch):
    from django.template import TemplateDoesNotExist  # pylint: disable=import-outside-toplevel
    from edx_ace import presentation  # pylint: disable=import-outside-toplevel

    def render(channel, message):
        raise TemplateDoesNotExist("lms_automations/edx_ace/automationemail/email/body.html")

    monkeypatch.setattr(presentation, "render", render)
    with pytest.raises(PermanentError, match="(?s)could not be rendered.*body.html"):
        send(ada)
    assert not mail.outbox


def test_a_message_every_policy_drops_is_a_silent_failure(ada, monkeypatch):
    from edx_ace import policy  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(policy, "channels_for", lambda message: set())
    with pytest.raises(SilentFailure, match="no e-mail channel accepted"):
        send(ada)
