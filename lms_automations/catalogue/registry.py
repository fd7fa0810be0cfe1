"""Loading the catalogue from entry points (SPEC §7.4) with stevedore, once per process.

Built-in entries are registered exactly like a third-party package's, so a package adds an event
type, condition, action or wait by declaring an entry point — no fork, no settings::

    entry_points={"lms_automations.events": ["webinar.attended = my_pkg.events:WebinarAttended"]}

    get_event_types()["webinar.attended"]       # the class
    get_event_type("custom.webinar")            # also resolves types declared in admin
    choices("actions")                          # [(key, "Category: Label"), ...] for admin dropdowns

A broken third-party import is logged and skipped (one bad package must not take the LMS down);
a catalogue that is ambiguous or mistyped is refused, because guessing would run the wrong code.
"""
import functools
import logging

from django.core.exceptions import ImproperlyConfigured
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from stevedore import ExtensionManager

from .actions import Action
from .conditions import Condition
from .events import CUSTOM_PREFIX, EventType, custom_event_type
from .waits import Wait

log = logging.getLogger(__name__)

KINDS = {
    "events": ("lms_automations.events", EventType),
    "conditions": ("lms_automations.conditions", Condition),
    "actions": ("lms_automations.actions", Action),
    "waits": ("lms_automations.waits", Wait),
}


def _log_load_failure(manager, entry_point, error):
    log.error("lms_automations: skipping catalogue entry %r (%s): %s",
              entry_point.name, entry_point.value, error, exc_info=error)


def _discover(namespace):
    """The loaded (not instantiated) extensions of one entry-point group."""
    manager = ExtensionManager(namespace, invoke_on_load=False, on_load_failure_callback=_log_load_failure)
    return list(manager)


def load_group(kind, extensions=None):
    """``{key: class}`` for one kind (``events``, ``conditions``, ``actions``, ``waits``).

    ``extensions`` (stevedore ``Extension`` objects) replaces discovery, for tests. Raises
    ``ImproperlyConfigured`` when an entry is of the wrong base, has no key or a key other than its
    entry-point name, has an invalid params schema, or claims a key another entry already holds.
    """
    namespace, base = KINDS[kind]
    if extensions is None:
        extensions = _discover(namespace)
    entries, sources = {}, {}
    for extension in extensions:
        entry_class, source = extension.plugin, _source(extension)
        _check_entry(namespace, base, extension.name, entry_class, source)
        key = entry_class.key
        if key in entries:
            if entries[key] is entry_class:
                continue  # the same distribution seen twice on sys.path: harmless
            raise ImproperlyConfigured(
                f"two {namespace} entries claim the key {key!r}: {sources[key]} and {source}; "
                f"uninstall one of the packages or rename one key")
        entries[key], sources[key] = entry_class, source
    return entries


def _source(extension):
    entry_point = getattr(extension, "entry_point", None)
    value = getattr(entry_point, "value", None)
    if value:
        return value
    plugin = extension.plugin
    return f"{getattr(plugin, '__module__', '?')}:{getattr(plugin, '__qualname__', plugin)!s}"


def _check_entry(namespace, base, name, entry_class, source):
    where = f"{namespace} entry point {name!r} ({source})"
    if not (isinstance(entry_class, type) and issubclass(entry_class, base)):
        raise ImproperlyConfigured(f"{where} must be a subclass of {base.__module__}.{base.__name__}")
    if not entry_class.key:
        raise ImproperlyConfigured(f"{where} must declare key = {name!r}")
    if entry_class.key != name:
        raise ImproperlyConfigured(
            f"{where} declares key {entry_class.key!r}: the entry-point name and the key must be the same")
    if base is EventType and entry_class.key.startswith(CUSTOM_PREFIX):
        raise ImproperlyConfigured(f"{where}: keys starting with {CUSTOM_PREFIX!r} are reserved for admin-declared "
                                   f"event types; use your package's own prefix")
    try:
        Draft202012Validator.check_schema(entry_class.params_schema)
    except SchemaError as error:
        raise ImproperlyConfigured(f"{where} has an invalid params_schema: {error.message}") from error


@functools.cache
def _loaded(kind):
    return load_group(kind)


def get_event_types():
    """Event types from entry points, ``{key: class}`` (admin-declared ``custom.*`` types excluded)."""
    return _loaded("events")


def get_conditions():
    return _loaded("conditions")


def get_actions():
    return _loaded("actions")


def get_waits():
    return _loaded("waits")


def get_custom_event_types():
    """``{key: class}`` for the ``custom.<slug>`` types declared in admin, read now (they change at run time)."""
    from ..models import CustomEventType  # pylint: disable=import-outside-toplevel

    return {
        declared.event_type: custom_event_type(declared.slug, declared.label, declared.description, declared.fields)
        for declared in CustomEventType.objects.all()
    }


def get_event_type(key):
    """The event type class for ``key``, or None when nothing declares it.

    ``custom.<slug>`` resolves against the admin's declarations at call time; other keys never touch
    the database.
    """
    if not isinstance(key, str):
        return None
    if key in get_event_types():
        return get_event_types()[key]
    if not key.startswith(CUSTOM_PREFIX):
        return None
    from ..models import CustomEventType  # pylint: disable=import-outside-toplevel

    declared = CustomEventType.objects.filter(slug=key.removeprefix(CUSTOM_PREFIX)).first()
    if declared is None:
        return None
    return custom_event_type(declared.slug, declared.label, declared.description, declared.fields)


def choices(kind):
    """``[(key, "Category: Label"), ...]`` for admin dropdowns, sorted by category, then label.

    For ``events`` this includes the admin-declared ``custom.*`` types, so it reads the database.
    """
    entries = dict(_loaded(kind))
    if kind == "events":
        entries.update(get_custom_event_types())
    ordered = sorted(entries.values(), key=lambda entry: (entry.category.casefold(), entry.label.casefold(), entry.key))
    return [(entry.key, f"{entry.category}: {entry.label}") for entry in ordered]


def clear_cache():
    """Forget what was loaded, so the next call discovers entry points again (tests, after pip install)."""
    _loaded.cache_clear()
    for namespace, _base in KINDS.values():
        getattr(ExtensionManager, "ENTRY_POINT_CACHE", {}).pop(namespace, None)
