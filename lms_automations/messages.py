"""The e-mail message type the plugin sends through edx-ace.

Course teams write the subject and body in the automation; the ACE templates of this message type
(``templates/lms_automations/edx_ace/automationemail/email/``) only place those rendered texts,
so ACE's channels, policies and delivery reporting apply unchanged.
"""
import attr
from django.utils.html import strip_tags
from edx_ace import MessageType, Recipient, ace


class AutomationEmail(MessageType):
    """An e-mail written in an automation step (``email.send``, ``email.notify_staff``)."""

    APP_LABEL = "lms_automations"
    NAME = "automationemail"


def send_ace_email(*, user_id, address, subject, body_html, body_text="", from_email=None, reply_to=None,
                   message_id, transactional, language=None):
    """Send one rendered e-mail through ``ace.send``; ``message_id`` becomes the Message-ID header."""
    options = {"transactional": bool(transactional)}
    if from_email:
        options["from_address"] = from_email
    if reply_to:
        options["reply_to"] = [reply_to] if isinstance(reply_to, str) else list(reply_to)
    message = AutomationEmail(
        context={"subject": subject, "body_html": body_html, "body_text": body_text or strip_tags(body_html)},
        options=options,
    ).personalize(recipient=Recipient(user_id, address), language=language, user_context={})
    message = attr.evolve(message, headers={**message.headers, "Message-ID": message_id})
    ace.send(message)
    return message
