"""course_date: waits relative to the dates the LMS holds for the course and the learner."""
import datetime
import re

import pytest
import time_machine

from lms_automations.engine.errors import EndRun, PermanentError
from lms_automations.waits.course_dates import CourseDateWait
from sandbox.lms import services

UTC = datetime.UTC
COURSE = "course-v1:Demo+W1+2026"
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
END = datetime.datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
ENROLLED = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return services.create_course(COURSE, start=START, end=END)


@pytest.fixture
def clock():
    with time_machine.travel(ENROLLED, tick=False) as traveller:
        yield traveller


def test_anchors_for_a_verified_learner(course, clock, ada, due):
    services.enroll(ada, COURSE, mode="verified")
    params = {"course_key": COURSE}
    assert due(ada, "course_date", {**params, "anchor": "end", "offset": "-P3D"}) == END - datetime.timedelta(days=3)
    assert due(ada, "course_date", {**params, "anchor": "enrollment", "offset": "P2D"}) == \
        ENROLLED + datetime.timedelta(days=2)
    assert due(ada, "course_date", {**params, "anchor": "start", "offset": "P30D"}) == \
        START + datetime.timedelta(days=30)
    assert due(ada, "course_date", {**params, "anchor": "upgrade_deadline", "offset": "-PT12H"}) == \
        END - datetime.timedelta(days=10, hours=12)  # the sandbox's deadline: ten days before the end


def test_end_is_when_an_audit_learners_access_ends(course, clock, ada, due):
    services.enroll(ada, COURSE, mode="audit")
    # The sandbox limits audit access to four weeks from enrolment, well before the course ends.
    assert due(ada, "course_date", {"course_key": COURSE, "anchor": "end", "offset": "-P3D"}) == \
        ENROLLED + datetime.timedelta(weeks=4) - datetime.timedelta(days=3)


def test_the_course_defaults_to_the_events(course, clock, ada, due):
    services.enroll(ada, COURSE, mode="verified")
    assert due(ada, "course_date", {"anchor": "end"}, event={"course_key": COURSE}) == END
    assert due(ada, "course_date", {"course_key": "{{ event.course_key }}", "anchor": "end"},
               event={"course_key": COURSE}) == END
    with pytest.raises(PermanentError, match="params.course_key: no course to read dates from"):
        due(ada, "course_date", {"anchor": "end"})


def test_a_moment_already_past_continues_or_ends_the_run(course, clock, ada, due):
    services.enroll(ada, COURSE, mode="verified")
    assert due(ada, "course_date", {"course_key": COURSE, "anchor": "start"}) == START  # ≤ now: go on
    with pytest.raises(EndRun, match="the course's start date \\(offset none\\) had already passed"):
        due(ada, "course_date", {"course_key": COURSE, "anchor": "start", "if_past": "end"})


def test_missing_dates_fail_the_run_saying_which(clock, ada, due):
    services.create_course(COURSE)  # no start, no end
    with pytest.raises(PermanentError, match=re.escape(f"params.anchor: {COURSE} has no start date for this learner")):
        due(ada, "course_date", {"course_key": COURSE, "anchor": "start"})
    with pytest.raises(PermanentError, match="has no end of access"):
        due(ada, "course_date", {"course_key": COURSE, "anchor": "end"})
    with pytest.raises(PermanentError, match=re.escape(f"the learner is not enrolled in {COURSE}")):
        due(ada, "course_date", {"course_key": COURSE, "anchor": "enrollment"})
    with pytest.raises(PermanentError, match="has no upgrade deadline"):
        due(ada, "course_date", {"course_key": COURSE, "anchor": "upgrade_deadline"})
    with pytest.raises(PermanentError, match="the LMS has no course course-v1:Demo\\+Nope\\+2026"):
        due(ada, "course_date", {"course_key": "course-v1:Demo+Nope+2026", "anchor": "start"})


def test_params():
    assert CourseDateWait.check_params({"course_key": "{{ event.course_key }}", "anchor": "end", "offset": "-P3D",
                                        "if_past": "end"}) == []
    assert CourseDateWait.check_params({"anchor": "finish"}) == [
        {"path": "params.anchor", "message": "must be one of start, end, enrollment, upgrade_deadline (got 'finish')"}]
    [error] = CourseDateWait.check_params({"anchor": "end", "offset": "3 days before"})
    assert error["path"] == "params.offset" and "-P3D" in error["message"]


@pytest.mark.parametrize("offset", ["-P3651D", "P99999999999D", "-P99999999999D"])
def test_an_offset_beyond_ten_years_is_refused_and_fails_a_stored_run_saying_so(course, clock, ada, due, offset):
    """Such an offset used to raise OverflowError when the learner reached the wait (retried as a
    transient error); validation refuses it, and a run of a document stored before fails with the reason."""
    [error] = CourseDateWait.check_params({"anchor": "end", "offset": offset})
    assert error == {"path": "params.offset",
                     "message": f"an offset may be at most 3,650 days (ten years); got {offset}"}
    assert CourseDateWait.check_params({"anchor": "end", "offset": "-P3650D"}) == []
    services.enroll(ada, COURSE, mode="verified")
    with pytest.raises(PermanentError, match=re.escape(f"params.offset: '{offset}' is too long")):
        due(ada, "course_date", {"course_key": COURSE, "anchor": "start", "offset": offset})
