"""The e-mail message type the plugin sends through edx-ace.

Course teams write the subject and body in the automation; the ACE templates of this message type
(``templates/lms_automations/edx_ace/automationemail/email/``) only place those rendered texts,
so ACE's channels, policies and delivery reporting apply unchanged.
"""
import attr
from django.utils.html import strip_tags
from edx_ace import MessageType, Recipient, ace

from .engine.errors import PermanentError, SilentFailure, TransientError


class AutomationEmail(MessageType):
    """An e-mail written in an automation step (``email.send``, ``email.notify_staff``)."""

    APP_LABEL = "lms_automations"
    NAME = "automationemail"


def send_ace_email(*, user_id, address, subject, body_html, body_text="", from_email=None, reply_to=None,
                   message_id, transactional, language=None, headers=None):
    """Send one rendered e-mail through ``ace.send``; ``message_id`` becomes the Message-ID header,
    ``headers`` (List-Unsubscribe…) are added to it."""
    options = {"transactional": bool(transactional)}
    if from_email:
        options["from_address"] = from_email
    if reply_to:
        options["reply_to"] = [reply_to] if isinstance(reply_to, str) else list(reply_to)
    message = AutomationEmail(
        context={"subject": subject, "body_html": body_html, "body_text": body_text or strip_tags(body_html)},
        options=options,
    ).personalize(recipient=Recipient(user_id, address), language=language, user_context={})
    message = attr.evolve(message, headers={**message.headers, **(headers or {}), "Message-ID": message_id})
    outcome = _DeliveryReport(message)
    ace.send(message)
    outcome.raise_unless_delivered()
    return message


class _DeliveryReport:
    """What ``ace.send`` reported about one message.

    ``ace.send`` never raises: a missing template, a refused SMTP connection or a policy that drops
    the message are only reported through ``message.report(key, value)``. Listening there tells the
    step whether the e-mail really left, so a failed send fails (or retries) the step with the reason.
    """

    def __init__(self, message):
        self.reports = {}
        original = message.report

        def report(key, value):
            self.reports[key] = value
            original(key, value)

        object.__setattr__(message, "report", report)

    def raise_unless_delivered(self):
        if any(key.endswith("_delivery_succeeded") for key in self.reports):
            return
        if "template_error" in self.reports:
            raise PermanentError(f"the e-mail could not be rendered: {self.reports['template_error']}")
        errors = {key: value for key, value in self.reports.items()
                  if key.endswith(("_error", "_delivery_expired"))}
        if errors:
            raise TransientError("the e-mail was not delivered: "
                                 + "; ".join(f"{key}: {value}" for key, value in sorted(errors.items())))
        raise SilentFailure("no e-mail channel accepted the message (an ACE policy such as the "
                            "learner's bulk e-mail opt-out may have dropped it)")
