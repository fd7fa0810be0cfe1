"""Messages to learners and staff: e-mail through edx-ace, in-platform notifications, opt-out.

Marketing e-mail honours the learner's consent (a refusal is a silent failure, not an error);
transactional e-mail does not. In ``testing`` status every message goes to the staff member who
owns the test instead of the learner (SPEC §5.13).
"""
from django.contrib.auth import get_user_model

from ..catalogue import Action
from ..conditions.learner import is_subscribed
from ..engine.errors import PermanentError, SilentFailure
from ..models import MarketingConsent
from .base import COURSE_KEY, emit_plugin_event, params

EMAIL_FIELDS = {
    "subject": {"type": "string", "minLength": 1, "maxLength": 300},
    "body_html": {"type": "string", "minLength": 1},
    "body_text": {"type": "string"},
    "from_email": {"type": "string", "minLength": 3},
    "reply_to": {"type": "string", "minLength": 3},
}


def message_id(context, recipient=""):
    return f"<lms-automations.{context.idempotency_key or 'direct'}{'.' + recipient if recipient else ''}@lms>"


class EmailSend(Action):
    key = "email.send"
    label = "Send an e-mail"
    category = "Messages"
    description = ("E-mails the learner through the LMS (edx-ace). Marketing e-mail (the default) is sent only to "
                   "learners who accept it; transactional e-mail always is.")
    params_schema = params(("subject", "body_html"), **EMAIL_FIELDS,
                           category={"type": "string", "enum": ["marketing", "transactional"]},
                           track={"type": "boolean"})

    def execute(self, params, context):
        transactional = params.get("category", "marketing") == "transactional"
        if not transactional and not is_subscribed(context):
            raise SilentFailure("the learner does not accept marketing e-mail; nothing was sent")
        recipient_id, subject = context.user_id, params["subject"]
        if context.test_recipient_id:
            recipient_id = context.test_recipient_id
            subject = f"[TEST for {context.learner.get('username', context.user_id)}] {subject}"
        msg_id = message_id(context)
        context.host.send_email(
            to_user_id=recipient_id, subject=subject, body_html=params["body_html"],
            body_text=params.get("body_text", ""), from_email=params.get("from_email"),
            reply_to=params.get("reply_to"), message_id=msg_id, transactional=transactional,
        )
        run = context.run
        emit_plugin_event(context, "email.sent", {
            "message_id": msg_id, "automation_id": context.automation.pk if context.automation else None,
            "step_id": run.current_step_id if run else None,
        })
        return {"message_id": msg_id, "to_user_id": recipient_id}


class EmailNotifyStaff(Action):
    key = "email.notify_staff"
    label = "E-mail the course team"
    category = "Messages"
    description = "E-mails staff (usernames or addresses) about this learner; always sent (transactional)."
    params_schema = params(("to", "subject", "body_html"),
                           to={"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                           subject=EMAIL_FIELDS["subject"], body_html=EMAIL_FIELDS["body_html"])

    def execute(self, params, context):
        sent = []
        for recipient in params["to"]:
            user_id, address = _resolve_staff(recipient)
            if context.test_recipient_id:
                user_id, address = context.test_recipient_id, None
            context.host.send_email(to_user_id=user_id, to_address=address, subject=params["subject"],
                                    body_html=params["body_html"], message_id=message_id(context, recipient),
                                    transactional=True)
            sent.append(recipient)
        return {"sent_to": sent}


def _resolve_staff(recipient):
    if "@" in recipient:
        return None, recipient
    user = get_user_model().objects.filter(username=recipient).first()
    if user is None:
        raise PermanentError(f"there is no user {recipient!r} to notify; use a username or an e-mail address")
    return user.pk, None


class NotificationSend(Action):
    key = "notification.send"
    label = "Send an in-platform notification"
    category = "Messages"
    description = "Sends an Open edX notification of a type the LMS already knows (e.g. course_updates)."
    params_schema = params(("course_key", "notification_type"), course_key=COURSE_KEY,
                           notification_type={"type": "string", "minLength": 1}, context={"type": "object"})

    def execute(self, params, context):
        recipient = context.test_recipient_id or context.user_id
        context.host.send_notification(recipient, params["course_key"], params["notification_type"],
                                       params.get("context", {}))
        return {"to_user_id": recipient}


class LearnerUnsubscribe(Action):
    key = "learner.unsubscribe"
    label = "Unsubscribe from marketing"
    category = "Messages"
    description = "Opts the learner out of marketing e-mail from automations."
    external = False

    def execute(self, params, context):
        consent, created = MarketingConsent.objects.get_or_create(
            user_id=context.user_id, defaults={"subscribed": False, "source": "automation"})
        if not created and not consent.subscribed:
            return {"changed": False}
        if not created:
            consent.subscribed, consent.source = False, "automation"
            consent.save()
        emit_plugin_event(context, "email.unsubscribed", {})
        return {"changed": True}
