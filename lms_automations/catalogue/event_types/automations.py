"""Event types about automations themselves."""
from ..events import EventType


class AutomationFinished(EventType):
    key = "automation.finished"
    label = "Automation finished"
    category = "Automations"
    description = "Another automation's run for this learner ended."
    payload_fields = {
        "automation_id": "the automation",
        "outcome": "fulfilled, converted, exited, failed…",
    }
