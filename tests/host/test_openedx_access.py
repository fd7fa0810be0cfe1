"""Access ends and due-date extensions over the ``openedx`` backend (the stand-in edx-platform tree):
the access scan asks course duration limits for each audit candidate's expiry and reads course ends
from the course overviews; extensions are edx-when personal overrides."""
import datetime

import pytest

from lms_automations.happened import access_scan
from lms_automations.models import Automation, Event, Trigger
from sandbox.lms import services

from .conftest import COURSE, NOW

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def listening():
    automation = Automation.objects.create(name="access ends", status=Automation.STATUS.active)
    Trigger.objects.create(automation=automation, position=0, event_type="access.ended")
    return automation


def ends(host, after, upto):
    return sorted((end["user_id"], end["reason"], end["ended_at"]) for end in host.access_ends_between(after, upto))


def test_audit_expiry_comes_from_course_duration_limits_and_course_end_from_the_overview(lms, host):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    ada, bob, cy, dee = (services.create_learner(name) for name in ("ada", "bob", "cy", "dee"))
    lms.enrollments.rows += [EnrollmentRow(ada.pk, COURSE, "audit", True, NOW),
                             EnrollmentRow(bob.pk, COURSE, "verified", True, NOW),
                             EnrollmentRow(cy.pk, COURSE, "audit", True, NOW),
                             EnrollmentRow(dee.pk, COURSE, "audit", False, NOW)]
    expiry = NOW + datetime.timedelta(weeks=4)
    lms.expirations[(ada.pk, COURSE)] = expiry
    lms.expirations[(dee.pk, COURSE)] = expiry  # unenrolled: access ended then, not now
    # cy has no expiry (no verified mode, or limits off): access lasts until the course ends.
    assert ends(host, expiry - DAY, expiry) == [(ada.pk, "audit_expired", expiry)]
    asked = lms.called("get_user_course_expiration_date")
    assert {args[0].pk for args, _ in asked} == {ada.pk, cy.pk}  # only audit candidates are asked
    course_end = NOW + datetime.timedelta(days=90)
    assert ends(host, course_end - DAY, course_end) == [(bob.pk, "course_ended", course_end),
                                                        (cy.pk, "course_ended", course_end)]
    assert host.access_expires_at(ada.pk, str(COURSE)) == expiry
    assert host.access_expires_at(cy.pk, str(COURSE)) == course_end


def test_an_expiry_after_the_course_end_ends_access_at_the_course_end(lms, host):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    ada = services.create_learner("ada")
    lms.enrollments.rows.append(EnrollmentRow(ada.pk, COURSE, "audit", True, NOW + datetime.timedelta(days=80)))
    lms.expirations[(ada.pk, COURSE)] = NOW + datetime.timedelta(days=108)
    course_end = NOW + datetime.timedelta(days=90)
    assert ends(host, course_end - DAY, course_end) == [(ada.pk, "course_ended", course_end)]
    assert host.access_expires_at(ada.pk, str(COURSE)) == course_end


def test_the_scan_records_each_end_once_with_its_moment(lms, host, listening, run_on_commit):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    ada = services.create_learner("ada")
    lms.enrollments.rows.append(EnrollmentRow(ada.pk, COURSE, "audit", True, NOW))
    expiry = NOW + datetime.timedelta(weeks=4, hours=3)
    lms.expirations[(ada.pk, COURSE)] = expiry
    with run_on_commit():
        assert access_scan.scan_access_ends(expiry - DAY) == 0  # the first scan: a watermark, nothing yet
        assert access_scan.scan_access_ends(expiry + datetime.timedelta(hours=21)) == 1
        assert access_scan.scan_access_ends(expiry + datetime.timedelta(hours=45)) == 0
    event = Event.objects.get(event_type="access.ended")
    assert event.payload == {"user_id": ada.pk, "course_key": str(COURSE), "reason": "audit_expired",
                             "mode": "audit", "ended_at": expiry.isoformat()}
    assert event.idempotency_key == f"access-ended:{ada.pk}:{COURSE}:audit_expired:{expiry.date().isoformat()}"


def test_a_failing_lms_moves_no_watermark(lms, host, listening):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    from lms_automations.engine.errors import TransientError  # pylint: disable=import-outside-toplevel
    from lms_automations.models import PeriodicScan  # pylint: disable=import-outside-toplevel

    ada = services.create_learner("ada")
    lms.enrollments.rows.append(EnrollmentRow(ada.pk, COURSE, "audit", True, NOW))
    access_scan.scan_access_ends(NOW)
    lms.raises["get_user_course_expiration_date"] = ConnectionError("database went away")
    with pytest.raises((TransientError, ConnectionError)):
        access_scan.scan_access_ends(NOW + DAY)
    assert PeriodicScan.objects.get(name=access_scan.WATERMARK).last_run_at == NOW


def test_dates_extend_sets_personal_overrides_through_edx_when(lms, host):
    from opaque_keys.edx.keys import UsageKey  # pylint: disable=import-outside-toplevel

    ada = services.create_learner("ada")
    quiz = UsageKey.from_string("block-v1:Demo+OX1+2026+type@problem+block@quiz")
    due = NOW + datetime.timedelta(days=10)
    lms.due_dates[(COURSE, quiz, "due", None)] = due
    assert host.extend_due_dates(ada.pk, str(COURSE), 5) == 1
    (args, kwargs), = lms.called("set_date_for_block")
    assert args == (COURSE, quiz, "due", due + datetime.timedelta(days=5)) and kwargs["user"].pk == ada.pk
    assert lms.due_dates[(COURSE, quiz, "due", None)] == due  # the course's date stays
