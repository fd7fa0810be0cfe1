"""cohort.member against the sandbox LMS's cohorts."""
import pytest

from sandbox.lms import services

from .support import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db


def test_a_learner_in_no_cohort_is_in_none(evaluate, ada, course):
    assert evaluate(ada, "cohort.member", {"course_key": COURSE, "cohort": "A"}) == (False, None)


def test_the_cohort_of_this_course_by_exact_name(evaluate, ada, course):
    services.create_course(OTHER_COURSE)
    services.join_cohort(ada, COURSE, "Evening")
    services.join_cohort(ada, OTHER_COURSE, "Morning")
    assert evaluate(ada, "cohort.member", {"course_key": COURSE, "cohort": "Evening"}) == (True, "Evening")
    assert evaluate(ada, "cohort.member", {"course_key": COURSE, "cohort": "evening"}) == (False, "Evening")
    assert not evaluate(ada, "cohort.member", {"course_key": COURSE, "cohort": "Morning"})[0]


def test_moving_cohorts_leaves_the_old_one(evaluate, ada, course):
    services.join_cohort(ada, COURSE, "Evening")
    services.join_cohort(ada, COURSE, "Weekend")
    params = {"course_key": "{{ event.course_key }}", "cohort": "Evening"}
    assert evaluate(ada, "cohort.member", params) == (False, "Weekend")
