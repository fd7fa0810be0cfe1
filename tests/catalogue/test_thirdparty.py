"""A separately installed package adds catalogue entries through entry points alone (SPEC §7.4).

The package lives in ``tests/catalogue/thirdparty_pkg``; the test requirements step installs it with
``pip install -e tests/catalogue/thirdparty_pkg``.
"""
from importlib.metadata import PackageNotFoundError, distribution

import pytest

from lms_automations.catalogue import Condition, EventType, choices, get_conditions, get_event_type, get_event_types

try:
    TESTEXT = distribution("lms-automations-testext")
except PackageNotFoundError:
    TESTEXT = None

pytestmark = pytest.mark.skipif(
    TESTEXT is None,
    reason="the third-party test package is not installed: run "
           "`pip install -e tests/catalogue/thirdparty_pkg` (make requirements does it)",
)


def test_the_package_declares_its_entries_as_any_extension_would():
    declared = {(entry.group, entry.name) for entry in TESTEXT.entry_points}
    assert ("lms_automations.events", "testext.webinar_attended") in declared
    assert ("lms_automations.conditions", "testext.always") in declared


def test_its_event_type_is_in_the_catalogue():
    webinar = get_event_types()["testext.webinar_attended"]
    assert issubclass(webinar, EventType) and webinar.__module__ == "lms_automations_testext"
    assert get_event_type("testext.webinar_attended") is webinar
    assert webinar.payload_fields == {"webinar": "the webinar's id"}


def test_its_condition_is_offered_in_admin():
    assert issubclass(get_conditions()["testext.always"], Condition)
    assert ("testext.always", "Test: Always") in choices("conditions")


@pytest.mark.django_db
def test_validation_accepts_a_trigger_on_its_event_type():
    from lms_automations.engine.validation import validate_document

    document = {
        "format": "lms-automations/v1", "name": "After a webinar", "status": "draft",
        "triggers": [{"event": "testext.webinar_attended",
                      "filter": {"all": [{"condition": "testext.always", "params": {}}]}}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["webinar"]}}],
    }
    assert validate_document(document) == []
    document["triggers"][0]["event"] = "testext.not_installed"
    assert [error["path"] for error in validate_document(document)] == ["triggers[0].event"]
