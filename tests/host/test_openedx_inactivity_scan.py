"""The inactivity scan over the ``openedx`` backend: its enrolments streamed one learner range at a
time (ADR 0014), written in one bulk insert per range, once per streak per threshold."""
import datetime

import pytest

from lms_automations import scans
from lms_automations.models import Automation, Event, Trigger
from sandbox.lms import services

from .conftest import COURSE, NOW

pytestmark = pytest.mark.django_db


def test_the_scan_reads_the_lms_in_ranges_and_records_each_streak_once(lms, host, run_on_commit):
    from standin_rows import ActivityRow, EnrollmentRow  # pylint: disable=import-outside-toplevel

    Trigger.objects.create(automation=Automation.objects.create(name="quiet", status="active"), position=0,
                           event_type="activity.inactive")
    learners = [services.create_learner(name) for name in ("ada", "bob", "cy")]
    lms.enrollments.rows += [EnrollmentRow(user.pk, COURSE, "audit", True, NOW) for user in learners]
    lms.activity.rows.append(ActivityRow(learners[1].pk, COURSE, (NOW + datetime.timedelta(days=5)).date()))
    later = NOW + datetime.timedelta(days=9)
    with run_on_commit():
        assert scans.scan_inactivity(later, [7], batch=1) == 2  # bob was active on day 5
        assert scans.scan_inactivity(later + datetime.timedelta(days=1), [7], batch=1) == 0
    assert sorted(Event.objects.filter(event_type="activity.inactive").values_list("idempotency_key", flat=True)) == [
        f"inactive:{learners[0].pk}:{COURSE}:7:{NOW.date().isoformat()}",
        f"inactive:{learners[2].pk}:{COURSE}:7:{NOW.date().isoformat()}"]
    event = Event.objects.get(user=learners[0], event_type="activity.inactive")
    assert event.payload == {"user_id": learners[0].pk, "course_key": str(COURSE), "days": 7,
                             "last_activity_at": NOW.isoformat()}
