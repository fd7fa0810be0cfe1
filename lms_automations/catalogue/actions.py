"""Actions: what an automation does to or for a learner (SPEC §4.3)."""
from .base import CatalogueEntry


class Action(CatalogueEntry):
    """``execute(params, context)`` does the work and returns a JSON-able dict for the timeline.

    ``external = False`` (database-local) actions run in the step's transaction: exactly once.
    ``external = True`` actions (LMS calls, e-mail, webhooks) run outside it, at least once, and pass
    ``context.idempotency_key`` on so the receiving side can drop repeats.
    """

    external = True

    def execute(self, params, context):
        raise NotImplementedError
