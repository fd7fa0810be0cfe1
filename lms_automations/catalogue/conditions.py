"""Conditions: checks evaluated when a learner reaches them, never earlier (SPEC §4.2)."""
from .base import CatalogueEntry


class Condition(CatalogueEntry):
    """A leaf of a trigger filter, branch or exit condition.

    ``evaluate(params, context)`` returns a bool, or ``(bool, observed)`` where ``observed`` is the
    JSON-able value the check saw (a grade, a tag list…). The engine records both on the run's
    timeline, because staff need to see *why* a branch went one way. ``params`` arrive with
    templates rendered; ``context`` is the engine's view of the learner, event and run.
    """

    def evaluate(self, params, context):
        raise NotImplementedError(f"{type(self).__name__} must implement evaluate(params, context)")
