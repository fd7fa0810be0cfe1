"""Event types: the kinds of thing that happen to a learner (SPEC §4.1).

An event type is pure declaration: receivers in ``handlers/`` record events of it, triggers, exit
conditions and ``event`` waits refer to it by ``key``, and ``payload_fields`` tells staff what a
trigger's ``event.field`` filter can look at::

    class EnrollmentCreated(EventType):
        key = "enrollment.created"
        label = "Enrolled in a course"
        category = "Enrolment"
        description = "A learner enrolled; once per activation."
        payload_fields = {"course_key": "the course", "mode": "the enrolment mode"}
"""
from .base import CatalogueEntry

CUSTOM_PREFIX = "custom."
CUSTOM_CATEGORY = "Custom"


class EventType(CatalogueEntry):
    """A catalogue event type. ``payload_fields`` maps each payload field (besides ``user_id``,
    which every event has) to a short description for the admin and the docs.

    ``params_schema`` lists what a trigger or an exit condition on this type may choose, e.g. the
    days of ``activity.inactive``; each param names a payload field and holds when the event's value
    equals it (``param_conditions``), so ``params: {"days": 10}`` is ``event.field days eq 10`` — a
    document that says it with a filter keeps working. ``threshold_param`` names the param whose
    values the plugin computes only when an automation asks for them (plus the operator's defaults,
    ``thresholds_setting``): the inactivity scan's days, the derived progress percentages.
    """

    payload_fields = {}
    threshold_param = None
    thresholds_setting = None

    @classmethod
    def describe(cls):
        return {**super().describe(), "payload_fields": dict(cls.payload_fields)}

    @classmethod
    def param_conditions(cls, params):
        """The filter leaves a trigger's params stand for (in the schema's order)."""
        properties = cls.params_schema.get("properties") or {}
        return [{"condition": "event.field", "params": {"path": name, "op": "eq", "value": params[name]}}
                for name in properties if name in (params or {})]

    @classmethod
    def happened_at(cls, payload, occurred_at):
        """When the occurrence happened, for "only events that happen while an automation listens"
        (SPEC §5.1): ``occurred_at``, unless the type knows better (a quiet streak reached its days
        before the daily scan saw it)."""
        return occurred_at


def custom_event_type(slug, label, description="", fields=()):
    """An EventType class for a ``custom.<slug>`` type declared in admin (not an entry point).

    Built at call time so an admin edit is seen at once; ``fields`` is the declaration's list of
    ``{"name", "type", "description"}`` dicts — entries without a name are ignored.
    """
    payload_fields = {
        field["name"]: field.get("description") or field.get("type") or ""
        for field in fields or ()
        if isinstance(field, dict) and field.get("name")
    }
    return type(f"CustomEvent[{slug}]", (EventType,), {
        "key": f"{CUSTOM_PREFIX}{slug}",
        "label": label or slug,
        "category": CUSTOM_CATEGORY,
        "description": description or "A custom event, ingested through the REST API or api.emit.",
        "payload_fields": payload_fields,
        "__module__": __name__,
    })
