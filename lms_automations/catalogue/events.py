"""Event types: the kinds of thing that happen to a learner (SPEC §4.1)."""
from .base import CatalogueEntry


class EventType(CatalogueEntry):
    """A catalogue event type; ``payload_fields`` (name → meaning) is what triggers can filter on."""

    payload_fields = {}

    @classmethod
    def describe(cls):
        return {**super().describe(), "payload_fields": dict(cls.payload_fields)}
