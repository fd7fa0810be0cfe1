"""Waits: pauses in the flow, stored as due times in the database (SPEC §4.4, §5.7)."""
from .base import CatalogueEntry


class Wait(CatalogueEntry):
    """``due_at(params, context)`` returns when the run resumes (aware datetime) or None to go on now;
    raise ``engine.errors.EndRun`` to end the run there, ``PermanentError`` when the wait cannot be
    computed. A wait that waits for an event also defines ``awaited_event(params)``."""

    def due_at(self, params, context):
        raise NotImplementedError
