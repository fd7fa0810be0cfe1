"""Event types about automations themselves, so one flow can follow on from another."""
from ..events import EventType


class AutomationFinished(EventType):
    key = "automation.finished"
    label = "Finished an automation"
    category = "Automations"
    description = "Fires when one of the learner's runs of an automation ends, whatever the outcome; filter on automation_id (and outcome) to follow on from a particular flow."
    payload_fields = {
        "automation_id": "the automation whose run ended",
        "outcome": "how it ended: fulfilled, converted, exited, failed, failed_silently or cancelled",
    }
