"""Event types of the plugin's own e-mail: sent, opened, clicked, (un)subscribed."""
from ..events import EventType


class EmailSent(EventType):
    key = "email.sent"
    label = "E-mail sent"
    category = "E-mail"
    description = "An automation sent the learner an e-mail."
    payload_fields = {
        "message_id": "the e-mail's id",
        "automation_id": "the automation",
        "step_id": "the step",
    }


class EmailOpened(EventType):
    key = "email.opened"
    label = "E-mail opened"
    category = "E-mail"
    description = "The learner opened an automation's e-mail (tracking pixel)."
    payload_fields = {
        "message_id": "the e-mail's id",
        "automation_id": "the automation",
        "step_id": "the step",
    }


class EmailClicked(EventType):
    key = "email.clicked"
    label = "Link clicked"
    category = "E-mail"
    description = "The learner clicked a link in an automation's e-mail (signed redirect)."
    payload_fields = {
        "message_id": "the e-mail's id",
        "automation_id": "the automation",
        "step_id": "the step",
        "url": "the link",
    }


class EmailUnsubscribed(EventType):
    key = "email.unsubscribed"
    label = "Unsubscribed"
    category = "E-mail"
    description = "The learner opted out of marketing e-mail."


class EmailResubscribed(EventType):
    key = "email.resubscribed"
    label = "Resubscribed"
    category = "E-mail"
    description = "The learner opted back in to marketing e-mail."
