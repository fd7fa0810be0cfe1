"""The catalogue: event types, conditions, actions and waits, found through entry points (SPEC §4, §7.4).

    from lms_automations.catalogue import Action, get_actions, choices

The base classes are what an extension subclasses; the ``get_*`` functions and ``choices`` are what
the admin, validation and the engine read.
"""
from .actions import Action
from .base import CatalogueEntry, object_schema
from .conditions import Condition
from .events import EventType, custom_event_type
from .registry import (
    choices,
    clear_cache,
    get_actions,
    get_conditions,
    get_custom_event_types,
    get_event_type,
    get_event_types,
    get_waits,
    load_group,
)
from .waits import Wait

__all__ = [
    "Action", "CatalogueEntry", "Condition", "EventType", "Wait", "choices", "clear_cache", "custom_event_type",
    "get_actions", "get_conditions", "get_custom_event_types", "get_event_type", "get_event_types", "get_waits",
    "load_group", "object_schema",
]
