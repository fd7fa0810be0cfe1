"""Conditions: checks evaluated when a learner reaches them (SPEC §4.2)."""
from .base import CatalogueEntry


class Condition(CatalogueEntry):
    """``evaluate(params, context)`` returns a bool, or ``(bool, observed)`` where ``observed`` is the
    value the check saw — recorded on the run's timeline to explain the decision. ``params`` arrive
    with templates rendered; ``context`` is an ``engine.context.StepContext``."""

    def evaluate(self, params, context):
        raise NotImplementedError
