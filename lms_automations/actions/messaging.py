"""Messages to learners and staff: e-mail through edx-ace, in-platform notifications, opt-out.

Marketing e-mail honours the learner's consent — the plugin's own record (unsubscribe link, admin,
``learner.unsubscribe``), then the LMS's ``is_marketable`` attribute — and a refusal is a silent
failure, not an error; transactional e-mail is always sent. In ``testing`` status every message
goes to the staff member who owns the test instead (SPEC §5.13), and never to the learner: a test
with nobody to receive its messages fails rather than reach a real inbox.
"""
from email.utils import parseaddr

from django.contrib.auth import get_user_model

from ..catalogue import Action
from ..conditions.learner import is_subscribed
from ..engine.errors import PermanentError, SilentFailure
from ..tracking.links import tracked_email
from .emitting import emit_plugin_event
from .params import COURSE_KEY, params, rendered_course_key, rendered_text

SUBJECT = {"type": "string", "minLength": 1, "maxLength": 300, "description": "the subject line (a template)"}
BODY_HTML = {"type": "string", "minLength": 1, "maxLength": 200_000, "description": "the HTML body (a template)"}
ADDRESS = {"type": "string", "minLength": 3, "maxLength": 254,
           "description": "an e-mail address, optionally with a name: Course Team <team@example.com>"}


#: RFC 5322 ``atext``: what a dot-atom may hold besides its dots (``%`` left out: it escapes the rest).
_ATEXT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&'*+-/=?^_`{|}~")


def message_id(context, part=None):
    """The Message-ID of a step's e-mail: derived from the step's idempotency key, so a retried step
    re-sends with the same id and mail systems can drop the repeat (SPEC §5.14).

    The key ``run:step:visit`` becomes the dot-atom ``run.step.visit`` (RFC 5322 §3.6.4 allows no
    ``:`` there); any other character a dot-atom may not hold, ``.`` and ``%`` included, is
    percent-encoded, so two different keys never share an id.
    """
    atoms = [_dot_atom_part(piece) for piece in (context.idempotency_key or "direct").split(":")]
    if part is not None:
        atoms.append(_dot_atom_part(str(part)))
    return f"<lms-automations.{'.'.join(atom or '%' for atom in atoms)}@lms>"


def _dot_atom_part(text):
    return "".join(char if char in _ATEXT else "".join(f"%{byte:02X}" for byte in char.encode()) for char in text)


def one_line(text):
    """Line breaks in a rendered subject would be refused by the mailer (header injection) — and
    edx-ace only logs that — so they become spaces."""
    return " ".join(text.split())


def rendered_address(params, name):
    """An optional address param after rendering, checked, or None."""
    value = str(params.get(name) or "").strip()
    if not value:
        return None
    _display, address = parseaddr(value)
    if "@" not in address or any(char in value for char in "\r\n"):
        raise PermanentError(f"params.{name}: {value!r} is not an e-mail address")
    return value


def test_recipient(context):
    """For a test run, who receives its messages; None for a real run."""
    if not (context.run is not None and context.run.is_test):
        return None
    if not context.test_recipient_id:
        raise PermanentError("this test run has no staff member to receive its messages: set the test learner's "
                             "recipient or the automation's owner")
    return context.test_recipient_id


def _learner_label(context):
    return (context.learner or {}).get("username") or f"user {context.user_id}"


class EmailSend(Action):
    """Marketing is the default category: an e-mail that forgets to say is treated as the one that
    needs consent, never the other way round.

    With tracking on (``EMAIL_TRACKING`` and the step's ``track``), links go through a signed redirect
    and a pixel counts opens; marketing e-mail carries a signed unsubscribe link (``tracking/``).
    """

    key = "email.send"
    label = "Send an e-mail"
    category = "Messages"
    description = ("E-mails the learner through the LMS (edx-ace). category marketing (the default) is sent only to "
                   "learners who accept marketing e-mail — otherwise the run ends as failed silently; transactional "
                   "(receipts, access changes) is always sent. Fires email.sent.")
    params_schema = params(
        ("subject", "body_html"), subject=SUBJECT, body_html=BODY_HTML,
        body_text={"type": "string", "maxLength": 200_000,
                   "description": "the plain-text body (default: the HTML body without tags)"},
        from_email=ADDRESS, reply_to=ADDRESS,
        category={"type": "string", "enum": ["marketing", "transactional"],
                  "description": "marketing (default) honours consent and unsubscribe; transactional does not"},
        track={"type": "boolean", "description": "count opens and clicks (default true, if the operator allows it)"},
    )

    def execute(self, params, context):
        transactional = params.get("category", "marketing") == "transactional"
        if not transactional and not is_subscribed(context):
            raise SilentFailure("not sent: the learner is unsubscribed from marketing e-mail")
        subject = one_line(rendered_text(params, "subject"))
        redirect_to = test_recipient(context)
        if redirect_to:
            subject = f"[TEST for {_learner_label(context)}] {subject}"
        msg_id = message_id(context)
        automation_id = context.automation.pk if context.automation else None
        body_html, headers = tracked_email(
            # a test send goes to someone else: their opens must not count as the learner's, and its
            # unsubscribe link unsubscribes its reader, never the learner
            params["body_html"], user_id=redirect_to or context.user_id, message_id=msg_id,
            automation_id=automation_id, step_id=context.run.current_step_id if context.run else None,
            track=params.get("track", True) and not redirect_to, marketing=not transactional,
        )
        context.host.send_email(
            to_user_id=redirect_to or context.user_id, subject=subject, body_html=body_html,
            body_text=params.get("body_text") or "", from_email=rendered_address(params, "from_email"),
            reply_to=rendered_address(params, "reply_to"), message_id=msg_id, transactional=transactional,
            headers=headers,
        )
        emit_plugin_event(context, "email.sent", {
            "message_id": msg_id,
            "automation_id": automation_id,
            "step_id": context.run.current_step_id if context.run else None,
        })
        return {"message_id": msg_id, "category": "transactional" if transactional else "marketing",
                "to_user_id": redirect_to or context.user_id, "test": bool(redirect_to)}


class EmailNotifyStaff(Action):
    """Staff notices are operational, so transactional; they are not the learner's e-mail, so they
    fire no ``email.sent``."""

    key = "email.notify_staff"
    label = "E-mail the course team"
    category = "Messages"
    description = ("E-mails people on the course team about this learner (usernames or e-mail addresses), e.g. "
                   "\"Ada has not logged in for 14 days\". Always sent; never to the learner.")
    params_schema = params(
        ("to", "subject", "body_html"),
        to={"type": "array", "minItems": 1, "maxItems": 20, "uniqueItems": True,
            "items": {"type": "string", "minLength": 1, "maxLength": 254},
            "description": "usernames or e-mail addresses"},
        subject=SUBJECT, body_html=BODY_HTML,
    )

    def execute(self, params, context):
        recipients = [_resolve_staff(rendered_text({f"to[{index}]": value}, f"to[{index}]"))
                      for index, value in enumerate(params["to"])]
        subject = one_line(rendered_text(params, "subject"))
        redirect_to = test_recipient(context)
        if redirect_to:
            names = ", ".join(label for label, _user_id, _address in recipients)
            recipients = [("test recipient", redirect_to, None)]
            subject = f"[TEST for {_learner_label(context)}, to {names}] {subject}"
        for index, (_label, user_id, address) in enumerate(recipients):
            context.host.send_email(to_user_id=user_id, to_address=address, subject=subject,
                                    body_html=params["body_html"], message_id=message_id(context, index),
                                    transactional=True)
        return {"sent_to": [label for label, _user_id, _address in recipients]}


def _resolve_staff(recipient):
    """``(label, user_id, address)`` for a username or an address."""
    if "@" in recipient:
        return recipient, None, rendered_address({"to": recipient}, "to")
    user_id = get_user_model().objects.filter(username=recipient).values_list("pk", flat=True).first()
    if user_id is None:
        raise PermanentError(f"params.to: there is no user {recipient!r}; use a username or an e-mail address")
    return recipient, user_id, None


class NotificationSend(Action):
    key = "notification.send"
    label = "Send an in-platform notification"
    category = "Messages"
    description = ("Sends an Open edX in-platform notification in the course. notification_type must be one the LMS "
                   "already knows (e.g. course_updates); context fills its template.")
    params_schema = params(
        ("course_key", "notification_type"), course_key=COURSE_KEY,
        notification_type={"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[a-z][a-z0-9_]*$",
                           "description": "a notification type of the LMS, e.g. course_updates"},
        context={"type": "object", "maxProperties": 50, "description": "values for the notification's template"},
    )

    def execute(self, params, context):
        recipient = test_recipient(context) or context.user_id
        context.host.send_notification(recipient, rendered_course_key(params), params["notification_type"],
                                       params.get("context") or {})
        return {"to_user_id": recipient, "test": recipient != context.user_id}


class LearnerUnsubscribe(Action):
    """Recorded in the plugin's consent table, which ``email.send`` reads before the LMS's own
    ``is_marketable``: the opt-out holds whatever the LMS says."""

    key = "learner.unsubscribe"
    label = "Unsubscribe from marketing"
    category = "Messages"
    description = ("Opts the learner out of marketing e-mail from automations (transactional e-mail still goes out). "
                   "Fires email.unsubscribed if they were subscribed.")
    external = False

    def execute(self, params, context):
        from ..consent import set_subscribed  # pylint: disable=import-outside-toplevel

        return {"changed": set_subscribed(context.user_id, False, source="automation", now=context.now)}
