"""The catalogue as loaded from entry points: complete, declarative, extensible, strict."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from lms_automations.catalogue import (
    Action,
    Condition,
    EventType,
    choices,
    get_actions,
    get_conditions,
    get_event_type,
    get_event_types,
    get_waits,
    load_group,
)
from lms_automations.models import CustomEventType

SPEC_EVENT_TYPES = [
    "account.registered",
    "account.activated",
    "account.logged_in",
    "enrollment.created",
    "enrollment.mode_changed",
    "enrollment.upgraded",
    "enrollment.deactivated",
    "progress.block_completed",
    "progress.lesson_started",
    "progress.lesson_completed",
    "progress.threshold_reached",
    "progress.course_completed",
    "activity.inactive",
    "grade.changed",
    "course.passed",
    "course.failed",
    "certificate.awarded",
    "certificate.revoked",
    "program_certificate.awarded",
    "badge.awarded",
    "cohort.joined",
    "assignment.submitted",
    "exam.submitted",
    "exam.verified",
    "exam.rejected",
    "forum.thread_created",
    "forum.response_created",
    "forum.comment_created",
    "idv.approved",
    "idv.denied",
    "order.paid",
    "order.payment_failed",
    "order.refunded",
    "subscription.renewed",
    "subscription.cancelled",
    "email.sent",
    "email.opened",
    "email.clicked",
    "email.unsubscribed",
    "email.resubscribed",
    "tag.added",
    "tag.removed",
    "field.changed",
    "list.joined",
    "list.left",
    "points.awarded",
    "points.deducted",
    "points.threshold_reached",
    "automation.finished",
]
SPEC_CONDITIONS = [
    "event.field",
    "learner.field",
    "learner.has_tag",
    "learner.in_list",
    "learner.subscribed",
    "learner.points",
    "course.enrolled",
    "course.progress",
    "course.lesson_completed",
    "course.completed",
    "course.grade",
    "course.passed",
    "course.certificate",
    "course.last_activity",
    "course.days_left",
    "cohort.member",
    "email.engagement",
    "event.occurred",
    "automation.run",
]
SPEC_ACTIONS = [
    "enrollment.enroll",
    "enrollment.unenroll",
    "enrollment.change_mode",
    "cohort.add",
    "cohort.remove",
    "progress.mark_complete",
    "dates.extend",
    "certificate.generate",
    "tag.add",
    "tag.remove",
    "field.set",
    "field.clear",
    "list.add",
    "list.remove",
    "points.award",
    "points.deduct",
    "email.send",
    "email.notify_staff",
    "notification.send",
    "webhook.send",
    "automation.start",
    "automation.exit",
    "learner.unsubscribe",
]
SPEC_WAITS = ["duration", "until", "time_of_day", "weekday", "field_duration", "field_date", "event", "course_date"]


@pytest.mark.parametrize(
    ("loaded", "expected"),
    [
        (get_event_types, SPEC_EVENT_TYPES),
        (get_conditions, SPEC_CONDITIONS),
        (get_actions, SPEC_ACTIONS),
        (get_waits, SPEC_WAITS),
    ],
    ids=["events", "conditions", "actions", "waits"],
)
def test_every_spec_entry_is_loaded_through_its_entry_point(loaded, expected):
    entries = loaded()
    assert set(expected) <= set(entries)
    for key in expected:
        entry = entries[key]
        assert entry.key == key and entry.label and entry.category and entry.description, key
        assert entry.params_schema.get("type") == "object"


def test_event_types_declare_their_payload():
    assert set(get_event_types()["enrollment.created"].payload_fields) == {"course_key", "org", "mode"}


def test_a_third_party_package_adds_entries():
    if "testext.always" not in get_conditions():
        pytest.skip("pip install -e tests/catalogue/thirdparty_pkg (make requirements does it)")
    assert get_event_types()["testext.webinar_attended"].category == "Webinars"
    assert ("testext.always", "Test: Always") in choices("conditions")


def test_check_params_explains_what_to_change():
    schema_errors = get_waits()["course_date"].check_params({"anchor": "finish", "colour": 1})
    messages = {error["path"]: error["message"] for error in schema_errors}
    assert messages["params"].startswith(("add 'course_key'", "unknown param(s) colour"))
    assert messages["params.anchor"] == "must be one of start, end, enrollment, upgrade_deadline (got 'finish')"
    assert get_actions()["points.award"].check_params({"amount": 0}) == [
        {"path": "params.amount", "message": "must be at least 1 (got 0)"}
    ]
    assert get_actions()["tag.add"].check_params({"tags": ["vip"]}) == []


def fake_extension(name, plugin):
    return SimpleNamespace(name=name, plugin=plugin, entry_point=SimpleNamespace(value=f"pkg.{name}:X"))


def test_two_entries_with_one_key_are_refused_naming_both():
    one = type("One", (EventType,), {"key": "dup.key"})
    two = type("Two", (EventType,), {"key": "dup.key"})
    with pytest.raises(ImproperlyConfigured, match="pkg.a:X and pkg.b:X"):
        load_group("events", [fake_extension("a", one), fake_extension("b", two)])


def test_an_entry_of_the_wrong_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="subclass of lms_automations.catalogue.conditions.Condition"):
        load_group("conditions", [fake_extension("x", type("X", (Action,), {"key": "x"}))])


@pytest.mark.django_db
def test_custom_event_types_come_from_admin_declarations():
    CustomEventType.objects.create(slug="webinar_attended", label="Webinar", fields=[{"name": "webinar"}])
    declared = get_event_type("custom.webinar_attended")
    assert issubclass(declared, EventType) and declared.label == "Webinar"
    assert list(declared.payload_fields) == ["webinar"]
    assert get_event_type("custom.nope") is None and get_event_type("nope") is None


def test_choices_are_sorted_by_category_then_label():
    labels = [label for _key, label in choices("waits")]
    assert labels == sorted(labels, key=lambda text: text.split(": ", 1))
    assert issubclass(get_conditions()["course.progress"], Condition)
