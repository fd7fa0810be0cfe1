"""Every SPEC §4.1 event type is a declared class, registered through a real entry point."""
import importlib
import inspect
import pkgutil
from importlib.metadata import entry_points

import pytest

import lms_automations.catalogue.event_types as event_types_package
from lms_automations.catalogue import EventType, get_event_types

from .spec_tables import EVENT_DEDUPE_WORDING, EVENT_PAYLOADS


def test_every_spec_event_type_is_loaded_through_its_entry_point():
    loaded = get_event_types()
    missing = sorted(set(EVENT_PAYLOADS) - set(loaded))
    assert not missing, f"SPEC §4.1 event types not loaded: {missing}"


def test_setup_py_declares_each_built_in_under_its_key():
    declared = {entry.name: entry.value for entry in entry_points(group="lms_automations.events")}
    for key in EVENT_PAYLOADS:
        assert declared.get(key, "").startswith("lms_automations.catalogue.event_types."), key


def test_every_built_in_class_is_registered():
    registered = set(get_event_types().values())
    for module_info in pkgutil.iter_modules(event_types_package.__path__):
        module = importlib.import_module(f"{event_types_package.__name__}.{module_info.name}")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, EventType) and value.__module__ == module.__name__:
                assert value in registered, f"{value.__qualname__} has no entry point in setup.py"


@pytest.mark.parametrize("key", sorted(EVENT_PAYLOADS))
def test_each_event_type_is_fully_declared(key):
    event_type = get_event_types()[key]
    assert issubclass(event_type, EventType)
    assert event_type.key == key
    assert event_type.label and event_type.label[0].isupper()
    assert event_type.category
    assert event_type.description.startswith("Fires "), "say when it fires"
    assert set(event_type.payload_fields) == EVENT_PAYLOADS[key]
    assert "user_id" not in event_type.payload_fields, "every event has user_id; it is not declared"
    assert all(isinstance(text, str) and text for text in event_type.payload_fields.values())
    assert event_type.check_params({}) == []


@pytest.mark.parametrize(("key", "wording"), sorted(EVENT_DEDUPE_WORDING.items()))
def test_descriptions_state_the_spec_de_duplication_rule(key, wording):
    assert wording in get_event_types()[key].description.casefold()


def test_keys_and_labels_are_unique():
    built_ins = [get_event_types()[key] for key in EVENT_PAYLOADS]
    assert len({entry.key for entry in built_ins}) == len(built_ins)
    labels = [entry.label for entry in built_ins]
    assert len(set(labels)) == len(labels), "two event types share a label: staff cannot tell them apart"
