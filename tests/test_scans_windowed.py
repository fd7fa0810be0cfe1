"""The day's windows go to the host (ADR 0025): it reads only the enrolments whose last activity
may lie in them, never fewer than the full read would give — and the scan still records every
streak once, on its edge days, after missed days, and for a threshold asked for later."""
import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lms_automations import scans
from lms_automations.models import Automation, Event, PeriodicScan, Trigger
from sandbox.lms import models, services
from sandbox.lms.host_backend import SandboxHost

COURSES = ("course-v1:Demo+W1+2026", "course-v1:Demo+W2+2026")
T0 = datetime.datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def at(moment):
    return time_machine.travel(moment, tick=False)


def events():
    return sorted((e.user.username, e.payload["course_key"][-7:], e.payload["days"], e.payload["last_activity_at"])
                  for e in Event.objects.filter(event_type="activity.inactive"))


@pytest.fixture
def listening():
    with at(T0 - datetime.timedelta(seconds=1)):
        automation = Automation.objects.create(name="quiet learners", status=Automation.STATUS.active)
        Trigger.objects.create(automation=automation, position=0, event_type="activity.inactive")
        scans.start_watermarks([7], T0 - datetime.timedelta(seconds=1))
    return automation


def learner(name, enrolled_at, *active_days, course=COURSES[0]):
    """A learner enrolled at ``enrolled_at`` (an instant), active on the days given (instants)."""
    if not models.Course.objects.filter(course_key=course).exists():
        services.create_course(course)
    user = get_user_model().objects.filter(username=name).first() or services.create_learner(name)
    with at(enrolled_at):
        services.enroll(user, course)
    for day in active_days:
        services.record_activity(user, course, at=day)
    return user


def daily_scans(first, last, thresholds=(7,), hour=0):
    """The scan once a day from day ``first`` to ``last`` (days after T0's midnight), at ``hour``."""
    midnight = T0.replace(hour=0, minute=0, second=0, microsecond=0)
    recorded = []
    for day in range(first, last + 1):
        with at(midnight + day * DAY + datetime.timedelta(hours=hour)):
            recorded.append(scans.scan_inactivity(scans.timezone.now(), list(thresholds)))
    return recorded


def test_the_edge_instants_of_a_window_are_recorded_once_on_the_right_day(listening, run_on_commit):
    """A streak reaches 7 days at its last activity + 7 days: the scan at that very instant records
    it; one that reaches it a millisecond later (SQLite's precision) waits for the next day's."""
    midnight = T0.replace(hour=0, minute=0, second=0, microsecond=0)
    scan_day_8 = midnight + 8 * DAY
    learner("ada", scan_day_8 - 7 * DAY)  # reaches 7 days at the day-8 scan itself
    learner("bob", scan_day_8 - 7 * DAY + datetime.timedelta(milliseconds=1))  # a millisecond later
    learner("cy", T0, midnight + 1 * DAY)  # active on day 1: reaches 7 days at day 8's midnight
    learner("dee", T0, midnight + 2 * DAY)  # active on day 2: day 9's midnight
    with run_on_commit():
        assert daily_scans(7, 7) == [0]
        assert daily_scans(8, 8) == [2]  # ada, cy
        assert daily_scans(9, 9) == [2]  # bob, dee
        assert daily_scans(10, 12) == [0, 0, 0]
    assert [(name, last) for name, _course, _days, last in events()] == [
        ("ada", "2026-03-03T00:00:00+00:00"), ("bob", "2026-03-03T00:00:00.001000+00:00"),
        ("cy", "2026-03-03T00:00:00+00:00"), ("dee", "2026-03-04T00:00:00+00:00")]


def test_days_the_tick_missed_are_recorded_once_when_it_runs_again(listening, run_on_commit):
    """Scanned on day 8, then not until day 13: every streak that reached 7 or 14 days in between is
    recorded by that scan (the windows are wider, merged into one span), and none again."""
    midnight = T0.replace(hour=0, minute=0, second=0, microsecond=0)
    scans.start_watermarks([14], T0 - datetime.timedelta(seconds=1))
    for day in range(1, 6):
        learner(f"day{day}", T0, midnight + day * DAY)
    learner("enrolled", midnight + 4 * DAY + datetime.timedelta(hours=13))
    with run_on_commit():
        assert daily_scans(8, 8, thresholds=(7, 14)) == [1]  # day1
        assert daily_scans(13, 13, thresholds=(7, 14), hour=6) == [5]  # day2..day5, enrolled
        # 14 days: day1 on day 15 … day5 on day 19, enrolled (day 4, 13:00) by day 19's scan too.
        assert daily_scans(14, 20, thresholds=(7, 14), hour=6) == [0, 1, 1, 1, 1, 2, 0]
    assert [(name, days) for name, _course, days, _last in events()] == [
        ("day1", 7), ("day1", 14), ("day2", 7), ("day2", 14), ("day3", 7), ("day3", 14), ("day4", 7), ("day4", 14),
        ("day5", 7), ("day5", 14), ("enrolled", 7), ("enrolled", 14)]


def test_a_threshold_asked_for_later_hears_only_streaks_that_reach_it_afterwards(listening, run_on_commit):
    midnight = T0.replace(hour=0, minute=0, second=0, microsecond=0)
    learner("early", T0, midnight + 1 * DAY)  # reaches 10 days on day 11
    learner("late", T0, midnight + 5 * DAY)  # reaches 10 days on day 15
    with run_on_commit():
        assert daily_scans(8, 11) == [1, 0, 0, 0]  # early reaches 7
        with at(midnight + 12 * DAY + datetime.timedelta(hours=3)):
            scans.start_watermarks([10], scans.timezone.now())  # an automation asks for 10 days now
        assert daily_scans(12, 16, thresholds=(7, 10), hour=4) == [1, 0, 0, 1, 0]  # late: 7 on day 12, 10 on day 15
    assert [(name, days) for name, _course, days, _last in events()] == [("early", 7), ("late", 7), ("late", 10)]


def test_unenrolled_learners_are_not_candidates_however_recent_their_activity(listening, run_on_commit):
    midnight = T0.replace(hour=0, minute=0, second=0, microsecond=0)
    gone = learner("gone", T0, midnight + 1 * DAY)
    learner("other", T0, midnight + 1 * DAY, course=COURSES[1])
    services.unenroll(gone, COURSES[0])
    learner("gone", T0 - 10 * DAY, course=COURSES[1])  # still enrolled elsewhere, never active there
    spans = [(midnight, midnight + 2 * DAY)]
    assert sorted((row["user_id"], row["course_key"]) for row in SandboxHost().enrollment_activity(None, None, spans)
                  ) == [(get_user_model().objects.get(username="other").pk, COURSES[1])]
    with run_on_commit():
        assert daily_scans(8, 8) == [1]
    assert [name for name, *_rest in events()] == ["other"]


def test_the_host_reads_the_candidates_of_the_windows_not_every_enrolment(listening):
    midnight = T0.replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(10):
        learner(f"active{day}", T0 - 30 * DAY, midnight + day * DAY)
    learner("new", midnight + 3 * DAY + datetime.timedelta(hours=2))
    spans = [(midnight + 2 * DAY + datetime.timedelta(hours=5), midnight + 3 * DAY + datetime.timedelta(hours=5))]
    rows = list(SandboxHost().enrollment_activity(None, None, spans))
    assert sorted(get_user_model().objects.get(pk=row["user_id"]).username for row in rows) == ["active3", "new"], (
        "active on day 3 (midnight in the span) or enrolled in it; not day 2's midnight, before the span")


OFFSETS = st.integers(min_value=0, max_value=20 * 24 * 60)  # minutes after T0


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(site=st.lists(st.tuples(OFFSETS, st.sets(st.integers(min_value=0, max_value=20), max_size=3), st.booleans()),
                     min_size=4, max_size=8),
       spans=st.lists(st.tuples(OFFSETS, st.integers(min_value=1, max_value=8 * 24 * 60)), min_size=1, max_size=3))
def test_the_windowed_read_is_never_short_of_the_full_one(site, spans):
    """Whatever the enrolments, activity days and spans: every enrolment of the full read whose last
    activity lies in a span is in the windowed read, with the same values, and nothing else is."""
    models.UserActivity.objects.all().delete()
    models.CourseEnrollment.objects.all().delete()
    for key in COURSES:
        models.Course.objects.get_or_create(course_key=key, defaults={"display_name": key, "org": "Demo"})
    users = list(get_user_model().objects.filter(username__startswith="w").order_by("pk"))
    users += [get_user_model().objects.create(username=f"w{i}") for i in range(len(users), len(site))]
    midnight = T0.replace(hour=0, minute=0, second=0, microsecond=0)
    for user, (made, days, active) in zip(users, site, strict=False):
        course = models.Course.objects.get(course_key=COURSES[made % 2])
        enrollment = models.CourseEnrollment.objects.create(user=user, course=course, is_active=active)
        models.CourseEnrollment.objects.filter(pk=enrollment.pk).update(created=T0 + datetime.timedelta(minutes=made))
        for day in days:
            models.UserActivity.objects.create(user=user, course_key=course.course_key,
                                               date=(midnight + day * DAY).date())
    spans = [(T0 + datetime.timedelta(minutes=start), T0 + datetime.timedelta(minutes=start + length))
             for start, length in spans]
    host = SandboxHost()
    full = {(row["user_id"], row["course_key"], row["last_activity_at"]) for row in host.enrollment_activity()}
    windowed = [(row["user_id"], row["course_key"], row["last_activity_at"])
                for row in host.enrollment_activity(None, None, spans)]
    due = {row for row in full if any(after < row[2] <= upto for after, upto in spans)}
    assert due <= set(windowed) <= full
    assert len(windowed) == len(set(windowed)), "each enrolment once"


def test_a_scan_with_no_window_today_reads_nothing(listening, monkeypatch):
    PeriodicScan.objects.filter(name__startswith="inactivity:").delete()
    learner("ada", T0)

    def unread(*args):
        raise AssertionError("the host was read although no threshold has a window today")

    monkeypatch.setattr(SandboxHost, "enrollment_activity", unread)
    with at(T0 + 30 * DAY):
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14]) == 0  # both start their watermarks today


def test_candidate_spans_merge_the_windows_of_a_backlog_and_keep_a_daily_scans_apart():
    now = T0
    daily = [(7, now - 8 * DAY, now - 7 * DAY), (14, now - 15 * DAY, now - 14 * DAY)]
    backlog = [(7, now - 48 * DAY, now - 7 * DAY), (14, now - 55 * DAY, now - 14 * DAY)]
    slack = scans.SPAN_SLACK
    assert scans.candidate_spans(daily) == [(now - 15 * DAY - slack, now - 14 * DAY + slack),
                                            (now - 8 * DAY - slack, now - 7 * DAY + slack)]
    assert scans.candidate_spans(backlog) == [(now - 55 * DAY - slack, now - 7 * DAY + slack)]
    assert scans.candidate_spans([]) == []
