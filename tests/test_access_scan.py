"""The daily access scan (``happened/access_scan.py``) over the sandbox LMS: a watermark, one event
per learner, course, reason and date, and only ends after the scan began — or after someone listens."""
import datetime

import pytest
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lms_automations import scans
from lms_automations.happened import access_scan
from lms_automations.models import Automation, Event, PeriodicScan, Trigger
from sandbox.lms import services
from sandbox.lms.host_backend import SandboxHost

COURSE = "course-v1:Demo+AX1+2026"
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


def listen():
    Trigger.objects.create(automation=Automation.objects.create(name="access", status="active"), position=0,
                           event_type="access.ended")


@pytest.fixture
def ada():
    services.create_course(COURSE, start=T0 - DAY, end=T0 + datetime.timedelta(days=90))
    learner = services.create_learner("ada", "ada@example.com")
    with time_machine.travel(T0, tick=False):
        services.enroll(learner, COURSE)  # audit: access ends four weeks later
    return learner


def expired():
    return list(Event.objects.filter(event_type="access.ended").values_list("payload__ended_at", flat=True))


def test_nobody_listening_asks_the_lms_nothing_but_moves_the_watermark(ada, monkeypatch, run_on_commit):
    asked = []
    monkeypatch.setattr(SandboxHost, "access_ends_between", lambda self, *span: asked.append(span) or [])
    expiry = T0 + datetime.timedelta(weeks=4)
    assert access_scan.scan_access_ends(expiry + DAY) == 0
    assert asked == []
    assert PeriodicScan.objects.get(name=access_scan.WATERMARK).last_run_at == expiry + DAY
    monkeypatch.undo()
    listen()  # activated after ada's access ended: she is not announced
    with run_on_commit():
        assert access_scan.scan_access_ends(expiry + 2 * DAY) == 0
    assert expired() == []


def test_an_upgraded_learners_access_ends_with_the_course_instead(ada, run_on_commit):
    listen()
    access_scan.scan_access_ends(T0)
    course_end = T0 + datetime.timedelta(days=90)
    services.change_mode(ada, COURSE, "verified")  # access now lasts until the course ends
    with run_on_commit():
        assert access_scan.scan_access_ends(T0 + datetime.timedelta(weeks=4, days=1)) == 0  # no audit expiry
        assert access_scan.scan_access_ends(course_end + DAY) == 1
    assert expired() == [course_end.isoformat()]


def test_the_tick_runs_the_access_scan_once_a_day_and_counts_its_events(ada, run_on_commit):
    listen()
    expiry = T0 + datetime.timedelta(weeks=4)
    with run_on_commit():
        scans.run_due_scans(expiry - DAY)
        assert scans.run_due_scans(expiry + datetime.timedelta(hours=1)) == 1
        assert scans.run_due_scans(expiry + datetime.timedelta(hours=2)) == 0  # not due again yet
    assert expired() == [expiry.isoformat()]


MINUTES = st.integers(min_value=-60 * 24 * 60, max_value=60 * 24 * 60)


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(courses=st.lists(st.tuples(st.none() | MINUTES, st.none() | MINUTES, st.booleans()), min_size=1, max_size=3),
       enrolments=st.lists(st.tuples(st.integers(min_value=0, max_value=2), MINUTES, st.booleans(), st.booleans()),
                           min_size=1, max_size=8),
       span=st.tuples(MINUTES, st.integers(min_value=1, max_value=40 * 24 * 60)))
def test_the_sandbox_query_of_access_ends_gives_what_the_lms_computes(courses, enrolments, span):
    """The queryset the scan inserts from (``dates.access_ends_query``) holds exactly the ends the
    sandbox's own rules give (``dates.access_end``): audit expiry or course end, whichever is first."""
    from django.contrib.auth import get_user_model

    from sandbox.lms import dates, models

    models.CourseEnrollment.objects.all().delete()
    models.Course.objects.filter(course_key__startswith="course-v1:Prop+").delete()
    made = []
    for index, (start, end, verified) in enumerate(courses):
        made.append(models.Course.objects.create(
            course_key=f"course-v1:Prop+C{index}+2026", display_name="c", org="Prop",
            start=None if start is None else T0 + datetime.timedelta(minutes=start),
            end=None if end is None else T0 + datetime.timedelta(minutes=end),
            modes=["audit", "verified"] if verified else ["audit", "honor"]))
    users = list(get_user_model().objects.filter(username__startswith="p").order_by("pk"))
    users += [get_user_model().objects.create(username=f"p{i}") for i in range(len(users), len(enrolments))]
    for user, (course, created, audit, active) in zip(users, enrolments, strict=False):
        course = made[course % len(made)]
        row = models.CourseEnrollment.objects.create(user=user, course=course, is_active=active,
                                                     mode="audit" if audit else "verified")
        models.CourseEnrollment.objects.filter(pk=row.pk).update(created=T0 + datetime.timedelta(minutes=created))
    start = T0 + datetime.timedelta(minutes=span[0])
    for after, upto in ((start, start + datetime.timedelta(minutes=span[1])),  # a day's span, and all of them
                        (T0 - datetime.timedelta(days=61), T0 + datetime.timedelta(days=120))):
        expected = sorted((end["user_id"], end["course_key"], end["mode"], end["ended_at"], end["reason"])
                          for end in dates.access_ends_between(after, upto))
        queried = sorted((end["user_id"], end["course_key"], end["mode"], end["ended_at"], end["reason"])
                         for end in dates.access_ends_query(after, upto))
        assert queried == expected


def test_both_ways_of_reading_the_host_record_the_same_keys_and_payloads(ada, monkeypatch, run_on_commit):
    """The sandbox's queryset (one INSERT … SELECT) and the same ends streamed as dicts (the openedx
    backend's way: bulk inserts) record the same events; an upgraded learner's end is the course's."""
    from sandbox.lms import dates

    listen()
    bob = services.create_learner("bob", "bob@example.com")
    with time_machine.travel(T0 + datetime.timedelta(days=2, microseconds=5), tick=False):
        services.enroll(bob, COURSE)
    cy = services.create_learner("cy", "cy@example.com")
    with time_machine.travel(T0, tick=False):
        services.enroll(cy, COURSE, mode="verified")
    after, upto = T0, T0 + datetime.timedelta(days=100)

    def recorded():
        return sorted((e.user.username, e.idempotency_key, e.payload["reason"], e.payload["mode"],
                       e.payload["ended_at"], e.payload["course_key"], e.source, e.occurred_at)
                      for e in Event.objects.filter(event_type="access.ended"))

    PeriodicScan.objects.update_or_create(name=access_scan.WATERMARK, defaults={"last_run_at": after})
    with run_on_commit():
        assert access_scan.scan_access_ends(upto) == 3
    in_sql = recorded()
    Event.objects.all().delete()
    PeriodicScan.objects.update_or_create(name=access_scan.WATERMARK, defaults={"last_run_at": after})
    monkeypatch.setattr(SandboxHost, "access_ends_between", lambda self, *span: iter(dates.access_ends_between(*span)))
    with run_on_commit():
        assert access_scan.scan_access_ends(upto) == 3
    assert recorded() == in_sql
    assert [row[:5] for row in in_sql] == [
        ("ada", f"access-ended:{ada.pk}:{COURSE}:audit_expired:2026-03-30", "audit_expired", "audit",
         "2026-03-30T09:00:00+00:00"),
        ("bob", f"access-ended:{bob.pk}:{COURSE}:audit_expired:2026-04-01", "audit_expired", "audit",
         "2026-04-01T09:00:00.000005+00:00"),
        ("cy", f"access-ended:{cy.pk}:{COURSE}:course_ended:2026-05-31", "course_ended", "verified",
         "2026-05-31T09:00:00+00:00")]
    with run_on_commit():
        PeriodicScan.objects.update_or_create(name=access_scan.WATERMARK, defaults={"last_run_at": after})
        assert access_scan.scan_access_ends(upto) == 0, "a rerun over the same span records nothing twice"


def test_the_day_s_ends_are_handed_over_once_per_learner_after_commit(ada, monkeypatch, run_on_commit):
    from lms_automations.happened import recording

    listen()
    bob = services.create_learner("bob", "bob@example.com")
    with time_machine.travel(T0, tick=False):
        services.enroll(bob, COURSE)
    handed = []
    monkeypatch.setattr(recording, "hand_over", handed.append)
    PeriodicScan.objects.update_or_create(name=access_scan.WATERMARK, defaults={"last_run_at": T0})
    with run_on_commit():
        assert access_scan.scan_access_ends(T0 + datetime.timedelta(weeks=4, days=1)) == 2
    assert len(handed) == 1
    assert sorted(user for _key, _type, user in handed[0]) == [ada.pk, bob.pk]
