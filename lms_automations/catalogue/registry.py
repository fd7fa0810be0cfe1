"""Loading the catalogue from entry points (SPEC §7.4) with stevedore, once per process.

Built-in entries are registered exactly like a third-party package's, so a package adds an event
type, condition, action or wait by declaring an entry point — no fork, no settings.
"""
import functools
import logging

from django.core.exceptions import ImproperlyConfigured
from stevedore import ExtensionManager

from .actions import Action
from .conditions import Condition
from .events import EventType
from .waits import Wait

log = logging.getLogger(__name__)
GROUPS = {
    "events": ("lms_automations.events", EventType),
    "conditions": ("lms_automations.conditions", Condition),
    "actions": ("lms_automations.actions", Action),
    "waits": ("lms_automations.waits", Wait),
}


def _on_load_failure(manager, entry_point, error):
    log.error("lms_automations: catalogue entry %s could not be loaded: %s", entry_point, error)


def load_group(kind, extensions=None):
    """``{key: class}`` for one kind; refuses duplicate keys and classes of the wrong base."""
    namespace, base = GROUPS[kind]
    if extensions is None:
        manager = ExtensionManager(namespace, invoke_on_load=False, on_load_failure_callback=_on_load_failure)
        extensions = list(manager)
    entries = {}
    sources = {}
    for extension in extensions:
        entry_class = extension.plugin
        if not (isinstance(entry_class, type) and issubclass(entry_class, base)):
            raise ImproperlyConfigured(
                f"{namespace} entry point {extension.name!r} must be a subclass of {base.__module__}.{base.__name__}")
        key = entry_class.key or extension.name
        source = f"{extension.entry_point.value if extension.entry_point else entry_class.__module__}"
        if key in entries and entries[key] is not entry_class:
            raise ImproperlyConfigured(f"two {kind} entries claim the key {key!r}: {sources[key]} and {source}")
        entries[key] = entry_class
        sources[key] = source
    return entries


@functools.cache
def _cached(kind):
    return load_group(kind)


def get_event_types():
    return _cached("events")


def get_conditions():
    return _cached("conditions")


def get_actions():
    return _cached("actions")


def get_waits():
    return _cached("waits")


def get_event_type(key):
    """The event type class for ``key``; ``custom.<slug>`` resolves from the admin's declarations."""
    if key in get_event_types():
        return get_event_types()[key]
    if isinstance(key, str) and key.startswith("custom."):
        from ..models import CustomEventType  # pylint: disable=import-outside-toplevel

        declared = CustomEventType.objects.filter(slug=key.removeprefix("custom.")).first()
        if declared is not None:
            return type(f"Custom_{declared.slug}", (EventType,), {
                "key": key, "label": declared.label, "category": "Custom", "description": declared.description,
                "payload_fields": {field.get("name"): field.get("description", field.get("type", ""))
                                   for field in declared.fields if isinstance(field, dict)},
            })
    return None


def choices(kind):
    """``[(key, "Category: label"), ...]`` for admin dropdowns, sorted by category then label."""
    entries = _cached(kind).values()
    return [(entry.key, f"{entry.category}: {entry.label}")
            for entry in sorted(entries, key=lambda e: (e.category, e.label, e.key))]


def clear_cache():
    _cached.cache_clear()
