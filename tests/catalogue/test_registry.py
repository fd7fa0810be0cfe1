"""Loading the catalogue: complete, strict about ambiguity, tolerant of one broken package."""
import logging
from importlib.metadata import EntryPoint

import pytest
from django.core.exceptions import ImproperlyConfigured
from stevedore import ExtensionManager
from stevedore.extension import Extension

from lms_automations.catalogue import (
    Action,
    Condition,
    EventType,
    Wait,
    choices,
    clear_cache,
    get_actions,
    get_conditions,
    get_event_type,
    get_event_types,
    get_waits,
    load_group,
    registry,
)
from lms_automations.models import CustomEventType

from .spec_tables import ACTIONS, CONDITIONS, WAITS

EVENTS = "lms_automations.events"


def extension(name, plugin, namespace=EVENTS, target=None):
    """A stevedore Extension as discovery would build it from an installed package's entry point."""
    entry_point = EntryPoint(name=name, value=target or f"pkg_{name.replace('.', '_')}:Entry", group=namespace)
    return Extension(name, entry_point, plugin, None)


def event_type(key, **attributes):
    return type("Entry", (EventType,), {"key": key, "label": key, "category": "Test", **attributes})


def use_extensions(monkeypatch, *extensions):
    """Replace discovery with a stevedore test manager holding exactly these extensions."""
    def discover(namespace):
        return list(ExtensionManager.make_test_instance(
            [ext for ext in extensions if ext.entry_point.group == namespace], namespace=namespace))

    monkeypatch.setattr(registry, "_discover", discover)
    clear_cache()


@pytest.mark.parametrize(
    ("loaded", "base", "expected"),
    [(get_conditions, Condition, CONDITIONS), (get_actions, Action, ACTIONS), (get_waits, Wait, WAITS)],
    ids=["conditions", "actions", "waits"],
)
def test_every_spec_entry_of_the_other_kinds_is_loaded(loaded, base, expected):
    entries = loaded()
    assert not sorted(set(expected) - set(entries)), "SPEC §4 entries missing"
    for key in expected:
        assert issubclass(entries[key], base) and entries[key].key == key
        assert entries[key].label and entries[key].category and entries[key].description, key


def test_two_entries_with_one_key_are_refused_naming_both(monkeypatch):
    use_extensions(monkeypatch,
                   extension("dup.key", event_type("dup.key"), target="first_pkg.events:Dup"),
                   extension("dup.key", event_type("dup.key"), target="second_pkg.events:Dup"))
    with pytest.raises(ImproperlyConfigured, match=r"'dup.key': first_pkg.events:Dup and second_pkg.events:Dup"):
        get_event_types()


def test_the_same_class_seen_twice_is_one_entry(monkeypatch):
    # An editable install can put one distribution on sys.path twice; that is not a conflict.
    entry = event_type("twice.key")
    use_extensions(monkeypatch, extension("twice.key", entry), extension("twice.key", entry))
    assert get_event_types() == {"twice.key": entry}


def test_an_entry_of_the_wrong_kind_is_refused(monkeypatch):
    action = type("Wrong", (Action,), {"key": "wrong.kind"})
    use_extensions(monkeypatch, extension("wrong.kind", action, namespace="lms_automations.conditions"))
    expected = (r"'wrong\.kind' \(pkg_wrong_kind:Entry\) must be a subclass of "
                r"lms_automations\.catalogue\.conditions\.Condition")
    with pytest.raises(ImproperlyConfigured, match=expected):
        get_conditions()
    with pytest.raises(ImproperlyConfigured, match="subclass"):
        load_group("events", [extension("a.function", lambda: None)])


@pytest.mark.parametrize(
    ("name", "entry", "message"),
    [
        ("no.key", event_type(""), "must declare key = 'no.key'"),
        ("one.name", event_type("another.name"), "the entry-point name and the key must be the same"),
        ("custom.taken", event_type("custom.taken"), "reserved for admin-declared event types"),
        ("bad.schema", event_type("bad.schema", params_schema={"type": "thing"}), "invalid params_schema"),
    ],
)
def test_ambiguous_or_broken_declarations_are_refused(name, entry, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_group("events", [extension(name, entry)])


def test_an_entry_that_fails_to_import_is_logged_and_skipped(monkeypatch, caplog):
    good = EntryPoint(name="account.registered", group=EVENTS,
                      value="lms_automations.catalogue.event_types.accounts:AccountRegistered")
    broken = EntryPoint(name="broken.entry", group=EVENTS, value="no_such_package.events:Broken")
    monkeypatch.setattr(ExtensionManager, "list_entry_points", lambda manager: [broken, good])
    with caplog.at_level(logging.ERROR, logger=registry.__name__):
        loaded = get_event_types()
    assert list(loaded) == ["account.registered"]
    assert "skipping catalogue entry 'broken.entry' (no_such_package.events:Broken)" in caplog.text


def test_loading_happens_once_per_process_until_cleared(monkeypatch):
    calls = []
    real_discover = registry._discover
    monkeypatch.setattr(registry, "_discover", lambda namespace: calls.append(namespace) or real_discover(namespace))
    assert get_event_types() is get_event_types()
    assert calls == [EVENTS]
    clear_cache()
    get_event_types()
    assert calls == [EVENTS, EVENTS]


@pytest.mark.django_db
def test_custom_event_types_resolve_from_admin_declarations():
    CustomEventType.objects.create(slug="webinar_attended", label="Attended a webinar", description="From Zoom.",
                                   fields=[{"name": "webinar", "type": "string"},
                                           {"name": "minutes", "description": "time in the room"},
                                           {"type": "no name: ignored"}])
    declared = get_event_type("custom.webinar_attended")
    assert issubclass(declared, EventType)
    assert (declared.key, declared.label, declared.category, declared.description) == (
        "custom.webinar_attended", "Attended a webinar", "Custom", "From Zoom.")
    assert declared.payload_fields == {"webinar": "string", "minutes": "time in the room"}
    assert "custom.webinar_attended" not in get_event_types(), "admin declarations are read at call time"


@pytest.mark.django_db
def test_an_admin_edit_is_seen_at_once():
    declaration = CustomEventType.objects.create(slug="demo", label="Before")
    assert get_event_type("custom.demo").label == "Before"
    declaration.label = "After"
    declaration.save()
    assert get_event_type("custom.demo").label == "After"


@pytest.mark.django_db
def test_unknown_custom_slugs_resolve_to_none():
    assert get_event_type("custom.never_declared") is None


def test_built_in_and_unknown_keys_never_touch_the_database():
    # No django_db mark: a query here would fail the test.
    assert get_event_type("enrollment.created") is get_event_types()["enrollment.created"]
    assert get_event_type("no.such_event") is None
    assert get_event_type(None) is None


def test_choices_are_sorted_by_category_then_label(monkeypatch):
    def wait(key, category, label):
        return extension(key, type("W", (Wait,), {"key": key, "category": category, "label": label}),
                         namespace="lms_automations.waits")

    use_extensions(monkeypatch, wait("c", "Timing", "after a while"), wait("a", "Events", "For an event"),
                   wait("b", "Timing", "Until a date"), wait("d", "Course dates", "Before the end"))
    assert choices("waits") == [
        ("d", "Course dates: Before the end"),
        ("a", "Events: For an event"),
        ("c", "Timing: after a while"),
        ("b", "Timing: Until a date"),
    ]


@pytest.mark.django_db
def test_event_choices_include_admin_declared_types():
    CustomEventType.objects.create(slug="webinar_attended", label="Attended a webinar")
    offered = dict(choices("events"))
    assert offered["custom.webinar_attended"] == "Custom: Attended a webinar"
    assert offered["enrollment.created"] == "Enrolment: Enrolled in a course"
    built_in_labels = [label for key, label in choices("actions")]
    assert built_in_labels == sorted(built_in_labels, key=lambda text: tuple(text.casefold().split(": ", 1)))
