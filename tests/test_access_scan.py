"""The daily access scan (``happened/access_scan.py``) over the sandbox LMS: a watermark, one event
per learner, course, reason and date, and only ends after the scan began — or after someone listens."""
import datetime

import pytest
import time_machine

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
