"""Thresholds chosen per trigger (ADR 0015): the document's ``params``, their validation, export,
the set the plugin computes (cached with the definitions), the builder's form, and since when a
trigger listens."""
import datetime

import pytest
import time_machine

from lms_automations import api
from lms_automations.admin.builder_catalogue import catalogue_data
from lms_automations.exceptions import InvalidAutomation
from lms_automations.happened.thresholds import thresholds_for
from lms_automations.models import Trigger

T0 = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db


def document(*triggers, status="active", name="quiet", **more):
    return {"format": "lms-automations/v1", "name": name, "status": status, "triggers": list(triggers),
            "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["x"]}}], **more}


def inactive(days=None, **more):
    trigger = {"event": "activity.inactive", "filter": None, **more}
    if days is not None:
        trigger["params"] = {"days": days}
    return trigger


@pytest.fixture
def no_defaults(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INACTIVITY_DAYS": [], "PROGRESS_THRESHOLDS": []}


def test_params_round_trip_and_documents_without_them_export_as_before():
    automation = api.import_automation(document(inactive(10), {"event": "enrollment.created", "filter": None}))
    exported = api.export_automation(automation)
    assert exported["triggers"] == [{"event": "activity.inactive", "params": {"days": 10}, "filter": None},
                                    {"event": "enrollment.created", "filter": None}]
    again = api.import_automation({**exported, "name": "copy"})
    assert api.export_automation(again)["triggers"] == exported["triggers"]


@pytest.mark.parametrize("trigger, path, words", [
    (inactive(0), "triggers[0].params.days", "at least 1"),
    (inactive(366), "triggers[0].params.days", "at most 365"),
    (inactive("ten"), "triggers[0].params.days", "a whole number"),
    ({"event": "activity.inactive", "params": {"weeks": 2}}, "triggers[0].params", "unknown param(s) weeks"),
    ({"event": "enrollment.created", "params": {"days": 2}}, "triggers[0].params", "this entry takes none"),
    ({"event": "progress.threshold_reached", "params": {"percent": 101}}, "triggers[0].params.percent",
     "at most 100"),
    ({"event": "activity.inactive", "params": [7]}, "triggers[0].params", "must be an object"),
])
def test_a_wrong_param_says_what_to_change(trigger, path, words):
    with pytest.raises(InvalidAutomation) as raised:
        api.import_automation(document(trigger))
    assert any(error["path"] == path and words in error["message"] for error in raised.value.errors), \
        raised.value.errors


def test_the_days_computed_are_those_listening_automations_ask_for_plus_the_defaults(settings):
    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INACTIVITY_DAYS": [30]}
    api.import_automation(document(inactive(10)))
    api.import_automation(document({"event": "activity.inactive", "filter": {  # an older document's way
        "condition": "event.field", "params": {"path": "days", "op": "in", "value": [12, 13.0, 400, "x"]}}},
        name="old filter"))
    api.import_automation(document(inactive(20), status="testing", name="in testing"))
    api.import_automation(document(inactive(40), status="draft", name="a draft"))
    occurred = {"condition": "event.occurred", "params": {"event": "activity.inactive", "filter": {
        "condition": "event.field", "params": {"path": "days", "op": "eq", "value": 50}}}}
    api.import_automation(document({"event": "enrollment.created", "filter": occurred}, name="history"))
    assert thresholds_for("activity.inactive") == [10, 12, 13, 20, 30, 50]


def test_an_edit_reaches_the_computed_set_at_once(no_defaults):
    automation = api.import_automation(document(inactive(10)))
    assert thresholds_for("activity.inactive") == [10]
    api.update_automation(automation, document(inactive(45)))
    assert thresholds_for("activity.inactive") == [45]
    api.deactivate(automation)
    assert thresholds_for("activity.inactive") == []


def test_percentages_come_from_progress_triggers(no_defaults):
    api.import_automation(document({"event": "progress.threshold_reached", "params": {"percent": 60}}))
    assert thresholds_for("progress.threshold_reached") == [60]
    assert thresholds_for("enrollment.created") == []


def test_the_builder_form_of_the_trigger_shows_the_param():
    events = {entry["key"]: entry for entry in catalogue_data()["events"]}
    [days] = events["activity.inactive"]["fields"]
    assert (days["name"], days["widget"], days["minimum"], days["maximum"], days["required"]) == (
        "days", "number", 1, 365, False)
    assert [field["name"] for field in events["progress.threshold_reached"]["fields"]] == ["percent"]
    assert [field["name"] for field in events["points.threshold_reached"]["fields"]] == ["threshold"]
    assert events["enrollment.created"]["fields"] == []


def test_a_trigger_listens_from_activation_and_keeps_its_moment_through_unrelated_edits():
    with time_machine.travel(T0, tick=False):
        automation = api.import_automation(document(inactive(10), status="draft"))
        assert Trigger.objects.get(automation=automation).listening_since is None
    with time_machine.travel(T0 + datetime.timedelta(days=1), tick=False):
        api.activate(automation)
    first = T0 + datetime.timedelta(days=1)
    assert Trigger.objects.get(automation=automation).listening_since == first
    with time_machine.travel(T0 + datetime.timedelta(days=2), tick=False):
        edited = api.export_automation(automation)
        edited["steps"][0]["params"]["tags"] = ["y"]
        edited["triggers"].append(inactive(20))
        api.update_automation(automation, edited)
    assert list(Trigger.objects.filter(automation=automation).order_by("position").values_list(
        "listening_since", flat=True)) == [first, T0 + datetime.timedelta(days=2)]
    with time_machine.travel(T0 + datetime.timedelta(days=3), tick=False):
        api.deactivate(automation)
        assert set(Trigger.objects.filter(automation=automation).values_list("listening_since", flat=True)) == {None}
    with time_machine.travel(T0 + datetime.timedelta(days=4), tick=False):
        api.activate(automation)
    assert set(Trigger.objects.filter(automation=automation).values_list("listening_since", flat=True)) == {
        T0 + datetime.timedelta(days=4)}


def test_activation_starts_the_watermark_of_a_new_threshold_at_that_moment(no_defaults):
    from lms_automations.models import PeriodicScan

    with time_machine.travel(T0, tick=False):
        api.import_automation(document(inactive(200)))
    assert PeriodicScan.objects.get(name="inactivity:200").last_run_at == T0
    with time_machine.travel(T0 + datetime.timedelta(days=3), tick=False):
        api.import_automation(document(inactive(200), name="another"))
    assert PeriodicScan.objects.get(name="inactivity:200").last_run_at == T0, "an existing watermark is kept"


def test_without_defaults_a_trigger_must_choose_its_days(no_defaults):
    with pytest.raises(InvalidAutomation) as raised:
        api.import_automation(document(inactive()))
    assert raised.value.errors == [{"path": "triggers[0].params.days", "message": (
        "choose the days: this site computes no default ones (LMS_AUTOMATIONS['INACTIVITY_DAYS'] is empty)")}]
    api.import_automation(document(inactive(9)))
    api.import_automation(document({"event": "activity.inactive", "filter": {
        "condition": "event.field", "params": {"path": "days", "op": "eq", "value": 9}}}, name="by filter"))
