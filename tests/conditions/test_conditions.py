"""Conditions against the sandbox LMS and the plugin's data, as a branch would evaluate them."""
import datetime

import pytest
import time_machine

from lms_automations.engine.conditions import evaluate_tree
from lms_automations.engine.context import StepContext
from lms_automations.models import LearnerTag, PointsEntry, Run
from sandbox.lms import services

COURSE = "course-v1:Demo+W1+2026"
pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    services.create_course(COURSE, units=[["html:a", "html:b"], ["problem:c"]],
                           end=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC))
    return services.create_learner("ada", "ada@example.com", time_zone="Europe/Paris")


def check(user, tree, event=None):
    return evaluate_tree(tree, StepContext(user_id=user.pk, event=event or {"course_key": COURSE}))


def leaf(key, **params):
    return {"condition": key, "params": params}


def test_progress_counts_complete_units_in_percent(ada):
    course = services.get_course(COURSE)
    services.enroll(ada, COURSE)
    services.complete_block(ada, course.block_keys()[0])
    evaluation = check(ada, leaf("course.progress", course_key="{{ event.course_key }}", op="gt", value=0))
    assert evaluation.result is False and evaluation.leaves[0]["observed"] == 0.0
    services.complete_block(ada, course.block_keys()[1])
    evaluation = check(ada, leaf("course.progress", course_key=COURSE, op="gte", value=50))
    assert evaluation.result is True and evaluation.leaves[0]["observed"] == 50.0


def test_grade_is_converted_to_percent_and_missing_grade_is_zero(ada):
    assert check(ada, leaf("course.grade", course_key=COURSE, op="eq", value=0)).result
    services.set_grade(ada, COURSE, 0.85, True)
    evaluation = check(ada, {"all": [leaf("course.grade", course_key=COURSE, op="gte", value=85),
                                     leaf("course.passed", course_key=COURSE)]})
    assert evaluation.result and [item["observed"] for item in evaluation.leaves] == [85.0, 85.0]


def test_enrolment_modes_and_inactive_enrolments(ada):
    assert not check(ada, leaf("course.enrolled", course_key=COURSE)).result
    services.enroll(ada, COURSE, mode="verified")
    assert check(ada, leaf("course.enrolled", course_key=COURSE, modes=["verified"])).result
    services.unenroll(ada, COURSE)
    assert not check(ada, leaf("course.enrolled", course_key=COURSE)).result
    assert check(ada, leaf("course.enrolled", course_key=COURSE, active=False)).result


def test_not_any_all_and_the_recorded_explanation(ada):
    LearnerTag.objects.create(user=ada, tag="vip-2026")
    PointsEntry.objects.create(user=ada, amount=30)
    tree = {"all": [leaf("learner.has_tag", tag="vip", match="partial"),
                    {"not": leaf("learner.points", op="gte", value=50)},
                    {"any": [leaf("learner.field", field="email", op="ends_with", value="@example.com"),
                             leaf("cohort.member", course_key=COURSE, cohort="A")]}]}
    evaluation = check(ada, tree)
    assert evaluation.result
    assert [(item["condition"], item["result"]) for item in evaluation.leaves] == [
        ("learner.has_tag", True), ("learner.points", False), ("learner.field", True), ("cohort.member", False)]


def test_days_left_and_last_activity_by_the_clock(ada):
    services.enroll(ada, COURSE, mode="verified")
    with time_machine.travel(datetime.datetime(2026, 8, 20, tzinfo=datetime.UTC), tick=False):
        services.record_activity(ada, COURSE)
    with time_machine.travel(datetime.datetime(2026, 8, 27, tzinfo=datetime.UTC), tick=False):
        evaluation = check(ada, {"all": [leaf("course.days_left", course_key=COURSE, op="lte", days=5),
                                         leaf("course.last_activity", course_key=COURSE, op="gte", days=7)]})
    assert evaluation.result and [item["observed"] for item in evaluation.leaves] == [5, 7]


def test_event_field_and_event_occurred(ada):
    assert check(ada, leaf("event.field", path="detail.level", op="in", value=[2, 3]),
                 event={"detail": {"level": "3"}}).result
    assert not check(ada, leaf("event.occurred", event="tag.added")).result


def test_automation_run_state(ada):
    from lms_automations.models import Automation

    other = Automation.objects.create(name="other")
    assert check(ada, leaf("automation.run", automation_id=other.pk, state="never")).result
    Run.objects.create(automation=other, user=ada, status="converted", started_at=datetime.datetime.now(datetime.UTC))
    assert check(ada, leaf("automation.run", automation_id=other.pk, state="converted")).result
    assert not check(ada, leaf("automation.run", automation_id=other.pk, state="active")).result


def test_subscribed_follows_the_hosts_is_marketable(ada):
    from sandbox.lms.models import UserAttribute

    assert check(ada, leaf("learner.subscribed")).result
    UserAttribute.objects.create(user=ada, name="is_marketable", value="false")
    assert not check(ada, leaf("learner.subscribed")).result
