"""Event conditions: the payload of the event in hand, and the learner's recorded events."""
import datetime

import pytest
import time_machine

from lms_automations import api
from lms_automations.catalogue import get_conditions
from lms_automations.models import Event
from sandbox.lms import services

from .support import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db


# --- event.field --------------------------------------------------------------------------------


def test_a_dotted_path_reads_nested_objects_and_lists(evaluate, ada):
    event = {"course_key": COURSE, "order": {"items": [{"sku": "PRO-1", "amount": "49.00"}]}}
    assert evaluate(ada, "event.field", {"path": "order.items.0.sku", "op": "eq", "value": "PRO-1"},
                    event=event) == (True, "PRO-1")
    assert evaluate(ada, "event.field", {"path": "order.items.0.amount", "op": "gt", "value": 40}, event=event)[0]
    assert evaluate(ada, "event.field", {"path": "order.items.5.sku", "op": "is_not_set"}, event=event) == (True, None)


def test_payload_numbers_and_numeric_text_compare_as_numbers(evaluate, ada):
    assert evaluate(ada, "event.field", {"path": "percent", "op": "gte", "value": 50}, event={"percent": "75"})[0]
    assert evaluate(ada, "event.field", {"path": "level", "op": "in", "value": [2, 3]}, event={"level": "3"})[0]


def test_a_missing_field_matches_only_negations(evaluate, ada):
    for op, expected in [("eq", False), ("ne", True), ("gt", False), ("lte", False), ("is_set", False)]:
        params = {"path": "mode", "op": op} | ({} if op == "is_set" else {"value": "verified"})
        assert evaluate(ada, "event.field", params, event={})[0] is expected, op


# --- event.occurred -----------------------------------------------------------------------------


def test_an_enrolment_is_an_event_the_learner_has_had(evaluate, ada):
    services.create_course(COURSE)
    assert evaluate(ada, "event.occurred", {"event": "enrollment.created"}) == (False, None)
    services.enroll(ada, COURSE)
    result, observed = evaluate(ada, "event.occurred", {"event": "enrollment.created"})
    assert result and observed


def test_the_filter_is_evaluated_against_the_past_events_payload(evaluate, ada):
    services.create_course(COURSE)
    services.create_course(OTHER_COURSE)
    services.enroll(ada, OTHER_COURSE)
    in_course = {"event": "enrollment.created",
                 "filter": {"all": [{"condition": "event.field",
                                     "params": {"path": "course_key", "op": "eq", "value": COURSE}}]}}
    assert not evaluate(ada, "event.occurred", in_course)[0]
    services.enroll(ada, COURSE, mode="verified")
    assert evaluate(ada, "event.occurred", in_course)[0]
    # The LMS enrols in the default mode first (audit), then changes the mode: the event says audit.
    audit = {"event": "enrollment.created",
             "filter": {"condition": "event.field", "params": {"path": "mode", "op": "eq", "value": "audit"}}}
    assert evaluate(ada, "event.occurred", audit)[0]


def test_templates_in_the_filter_are_filled_from_the_event_in_hand(evaluate, ada):
    api.emit("custom.webinar", ada, {"course_key": OTHER_COURSE})
    this_course = {"event": "custom.webinar", "filter": {
        "condition": "event.field", "params": {"path": "course_key", "op": "eq", "value": "{{ event.course_key }}"}}}
    assert not evaluate(ada, "event.occurred", this_course, event={"course_key": COURSE})[0]
    assert evaluate(ada, "event.occurred", this_course, event={"course_key": OTHER_COURSE})[0]


def test_within_a_period(evaluate, ada):
    api.emit("custom.webinar", ada, {"title": "Intro"}, occurred_at=at(2026, 5, 1, 9))
    params = {"event": "custom.webinar", "within": "P7D"}
    with time_machine.travel(at(2026, 5, 7, 9), tick=False):
        assert evaluate(ada, "event.occurred", params) == (True, "2026-05-01T09:00:00+00:00")
    with time_machine.travel(at(2026, 5, 9, 9), tick=False):
        assert evaluate(ada, "event.occurred", params) == (False, None)


def test_ignored_events_and_events_after_now_do_not_count(evaluate, ada):
    api.emit("custom.webinar", ada, {}, occurred_at=at(2026, 5, 1, 9))
    Event.objects.update(dispatch_status=Event.DISPATCH.ignored)
    api.emit("custom.webinar", ada, {}, occurred_at=at(2026, 6, 1, 9))
    assert evaluate(ada, "event.occurred", {"event": "custom.webinar"}, now=at(2026, 5, 15)) == (False, None)
    assert evaluate(ada, "event.occurred", {"event": "custom.webinar"}, now=at(2026, 6, 2))[0]


def test_another_learners_events_do_not_count(evaluate, ada):
    other = services.create_learner("other")
    api.emit("custom.webinar", other, {})
    assert not evaluate(ada, "event.occurred", {"event": "custom.webinar"})[0]


def test_the_nested_filter_is_validated_like_any_condition_tree():
    check = get_conditions()["event.occurred"].check_params
    assert check({"event": "custom.webinar", "filter": {"condition": "event.field",
                                                          "params": {"path": "x", "op": "eq", "value": 1}}}) == []
    errors = check({"event": "custom.webinar",
                    "filter": {"all": [{"condition": "event.feild", "params": {}},
                                       {"condition": "event.field", "params": {"path": "x", "op": "regex",
                                                                               "value": "("}}]}})
    assert [error["path"] for error in errors] == ["params.filter.all[0].condition",
                                                   "params.filter.all[1].params.value"]
    assert "does not compile" in errors[1]["message"]


def test_the_period_is_an_iso_duration():
    check = get_conditions()["event.occurred"].check_params
    assert check({"event": "custom.webinar", "within": "P1DT6H"}) == []
    for bad in ["7 days", "P", "PT", "-P7D", "P1M"]:
        assert [error["path"] for error in check({"event": "custom.webinar", "within": bad})] == ["params.within"], bad


def test_event_occurred_reads_the_recorded_time_not_the_wall_clock(evaluate, ada):
    api.emit("custom.webinar", ada, {}, occurred_at=at(2026, 5, 1, 9))
    now = at(2026, 5, 1, 9) + datetime.timedelta(days=2)
    assert evaluate(ada, "event.occurred", {"event": "custom.webinar", "within": "P2D"}, now=now)[0]
    assert not evaluate(ada, "event.occurred", {"event": "custom.webinar", "within": "P1D"}, now=now)[0]


def test_in_a_trigger_filter_the_event_being_handled_is_not_one_the_learner_has_had_before(ada,
                                                                                       run_on_commit):
    """"First enrolment ever": ``not event.occurred enrollment.created`` holds for the learner's first
    enrolment (the one being handled does not count) and not for the second."""
    from lms_automations.models import Run

    services.create_course(COURSE)
    services.create_course(OTHER_COURSE)
    automation = api.import_automation({
        "format": "lms-automations/v1", "name": "First enrolment", "status": "active",
        "triggers": [{"event": "enrollment.created",
                      "filter": {"not": {"condition": "event.occurred", "params": {"event": "enrollment.created"}}}}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": ["newcomer"]}}],
        "exit_conditions": [],
    })
    with run_on_commit():
        services.enroll(ada, COURSE)
    assert list(Run.objects.filter(automation=automation).values_list("event__payload__course_key", "status")) == [
        (COURSE, Run.STATUS.fulfilled)]
    with run_on_commit():
        services.enroll(ada, OTHER_COURSE)
    assert Run.objects.filter(automation=automation).count() == 1


def test_in_an_exit_condition_the_arriving_event_does_not_count_itself(ada, run_on_commit):
    """Exit "on the second webinar": the first webinar event must not see itself as an earlier one."""
    from lms_automations.models import CustomEventType, Run

    CustomEventType.objects.create(slug="go", label="Go")
    CustomEventType.objects.create(slug="webinar", label="Webinar")
    automation = api.import_automation({
        "format": "lms-automations/v1", "name": "Second webinar", "status": "active",
        "triggers": [{"event": "custom.go", "filter": None}],
        "steps": [{"id": "wait", "type": "wait", "wait": "duration", "params": {"days": 7}}],
        "exit_conditions": [{"event": "custom.webinar", "outcome": "converted",
                             "filter": {"condition": "event.occurred", "params": {"event": "custom.webinar"}}}],
    })
    with run_on_commit():
        api.emit("custom.go", ada, {})
        api.emit("custom.webinar", ada, {})
    run = Run.objects.get(automation=automation)
    assert run.status == Run.STATUS.pending
    with run_on_commit():
        api.emit("custom.webinar", ada, {})
    run.refresh_from_db()
    assert run.status == Run.STATUS.converted
