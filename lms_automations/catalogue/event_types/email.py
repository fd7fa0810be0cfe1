"""Event types of the plugin's own e-mail: sent, opened (tracking pixel), clicked (signed redirect),
and marketing consent changes. Mail sent by the LMS itself is not tracked."""
from ..events import EventType

MESSAGE_FIELDS = {
    "message_id": "the e-mail's Message-ID",
    "automation_id": "the automation that sent it",
    "step_id": "the step that sent it",
}


class EmailSent(EventType):
    key = "email.sent"
    label = "Was sent an e-mail"
    category = "E-mail"
    description = "Fires when an automation's email.send step hands an e-mail for the learner to the LMS's mailer (a marketing e-mail the learner does not accept is not sent and fires nothing)."
    payload_fields = MESSAGE_FIELDS


class EmailOpened(EventType):
    key = "email.opened"
    label = "Opened an e-mail"
    category = "E-mail"
    description = "Fires when the learner's mail client loads the tracking pixel of an automation's e-mail (only with tracking on; mail clients that block images are not counted)."
    payload_fields = MESSAGE_FIELDS


class EmailClicked(EventType):
    key = "email.clicked"
    label = "Clicked a link in an e-mail"
    category = "E-mail"
    description = "Fires when the learner follows a link in an automation's e-mail (through the plugin's signed redirect; only with tracking on)."
    payload_fields = {
        **MESSAGE_FIELDS,
        "url": "the link followed",
    }


class EmailUnsubscribed(EventType):
    key = "email.unsubscribed"
    label = "Unsubscribed from marketing e-mail"
    category = "E-mail"
    description = "Fires when the learner opts out of marketing e-mail: the signed unsubscribe link, staff in admin, or a learner.unsubscribe step."


class EmailResubscribed(EventType):
    key = "email.resubscribed"
    label = "Resubscribed to marketing e-mail"
    category = "E-mail"
    description = "Fires when the learner opts back in to marketing e-mail: the Subscribe again button of the signed unsubscribe page, or staff in admin. Once per change (a second click records nothing)."
