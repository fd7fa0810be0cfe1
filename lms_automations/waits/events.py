"""Waiting for the learner to do something, with a timeout."""
from ..catalogue import Wait
from ..engine.durations import parse_duration


class EventWait(Wait):
    key = "event"
    label = "Wait for an event"
    category = "Events"
    description = ("Waits until the learner has a matching event (e.g. enrollment.upgraded); after the timeout, "
                   "continue or end the run.")
    params_schema = {
        "type": "object",
        "properties": {
            "event": {"type": "string", "minLength": 1},
            "filter": {"type": ["object", "null"]},
            "timeout": {"type": "string", "pattern": "^P", "description": "an ISO-8601 duration such as P7D"},
            "on_timeout": {"type": "string", "enum": ["continue", "end"]},
        },
        "required": ["event"],
        "additionalProperties": False,
    }

    @staticmethod
    def awaited_event(params):
        return params["event"]

    def due_at(self, params, context):
        return context.now + parse_duration(params["timeout"]) if params.get("timeout") else None
