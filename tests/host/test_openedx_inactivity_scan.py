"""The inactivity scan over the ``openedx`` backend: its enrolments streamed one learner range at a
time (ADR 0014), written in one bulk insert per range, once per streak per threshold; the days are
the ones automations ask for, and only streaks that reach them after activation start anyone
(ADR 0015)."""
import datetime

import pytest
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from opaque_keys.edx.keys import CourseKey

from lms_automations import api, scans
from lms_automations.engine.tick import run_tick
from lms_automations.models import Automation, EntryRefusal, Event, Run, Trigger
from sandbox.lms import services

from .conftest import COURSE, NOW

OTHER = CourseKey.from_string("course-v1:Demo+OX2+2026")

pytestmark = pytest.mark.django_db


def test_the_scan_reads_the_lms_in_ranges_and_records_each_streak_once(lms, host, run_on_commit):
    from standin_rows import ActivityRow, EnrollmentRow  # pylint: disable=import-outside-toplevel

    with time_machine.travel(NOW, tick=False):
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


def quiet_for(days, name, **extra):
    """An automation that starts when a learner of the course has been quiet for ``days``."""
    return api.import_automation({
        "format": "lms-automations/v1", "name": name, "status": "active",
        "scope": {"courses": [str(COURSE)], "orgs": []},
        "triggers": [{"event": "activity.inactive", "params": {"days": days}, **extra}],
        "steps": [{"id": "tag", "type": "action", "action": "tag.add", "params": {"tags": [f"quiet-{days}"]}}],
    })


def test_the_daily_tick_scans_the_days_automations_ask_for_from_their_activation(lms, settings,
                                                                                 django_capture_on_commit_callbacks):
    """Ten days, chosen by the course team (no operator default): a learner already quiet for longer
    at activation is not started; one whose streak reaches ten days afterwards is."""
    from standin_rows import ActivityRow, EnrollmentRow  # pylint: disable=import-outside-toplevel

    settings.LMS_AUTOMATIONS = {**settings.LMS_AUTOMATIONS, "INACTIVITY_DAYS": []}
    ada, bob, cy = (services.create_learner(name) for name in ("ada", "bob", "cy"))
    day = datetime.timedelta(days=1)
    lms.enrollments.rows += [EnrollmentRow(user.pk, COURSE, "audit", True, NOW - 40 * day) for user in (ada, bob, cy)]
    lms.activity.rows += [ActivityRow(bob.pk, COURSE, (NOW - 5 * day).date()),  # reaches 10 days on day 5
                          ActivityRow(cy.pk, COURSE, (NOW - 15 * day).date())]  # reached 10 days before
    with time_machine.travel(NOW, tick=False):
        automation = quiet_for(10, "ten quiet days")
    for moment in (NOW + 2 * day, NOW + 6 * day, NOW + 7 * day):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            run_tick()
    assert list(Run.objects.filter(automation=automation).values_list("user__username", flat=True)) == ["bob"]
    # Exactly the days asked for, and only the streak that reached them after activation.
    assert list(Event.objects.filter(event_type="activity.inactive").values_list("user__username", "payload__days")
                ) == [("bob", 10)]


def test_a_streak_that_reached_the_days_before_activation_is_refused_with_the_reason(
        lms, django_capture_on_commit_callbacks):
    """An automation listening since long ago asks for ten days too: the scan records the streak that
    reached ten days the day before the second one was activated; only the first starts."""
    from standin_rows import ActivityRow, EnrollmentRow  # pylint: disable=import-outside-toplevel

    ada = services.create_learner("ada")
    day = datetime.timedelta(days=1)
    lms.enrollments.rows.append(EnrollmentRow(ada.pk, COURSE, "audit", True, NOW - 40 * day))
    lms.activity.rows.append(ActivityRow(ada.pk, COURSE, (NOW - 11 * day).date()))
    with time_machine.travel(NOW - 30 * day, tick=False):
        earlier = quiet_for(10, "listening for a month")
    with time_machine.travel(NOW - 2 * day, tick=False), django_capture_on_commit_callbacks(execute=True):
        run_tick()  # the last scan before the second automation (nothing reached ten days yet)
    with time_machine.travel(NOW, tick=False):
        later = quiet_for(10, "activated today")
    with time_machine.travel(NOW + day, tick=False), django_capture_on_commit_callbacks(execute=True):
        run_tick()
    assert Run.objects.filter(automation=earlier).count() == 1
    assert not Run.objects.filter(automation=later).exists()
    refusal = EntryRefusal.objects.get(automation=later)
    assert refusal.reason == "before"
    assert "before trigger 1 listened" in refusal.detail


OFFSETS = st.integers(min_value=0, max_value=20 * 24 * 60)  # minutes after NOW


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(site=st.lists(st.tuples(st.integers(min_value=1, max_value=6), st.booleans(), OFFSETS, st.booleans(),
                               st.sets(st.integers(min_value=-2, max_value=21), max_size=4)), min_size=4, max_size=12),
       spans=st.lists(st.tuples(st.none() | OFFSETS, st.integers(min_value=1, max_value=8 * 24 * 60)), min_size=1,
                      max_size=3),
       bounds=st.tuples(*[st.none() | st.integers(min_value=0, max_value=6)] * 2))
def test_the_windowed_read_gives_every_enrolment_whose_last_activity_lies_in_a_span(lms, host, site, spans, bounds):
    """ADR 0025 over the real tables' shape: the later of the last active day and the enrolment is
    the last activity; every active enrolment of the range whose last activity lies in a span comes
    back, with the full read's values, and nothing the full read would not give."""
    from standin_rows import ActivityRow, EnrollmentRow  # pylint: disable=import-outside-toplevel

    day = datetime.timedelta(days=1)
    midnight = NOW.replace(hour=0, minute=0)
    lms.enrollments.rows, lms.activity.rows = [], []
    seen = set()
    for user_id, other, made, active, days in site:
        course = OTHER if other else COURSE
        if (user_id, course) in seen:
            continue
        seen.add((user_id, course))
        lms.enrollments.rows.append(EnrollmentRow(user_id, course, "audit", active,
                                                  NOW + datetime.timedelta(minutes=made)))
        lms.activity.rows += [ActivityRow(user_id, course, (midnight + offset * day).date()) for offset in days]
    spans = [(None, NOW + datetime.timedelta(minutes=length)) if start is None else  # no start: all before
             (NOW + datetime.timedelta(minutes=start), NOW + datetime.timedelta(minutes=start + length))
             for start, length in spans]
    full = set(host.enrollment_activity(*bounds))
    windowed = list(host.enrollment_activity(*bounds, spans))
    due = {row for row in full if any((after is None or after < row[2]) and row[2] <= upto for after, upto in spans)}
    assert due <= set(windowed) <= full
    assert len(windowed) == len(set(windowed)), "each enrolment once"
    assert [row[0] for row in windowed] == sorted(row[0] for row in windowed), "in learner order"
