"""The public Python API of lms-automations (SPEC §7.1) — the place to start reading.

    from lms_automations import api

    automation = api.import_automation(document)         # the v1 JSON document, atomically
    document = api.export_automation(automation)         # ... and back, identical
    event = api.emit("custom.webinar_attended", user, {"webinar": "intro"})

Everything here is safe to call from a request or a task; events are dispatched after commit.
"""
import uuid

from django.db import transaction

from .engine.definition import dump_document, load_document
from .exceptions import InvalidAutomation
from .models import Event
from .recording import record_event

__all__ = ["InvalidAutomation", "emit", "export_automation", "import_automation"]


def import_automation(document, *, owner=None):
    """Create an automation from a v1 document; raises ``InvalidAutomation`` listing every error."""
    return load_document(document, owner=owner)


def export_automation(automation):
    """The v1 document of ``automation`` (import it again to get the same automation)."""
    return dump_document(automation)


def emit(event_type, user, payload=None, *, occurred_at=None, idempotency_key=None):
    """Record an event for ``user`` (a user or a user id); dispatched once the caller commits.

    Emitting twice with the same ``idempotency_key`` records one event and returns it both times.
    """
    user_id = getattr(user, "pk", user)
    key = idempotency_key or f"api:{uuid.uuid4()}"
    with transaction.atomic():
        record_event(
            event_type,
            user_id=user_id,
            payload={**(payload or {}), "user_id": user_id},
            occurred_at=occurred_at,
            source=Event.SOURCE.api,
            idempotency_key=key,
        )
        return Event.objects.get(idempotency_key=key[:255])
