"""Conditions on events: the event being handled, and the learner's past events.

In a trigger filter or an exit condition the event is the one arriving; inside a run it is the
event that started the run (``context.event`` either way).
"""
from ..catalogue import Condition
from ..engine.durations import parse_duration
from ..engine.errors import PermanentError
from ..engine.ops import compare
from ..models import Event
from .params import DURATION, compared_params, params

#: Past events a filtered ``event.occurred`` reads at most, newest first: bounds the work of one check.
MAX_EXAMINED = 5000


def lookup(data, path):
    """The value at a dotted ``path`` in nested objects and lists (``items.0.sku``), or None."""
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
    description = ("Compares a field of the event's payload, named by a dotted path (course_key, mode, percent, "
                   "items.0.sku). In a trigger or exit condition the event is the one arriving; inside a run it is "
                   "the event that started the run. A missing field is empty (see is_set). Percents in payloads "
                   "are 0–100.")
    params_schema = compared_params(("path",), path={"type": "string", "minLength": 1, "maxLength": 255,
                                                     "pattern": r"^[^.\s]+(\.[^.\s]+)*$",
                                                     "description": "a dotted path such as course_key or items.0.sku"})

    def evaluate(self, params, context):
        observed = lookup(context.event, params["path"])
        return compare(observed, params["op"], params.get("value"), now=context.now), observed


class EventOccurred(Condition):
    key = "event.occurred"
    label = "Has had an event"
    category = "Event"
    description = ("Whether the learner has had an event of this type, optionally only one whose payload matches "
                   "a filter (conditions evaluated against that past event) and only within a period such as P7D. "
                   "Templates in the filter are filled from the event in hand, so {{ event.course_key }} means "
                   "this course. In a trigger filter, an exit condition or an event wait's filter, the event "
                   "being handled does not count (so \"not occurred\" means \"for the first time\"); inside a "
                   "run, the event that started it does. Ignored events (not a change the learner made) never "
                   "count. "
                   f"A filter reads at most the {MAX_EXAMINED} most recent events of the type.")
    params_schema = params(("event",), event={"type": "string", "minLength": 1, "maxLength": 100},
                           filter={"type": ["object", "null"], "description": "a condition tree"}, within=DURATION)

    @classmethod
    def check_params(cls, params):
        """The schema, then the nested filter as any condition tree is checked (keys, params, ops)."""
        errors = super().check_params(params)
        nested = params.get("filter") if isinstance(params, dict) else None
        if not errors and nested:
            from ..engine.validation import _check_condition_tree  # pylint: disable=import-outside-toplevel

            found = []
            _check_condition_tree(nested, "params.filter", found)
            errors.extend(found)
        return errors

    def evaluate(self, params, context):
        events = past_events(context, params["event"], params.get("within"))
        if not params.get("filter"):
            latest = events.values_list("occurred_at", flat=True).first()
            return latest is not None, latest
        for event_type, payload, occurred_at in events.values_list("event_type", "payload", "occurred_at")[
                :MAX_EXAMINED].iterator(chunk_size=500):
            if _matches(params["filter"], context, event_type, payload):
                return True, occurred_at
        return False, None


def past_events(context, event_type, within=None):
    """The learner's recorded events of a type up to ``context.now`` (within a period), newest first."""
    events = Event.objects.filter(user_id=context.user_id, event_type=event_type, occurred_at__lte=context.now)
    events = events.exclude(dispatch_status=Event.DISPATCH.ignored)
    if getattr(context, "event_id", None) is not None:
        events = events.exclude(pk=context.event_id)  # the event being handled is not a past one
    if within:
        try:
            since = context.now - parse_duration(within)
        except (ValueError, OverflowError) as exc:
            raise PermanentError(f"params.within: {exc}") from exc
        events = events.filter(occurred_at__gte=since)
    return events.order_by("-occurred_at", "-id")


def _matches(tree, context, event_type, payload):
    """Evaluate ``tree`` as if the past event were the one being handled, for the same learner."""
    from ..engine.conditions import evaluate_tree  # pylint: disable=import-outside-toplevel
    from ..engine.context import StepContext  # pylint: disable=import-outside-toplevel

    past = StepContext(user_id=context.user_id, automation=context.automation, run=context.run,
                       event_type=event_type, event=payload, now=context.now, host=context.host,
                       event_id=getattr(context, "event_id", None))
    return evaluate_tree(tree, past, "params.filter").result
