"""Helpers the built-in actions share: schemas and emitting the plugin's own events."""
from ..catalogue.base import object_schema
from ..models import Event
from ..recording import record_event

COURSE_KEY = {"type": "string", "minLength": 1, "description": "a course key or a template like {{ event.course_key }}"}
params = object_schema


def emit_plugin_event(context, event_type, payload, suffix=""):
    """Record an event the action caused; keyed on the step's idempotency key, so a retry emits once."""
    record_event(
        event_type,
        user_id=context.user_id,
        payload={**payload, "user_id": context.user_id},
        occurred_at=context.now,
        source=Event.SOURCE.plugin,
        idempotency_key=f"action:{context.idempotency_key or context.now.isoformat()}:{event_type}:{suffix}",
    )
