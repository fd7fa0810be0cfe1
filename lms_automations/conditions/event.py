"""Conditions on events: the current event's payload, and the learner's past events."""
from django.utils import timezone

from ..catalogue import Condition
from ..engine.durations import parse_duration
from ..engine.ops import compare
from ..models import Event
from .schemas import ANY_VALUE, DURATION, OP, params


def lookup(data, path):
    """The value at a dotted ``path`` in nested dicts/lists, or None."""
    value = data
    for part in str(path).split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


class EventField(Condition):
    key = "event.field"
    label = "Event field"
    category = "Event"
    description = "Compares a field of the event's payload (dotted path, e.g. course_key or percent)."
    params_schema = params(("path", "op"), path={"type": "string", "minLength": 1}, op=OP, value=ANY_VALUE)

    def evaluate(self, params, context):
        observed = lookup(context.event, params["path"])
        return compare(observed, params["op"], params.get("value"), now=context.now), observed


class EventOccurred(Condition):
    key = "event.occurred"
    label = "Has had an event"
    category = "Event"
    description = "Whether the learner has had an event of this type (optionally matching a filter) within a period."
    params_schema = params(("event",), event={"type": "string", "minLength": 1}, filter={"type": ["object", "null"]},
                           within=DURATION)

    def evaluate(self, params, context):
        from ..engine.conditions import evaluate_tree  # pylint: disable=import-outside-toplevel
        from ..engine.context import StepContext  # pylint: disable=import-outside-toplevel

        events = Event.objects.filter(user_id=context.user_id, event_type=params["event"]).exclude(
            dispatch_status=Event.DISPATCH.ignored)
        if params.get("within"):
            events = events.filter(occurred_at__gte=(context.now or timezone.now()) - parse_duration(params["within"]))
        for past in events.order_by("-occurred_at")[:200]:
            if not params.get("filter"):
                return True, past.occurred_at
            past_context = StepContext(user_id=context.user_id, automation=context.automation,
                                       event_type=past.event_type, event=past.payload, now=context.now,
                                       host=context.host)
            if evaluate_tree(params["filter"], past_context, "params.filter").result:
                return True, past.occurred_at
        return False, None
