"""Actions: what an automation does to or for a learner (SPEC §4.3)."""
from .base import CatalogueEntry


class Action(CatalogueEntry):
    """``execute(params, context)`` does the work and returns a JSON-able dict for the timeline.

    ``external`` decides the delivery guarantee (SPEC §5.14): ``False`` (database-local: tags,
    points, fields, lists) runs inside the step's transaction, so it happens exactly once.
    ``True`` (LMS calls, e-mail, webhooks) runs outside it, at least once; pass
    ``context.idempotency_key`` on so the receiving side can drop repeats. The default is ``True``
    because assuming at-least-once is the safe mistake.
    """

    external = True

    def execute(self, params, context):
        raise NotImplementedError(f"{type(self).__name__} must implement execute(params, context)")
