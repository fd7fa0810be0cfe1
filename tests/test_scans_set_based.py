"""The set-based inactivity scan (ADR 0014): learner-id ranges, one statement per range, a watermark
per threshold — and still once per streak per threshold, with the same key and payload whichever
way the host hands its enrolments over."""
import datetime

import pytest
import time_machine
from django.db.models import QuerySet
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lms_automations import scans
from lms_automations.models import Automation, Event, Trigger
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

COURSES = ("course-v1:Demo+S1+2026", "course-v1:Demo+S2+2026")
T0 = datetime.datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=datetime.UTC)
pytestmark = pytest.mark.django_db


def at(days, **more):
    return time_machine.travel(T0 + datetime.timedelta(days=days, **more), tick=False)


def stored():
    return sorted((e.user.username, e.payload["course_key"], e.payload["days"], e.payload["last_activity_at"],
                   e.idempotency_key) for e in Event.objects.filter(event_type="activity.inactive"))


@pytest.fixture
def listening():
    """Listening since T0: the operator's thresholds (7, 14, 30) start their watermarks then."""
    with at(0, seconds=-1):
        automation = Automation.objects.create(name="quiet learners", status=Automation.STATUS.active)
        Trigger.objects.create(automation=automation, position=0, event_type="activity.inactive")
    return automation


def watermarks_from_t0():
    """As after the activation at T0: every watermark starts again there."""
    from lms_automations.models import PeriodicScan

    PeriodicScan.objects.filter(name__startswith="inactivity:").delete()
    scans.start_watermarks([7, 14, 30], T0 - datetime.timedelta(seconds=1))


@pytest.fixture
def site():
    """Five learners in two courses: some active on a day, some never since enrolling (an instant
    with microseconds), one unenrolled."""
    for key in COURSES:
        services.create_course(key)
    learners = {}
    with at(0):
        for name in ("ada", "bob", "cy", "dee", "eve"):
            learners[name] = services.create_learner(name, f"{name}@example.com")
            for key in COURSES:
                services.enroll(learners[name], key)
        services.record_activity(learners["ada"], COURSES[0])
    with at(3):
        services.record_activity(learners["bob"], COURSES[1])
        services.unenroll(learners["eve"], COURSES[0])
    return learners


def test_both_ways_of_reading_the_host_record_the_same_keys_and_payloads(site, listening, monkeypatch,
                                                                          run_on_commit):
    with at(40), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 30]) == 18
    in_sql = stored()
    Event.objects.all().delete()
    watermarks_from_t0()
    original = SandboxHost.enrollment_activity
    monkeypatch.setattr(SandboxHost, "enrollment_activity", lambda self, *bounds: iter(
        (row["user_id"], row["course_key"], row["last_activity_at"]) for row in original(self, *bounds)))
    with at(40), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 30]) == 18
    assert stored() == in_sql
    assert ("ada", COURSES[0], 7, "2026-03-02T00:00:00+00:00", f"inactive:{site['ada'].pk}:{COURSES[0]}:7:2026-03-02"
            ) in in_sql
    assert ("cy", COURSES[1], 30, "2026-03-02T09:00:00.250000+00:00",
            f"inactive:{site['cy'].pk}:{COURSES[1]}:30:2026-03-02") in in_sql, "enrolled, never active since"
    assert not [row for row in in_sql if row[0] == "eve" and row[1] == COURSES[0]], "unenrolled: not scanned"


def test_the_host_gives_the_scan_a_query_in_the_plugins_database(site):
    assert isinstance(SandboxHost().enrollment_activity(), QuerySet)


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.integers(min_value=1, max_value=12))
def test_any_range_size_records_every_streak_exactly_once(site, listening, run_on_commit, batch):
    Event.objects.all().delete()
    watermarks_from_t0()
    with at(20), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14], batch=batch) == 18
    assert len({row[-1] for row in stored()}) == 18
    with at(21), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14], batch=batch) == 0


def test_each_day_records_only_the_streaks_that_reached_a_threshold_since(site, listening, run_on_commit):
    with at(8), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14]) == 8  # everyone but bob in S2 (active day 3)
    with at(10), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14]) == 1  # bob's S2 streak reached 7 on day 10
    with at(13), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14]) == 0
    with at(14), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14]) == 8  # 14 days to the microsecond
    with at(17, hours=1), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 14]) == 1  # bob's S2 streak, scan days missed
    assert Event.objects.filter(event_type="activity.inactive").count() == 18


def test_a_scan_that_died_half_way_is_completed_next_day_without_repeats(site, listening, monkeypatch, run_on_commit):
    original = scans._scan_range  # pylint: disable=protected-access
    calls = []

    def dies_on_the_third_range(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return original(*args)

    monkeypatch.setattr(scans, "_scan_range", dies_on_the_third_range)
    with at(8), run_on_commit(), pytest.raises(RuntimeError):
        scans.scan_inactivity(scans.timezone.now(), [7], batch=2)
    half = Event.objects.filter(event_type="activity.inactive").count()
    assert 0 < half < 8
    monkeypatch.setattr(scans, "_scan_range", original)
    with at(9), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7], batch=2) == 8 - half
    assert Event.objects.filter(event_type="activity.inactive").count() == 8


def test_a_new_threshold_starts_when_it_is_first_asked_for_not_at_the_dawn_of_time(site, listening,
                                                                                  run_on_commit):
    with at(8), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7]) == 8
    with at(10), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7]) == 1  # bob's S2 streak
    # Day 30: 20 days is asked for the first time; every streak reached it by day 23, before that.
    with at(30), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 20]) == 0
    with at(31), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7, 20]) == 0
    with at(35), run_on_commit():
        services.record_activity(site["ada"], COURSES[0])
    with at(56), run_on_commit():
        # ada's new streak reaches 20 on day 55 (and 7 on day 42): after the threshold was asked for.
        assert scans.scan_inactivity(scans.timezone.now(), [7, 20]) == 2
    assert sorted((e.payload["days"], e.payload["last_activity_at"][:10]) for e in Event.objects.filter(
        user=site["ada"], event_type="activity.inactive", payload__course_key=COURSES[0])) == [
        (7, "2026-03-02"), (7, "2026-04-06"), (20, "2026-04-06")]


def test_new_activity_starts_a_new_streak(site, listening, run_on_commit):
    with at(8), run_on_commit():
        scans.scan_inactivity(scans.timezone.now(), [7])
    with at(9):
        services.record_activity(site["ada"], COURSES[0])
    with at(16, hours=1), run_on_commit():
        assert scans.scan_inactivity(scans.timezone.now(), [7]) == 2  # ada's new streak; bob's S2 (day 10)
    assert sorted(e.payload["last_activity_at"][:10] for e in Event.objects.filter(
        user=site["ada"], event_type="activity.inactive", payload__course_key=COURSES[0])) == [
        "2026-03-02", "2026-03-11"]
