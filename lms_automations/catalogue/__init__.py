"""The catalogue: event types, conditions, actions and waits, found through entry points."""
from .actions import Action
from .base import CatalogueEntry, object_schema
from .conditions import Condition
from .events import EventType
from .registry import (
    choices,
    clear_cache,
    get_actions,
    get_conditions,
    get_event_type,
    get_event_types,
    get_waits,
    load_group,
)
from .waits import Wait

__all__ = [
    "Action", "CatalogueEntry", "Condition", "EventType", "Wait", "choices", "clear_cache", "get_actions",
    "get_conditions", "get_event_type", "get_event_types", "get_waits", "load_group", "object_schema",
]
