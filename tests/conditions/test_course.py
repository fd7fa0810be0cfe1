"""Course conditions against the sandbox LMS: the cases a course team meets."""
import datetime
from types import SimpleNamespace

import pytest
import time_machine

from lms_automations.conditions.course import UnitProgress
from lms_automations.engine.errors import PermanentError
from sandbox.lms import services

from .support import COURSE, COURSE_END, OTHER_COURSE, at, complete_unit, unit_key

pytestmark = pytest.mark.django_db


# --- course.enrolled ----------------------------------------------------------------------------


def test_not_enrolled_matches_neither_active_nor_inactive(evaluate, ada, course):
    assert evaluate(ada, "course.enrolled", {"course_key": COURSE}) == (False, None)
    assert evaluate(ada, "course.enrolled", {"course_key": COURSE, "active": False}) == (False, None)


def test_enrolled_in_one_of_the_modes(evaluate, ada, course):
    services.enroll(ada, COURSE, mode="verified")
    assert evaluate(ada, "course.enrolled", {"course_key": COURSE}) == (True, {"mode": "verified", "is_active": True})
    assert evaluate(ada, "course.enrolled", {"course_key": COURSE, "modes": ["verified", "honor"]})[0]
    assert not evaluate(ada, "course.enrolled", {"course_key": COURSE, "modes": ["audit"]})[0]


def test_an_unenrolled_learner_is_not_enrolled_but_matches_active_false(evaluate, ada, course):
    services.enroll(ada, COURSE)
    services.unenroll(ada, COURSE)
    assert evaluate(ada, "course.enrolled", {"course_key": COURSE}) == (False, {"mode": "audit", "is_active": False})
    assert evaluate(ada, "course.enrolled", {"course_key": COURSE, "active": False})[0]


def test_the_course_key_template_reads_the_event(evaluate, ada, course):
    services.create_course(OTHER_COURSE)
    services.enroll(ada, OTHER_COURSE)
    params = {"course_key": "{{ event.course_key }}"}
    assert evaluate(ada, "course.enrolled", params, event={"course_key": OTHER_COURSE})[0]
    assert not evaluate(ada, "course.enrolled", params, event={"course_key": COURSE})[0]


def test_a_course_key_template_that_renders_empty_is_an_error_not_any_course(evaluate, ada, course):
    with pytest.raises(PermanentError, match="course key is empty"):
        evaluate(ada, "course.enrolled", {"course_key": "{{ event.course_key }}"}, event={})


# --- course.progress / lesson_completed / completed ---------------------------------------------


def test_progress_counts_whole_units_in_percent(evaluate, ada, course):
    params = {"course_key": COURSE, "op": "gt", "value": 0}
    assert evaluate(ada, "course.progress", params) == (False, 0.0)
    services.complete_block(ada, course.units.get(position=1).blocks.first().usage_key)
    assert evaluate(ada, "course.progress", params) == (False, 0.0), "half a unit is not a unit"
    complete_unit(ada, course, 1)
    assert evaluate(ada, "course.progress", params) == (True, 33.3)
    complete_unit(ada, course, 2)
    assert evaluate(ada, "course.progress", {"course_key": COURSE, "op": "gte", "value": 66.6}) == (True, 66.6)


def test_progress_never_rounds_up_to_complete():
    # 1999 of 2000 units is 99.95 %: rounding would show 100 and pass "gte 100" before the end.
    outline = [{"key": f"unit-{i}", "blocks": [f"block-{i}"]} for i in range(2000)]
    host = SimpleNamespace(get_course_outline=lambda course_key: outline,
                           completed_blocks=lambda user_id, course_key: {f"block-{i}" for i in range(1999)})
    progress = UnitProgress(SimpleNamespace(host=host, user_id=1), COURSE)
    assert (progress.percent, progress.complete) == (99.9, False)


def test_a_course_without_units_is_at_zero_and_never_completed(evaluate, ada):
    services.create_course(COURSE, units=[])
    assert evaluate(ada, "course.progress", {"course_key": COURSE, "op": "eq", "value": 0}) == (True, 0.0)
    assert evaluate(ada, "course.completed", {"course_key": COURSE}) == (False, 0.0)


def test_units_without_blocks_are_left_out(evaluate, ada):
    course = services.create_course(COURSE, units=[[], ["html:only"]])
    complete_unit(ada, course, 2)
    assert evaluate(ada, "course.progress", {"course_key": COURSE, "op": "eq", "value": 100}) == (True, 100.0)
    assert evaluate(ada, "course.completed", {"course_key": COURSE}) == (True, 100.0)


def test_completed_needs_every_unit(evaluate, ada, course):
    complete_unit(ada, course, 1)
    complete_unit(ada, course, 2)
    assert evaluate(ada, "course.completed", {"course_key": COURSE}) == (False, 66.6)
    complete_unit(ada, course, 3)
    assert evaluate(ada, "course.completed", {"course_key": COURSE}) == (True, 100.0)


def test_lesson_completed_is_any_of_the_lessons(evaluate, ada, course):
    first, second = unit_key(course, 1), unit_key(course, 2)
    params = {"course_key": COURSE, "lesson_keys": [first, second]}
    assert evaluate(ada, "course.lesson_completed", params) == (False, [])
    complete_unit(ada, course, 2)
    assert evaluate(ada, "course.lesson_completed", params) == (True, [second])


def test_lesson_completed_reads_the_lesson_of_the_event(evaluate, ada, course):
    complete_unit(ada, course, 1)
    params = {"course_key": "{{ event.course_key }}", "lesson_keys": ["{{ event.lesson_key }}"]}
    event = {"course_key": COURSE, "lesson_key": unit_key(course, 1)}
    assert evaluate(ada, "course.lesson_completed", params, event=event)[0]


def test_lesson_keys_that_are_not_units_of_the_course_are_an_error(evaluate, ada, course):
    with pytest.raises(PermanentError, match="none of .* is a unit"):
        evaluate(ada, "course.lesson_completed", {"course_key": COURSE, "lesson_keys": ["block-v1:typo"]})


def test_a_course_the_lms_does_not_have_is_an_error(evaluate, ada):
    with pytest.raises(PermanentError, match="no course"):
        evaluate(ada, "course.progress", {"course_key": "course-v1:No+Such+Course", "op": "gt", "value": 0})


# --- course.grade / course.passed ---------------------------------------------------------------


def test_no_grade_yet_is_zero_and_not_passed(evaluate, ada, course):
    assert evaluate(ada, "course.grade", {"course_key": COURSE, "op": "lt", "value": 50}) == (True, 0.0)
    assert evaluate(ada, "course.passed", {"course_key": COURSE}) == (False, None)


def test_the_lms_fraction_is_a_percent(evaluate, ada, course):
    services.set_grade(ada, COURSE, 0.85, True)
    assert evaluate(ada, "course.grade", {"course_key": COURSE, "op": "gte", "value": 85}) == (True, 85.0)
    assert not evaluate(ada, "course.grade", {"course_key": COURSE, "op": "gt", "value": 85})[0]
    assert evaluate(ada, "course.passed", {"course_key": COURSE}) == (True, 85.0)


def test_a_failing_grade_has_not_passed(evaluate, ada, course):
    services.set_grade(ada, COURSE, 0.3, False)
    assert evaluate(ada, "course.passed", {"course_key": COURSE}) == (False, 30.0)
    assert evaluate(ada, "course.grade", {"course_key": COURSE, "op": "eq", "value": 30}) == (True, 30.0)


# --- course.certificate -------------------------------------------------------------------------


def test_certificate_default_is_downloadable(evaluate, ada, course):
    assert evaluate(ada, "course.certificate", {"course_key": COURSE}) == (False, None)
    services.award_certificate(ada, COURSE)
    assert evaluate(ada, "course.certificate", {"course_key": COURSE}) == (True, "downloadable")


def test_a_revoked_certificate_matches_only_its_status(evaluate, ada, course):
    services.award_certificate(ada, COURSE)
    services.revoke_certificate(ada, COURSE)
    assert evaluate(ada, "course.certificate", {"course_key": COURSE}) == (False, "notpassing")
    assert evaluate(ada, "course.certificate", {"course_key": COURSE, "statuses": ["notpassing"]})[0]


# --- course.last_activity / course.days_left ----------------------------------------------------


def test_days_since_last_activity(evaluate, ada, course):
    services.enroll(ada, COURSE)
    services.record_activity(ada, COURSE, at=at(2026, 5, 20, 9))
    params = {"course_key": COURSE, "op": "gte", "days": 7}
    with time_machine.travel(at(2026, 5, 26, 12), tick=False):
        assert evaluate(ada, "course.last_activity", params) == (False, 6)
    with time_machine.travel(at(2026, 5, 27, 12), tick=False):
        assert evaluate(ada, "course.last_activity", params) == (True, 7)


def test_a_learner_never_active_counts_from_enrolment(evaluate, ada, course):
    with time_machine.travel(at(2026, 5, 1, 8), tick=False):
        services.enroll(ada, COURSE)
    with time_machine.travel(at(2026, 5, 11, 9), tick=False):
        assert evaluate(ada, "course.last_activity", {"course_key": COURSE, "op": "gte", "days": 7}) == (True, 10)


def test_a_learner_neither_active_nor_enrolled_never_matches(evaluate, ada, course):
    assert evaluate(ada, "course.last_activity", {"course_key": COURSE, "op": "gte", "days": 0}) == (False, None)


def test_days_left_until_the_course_ends_for_a_verified_learner(evaluate, ada, course):
    services.enroll(ada, COURSE, mode="verified")
    with time_machine.travel(COURSE_END - datetime.timedelta(days=5, hours=3), tick=False):
        assert evaluate(ada, "course.days_left", {"course_key": COURSE, "op": "lte", "days": 5}) == (True, 5)
    with time_machine.travel(COURSE_END + datetime.timedelta(days=2), tick=False):
        assert evaluate(ada, "course.days_left", {"course_key": COURSE, "op": "lt", "days": 0}) == (True, -2)


def test_days_left_of_audit_access(evaluate, ada, course):
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        services.enroll(ada, COURSE, mode="audit")
    with time_machine.travel(at(2026, 5, 22, 12), tick=False):  # four weeks of audit access: 7 days left
        assert evaluate(ada, "course.days_left", {"course_key": COURSE, "op": "eq", "days": 7}) == (True, 7)


def test_access_without_an_end_is_unlimited(evaluate, ada):
    services.create_course(COURSE, modes=("verified",), end=None)
    services.enroll(ada, COURSE, mode="verified")
    for op, expected in [("gt", True), ("gte", True), ("ne", True), ("eq", False), ("lt", False), ("lte", False)]:
        assert evaluate(ada, "course.days_left", {"course_key": COURSE, "op": op, "days": 30}) == (expected, None), op
