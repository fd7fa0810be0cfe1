"""Waits: pauses in the flow, stored as due times in the database (SPEC §4.4, §5.7)."""
from .base import CatalogueEntry


class Wait(CatalogueEntry):
    """``due_at(params, context)`` returns when the run resumes (an aware datetime), or None to go on now.

    Nothing waits in the broker: the engine stores the answer and the tick resumes the run. A wait
    that cannot compute its time raises the engine's permanent error; one that ends the run there
    (``if_past: end``) raises its end-run signal.
    """

    @staticmethod
    def awaited_event(params):
        """The event type key this wait resumes on, or None for a wait on time alone."""
        return None

    def due_at(self, params, context):
        raise NotImplementedError(f"{type(self).__name__} must implement due_at(params, context)")
