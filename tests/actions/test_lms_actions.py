"""Enrolment, cohort, progress and certificate actions against the sandbox LMS."""
import datetime

import pytest

from lms_automations.actions.certificates import CertificateGenerate
from lms_automations.actions.cohorts import CohortAdd, CohortRemove
from lms_automations.actions.enrollment import EnrollmentChangeMode, EnrollmentEnroll, EnrollmentUnenroll
from lms_automations.actions.progress import DatesExtend, ProgressMarkComplete
from lms_automations.engine.errors import PermanentError, TransientError
from lms_automations.host import get_host
from lms_automations.models import Event
from sandbox.lms import dates, services
from sandbox.lms.host_backend import SandboxHost

from .conftest import COURSE, NOW, RecordingHost, context_for

pytestmark = pytest.mark.django_db
BLOCKS = ["block-v1:Demo+A1+2026+type@html+block@intro", "block-v1:Demo+A1+2026+type@problem+block@quiz-1"]


def enrollment(user):
    return get_host().get_enrollment(user.pk, COURSE)


def recorded(event_type):
    return Event.objects.filter(event_type=event_type).count()


def test_lms_actions_are_external():
    for action in (EnrollmentEnroll, EnrollmentUnenroll, EnrollmentChangeMode, CohortAdd, CohortRemove,
                   ProgressMarkComplete, DatesExtend, CertificateGenerate):
        assert action.external is True, action.key


def test_enroll_in_the_given_mode_and_the_lms_announces_it(ada, course):
    result = EnrollmentEnroll().execute({"course_key": COURSE, "mode": "verified"}, context_for(ada))
    assert result == {"mode": "verified", "changed": True}
    assert enrollment(ada)["mode"] == "verified" and enrollment(ada)["is_active"]
    assert recorded("enrollment.created") == 1


def test_enroll_again_in_the_same_mode_does_nothing(ada, course):
    services.enroll(ada, COURSE, mode="audit")
    before = Event.objects.count()
    assert EnrollmentEnroll().execute({"course_key": COURSE, "mode": "audit"}, context_for(ada)) == {
        "mode": "audit", "changed": False}
    assert Event.objects.count() == before  # no second round of enrolment signals


@pytest.mark.parametrize("free_mode", ["audit", "honor"])
def test_a_paid_enrolment_is_never_downgraded(ada, course, free_mode):
    services.create_course(COURSE, modes=("audit", "honor", "verified"))
    services.enroll(ada, COURSE, mode="verified")
    result = EnrollmentEnroll().execute({"course_key": COURSE, "mode": free_mode}, context_for(ada))
    assert result["changed"] is False and result["mode"] == "verified"
    assert "kept the paid verified enrolment" in result["note"]
    assert enrollment(ada)["mode"] == "verified"


def test_an_audit_learner_can_be_enrolled_in_a_paid_mode(ada, course):
    services.enroll(ada, COURSE, mode="audit")
    EnrollmentEnroll().execute({"course_key": COURSE, "mode": "verified"}, context_for(ada))
    assert enrollment(ada)["mode"] == "verified"


def test_an_inactive_enrolment_is_reactivated(ada, course):
    services.enroll(ada, COURSE, mode="verified")
    services.unenroll(ada, COURSE)
    EnrollmentEnroll().execute({"course_key": COURSE, "mode": "audit"}, context_for(ada))
    assert enrollment(ada) == {**enrollment(ada), "mode": "audit", "is_active": True}


def test_force_enrols_after_enrolment_closed(ada):
    services.create_course(COURSE, end=NOW - datetime.timedelta(days=1))
    with pytest.raises(PermanentError, match="enrolment in .* is closed"):
        EnrollmentEnroll().execute({"course_key": COURSE, "mode": "audit"}, context_for(ada))
    EnrollmentEnroll().execute({"course_key": COURSE, "mode": "audit", "force": True}, context_for(ada))
    assert enrollment(ada)["is_active"]


def test_enrolment_errors_are_permanent_and_say_why(ada, course):
    with pytest.raises(PermanentError, match="does not offer the 'professional' mode"):
        EnrollmentEnroll().execute({"course_key": COURSE, "mode": "professional"}, context_for(ada))
    with pytest.raises(PermanentError, match="has no course"):
        EnrollmentEnroll().execute({"course_key": "course-v1:No+Such+Course", "mode": "audit"}, context_for(ada))
    with pytest.raises(PermanentError, match="params.course_key: the value is empty"):
        EnrollmentEnroll().execute({"course_key": "", "mode": "audit"}, context_for(ada))


def test_unenroll(ada, course):
    assert EnrollmentUnenroll().execute({"course_key": COURSE}, context_for(ada)) == {"changed": False}
    services.enroll(ada, COURSE, mode="audit")
    assert EnrollmentUnenroll().execute({"course_key": COURSE}, context_for(ada)) == {"changed": True}
    assert enrollment(ada)["is_active"] is False
    assert recorded("enrollment.deactivated") == 1
    assert EnrollmentUnenroll().execute({"course_key": COURSE}, context_for(ada)) == {"changed": False}


def test_change_mode_goes_either_way(ada, course):
    services.enroll(ada, COURSE, mode="audit")
    assert EnrollmentChangeMode().execute({"course_key": COURSE, "mode": "verified"}, context_for(ada)) == {
        "from_mode": "audit", "mode": "verified", "changed": True}
    assert recorded("enrollment.mode_changed") >= 1  # upgraded is derived from it at dispatch
    EnrollmentChangeMode().execute({"course_key": COURSE, "mode": "audit"}, context_for(ada))  # e.g. a refund
    assert enrollment(ada)["mode"] == "audit"
    assert EnrollmentChangeMode().execute({"course_key": COURSE, "mode": "audit"}, context_for(ada))["changed"] is False


def test_change_mode_needs_an_enrolment(ada, course):
    with pytest.raises(PermanentError, match="not enrolled"):
        EnrollmentChangeMode().execute({"course_key": COURSE, "mode": "verified"}, context_for(ada))


def test_cohorts(ada, course):
    services.enroll(ada, COURSE)
    host = get_host()
    assert CohortAdd().execute({"course_key": COURSE, "cohort": "Group A"}, context_for(ada)) == {
        "changed": True, "previous_cohort": None}
    assert recorded("cohort.joined") == 1
    assert CohortAdd().execute({"course_key": COURSE, "cohort": "Group A"}, context_for(ada)) == {"changed": False}
    CohortAdd().execute({"course_key": COURSE, "cohort": "Group B"}, context_for(ada))
    assert host.get_cohort(ada.pk, COURSE) == "Group B"
    assert CohortRemove().execute({"course_key": COURSE, "cohort": "Group A"}, context_for(ada)) == {"changed": False}
    assert CohortRemove().execute({"course_key": COURSE, "cohort": "Group B"}, context_for(ada)) == {"changed": True}
    assert host.get_cohort(ada.pk, COURSE) is None


def test_mark_complete_submits_only_blocks_not_yet_complete(ada, course):
    services.enroll(ada, COURSE)
    services.complete_block(ada, BLOCKS[0])
    assert ProgressMarkComplete().execute({"course_key": COURSE, "block_keys": BLOCKS}, context_for(ada)) == {
        "marked": 1, "already_complete": 1}
    assert get_host().completed_blocks(ada.pk, COURSE) == set(BLOCKS)
    assert recorded("progress.block_completed") == 2
    assert ProgressMarkComplete().execute({"course_key": COURSE, "block_keys": BLOCKS}, context_for(ada))[
        "marked"] == 0


def test_mark_complete_refuses_blocks_of_another_course(ada, course):
    with pytest.raises(PermanentError, match="not blocks of"):
        ProgressMarkComplete().execute({"course_key": COURSE, "block_keys": ["block-v1:X+Y+Z+type@html+block@a"]},
                                       context_for(ada))


def test_dates_extend_asks_the_lms(ada, course):
    host = RecordingHost()
    DatesExtend().execute({"course_key": COURSE, "days": 7, "block_keys": BLOCKS[1:]}, context_for(ada, host=host))
    DatesExtend().execute({"course_key": COURSE, "days": 3}, context_for(ada, host=host))
    assert host.calls == [("extend_due_dates", ada.pk, COURSE, 7, BLOCKS[1:], "11:act:1"),
                          ("extend_due_dates", ada.pk, COURSE, 3, None, "11:act:1")]


def test_dates_extend_moves_the_learners_own_due_dates_and_says_so(ada, course):
    services.enroll(ada, COURSE, mode="verified")
    due = NOW + datetime.timedelta(days=10)
    for block in BLOCKS:
        dates.set_due_date(COURSE, block, due)
    result = DatesExtend().execute({"course_key": COURSE, "days": 7, "block_keys": BLOCKS[1:]}, context_for(ada))
    assert result == {"days": 7, "blocks": 1}
    assert dates.due_dates(ada, COURSE) == {BLOCKS[0]: due, BLOCKS[1]: due + datetime.timedelta(days=7)}
    assert dates.due_dates(None, COURSE) == {BLOCKS[0]: due, BLOCKS[1]: due}  # everyone else keeps theirs
    event = Event.objects.get(event_type="access.extended")
    assert event.payload["days"] == 7 and event.payload["blocks"] == 1 and event.payload["course_key"] == COURSE


class FailingAfterTheExtension(SandboxHost):
    """The LMS moved the dates, then the next read failed: the engine retries the whole step."""

    def __init__(self):
        self.failures = 1

    def access_expires_at(self, user_id, course_key):
        if self.failures:
            self.failures -= 1
            raise TransientError("the LMS timed out")
        return super().access_expires_at(user_id, course_key)


def test_dates_extend_retried_after_the_lms_call_adds_its_days_once(ada, course):
    services.enroll(ada, COURSE, mode="verified")
    due = NOW + datetime.timedelta(days=10)
    for block in BLOCKS:
        dates.set_due_date(COURSE, block, due)
    host = FailingAfterTheExtension()
    with pytest.raises(TransientError):
        DatesExtend().execute({"course_key": COURSE, "days": 7}, context_for(ada, host=host))
    assert DatesExtend().execute({"course_key": COURSE, "days": 7}, context_for(ada, host=host)) == {
        "days": 7, "blocks": 2}
    assert dates.due_dates(ada, COURSE) == dict.fromkeys(BLOCKS, due + datetime.timedelta(days=7))
    # Another step (or a later visit of this one) is another extension: its days are added.
    DatesExtend().execute({"course_key": COURSE, "days": 7}, context_for(ada, "11:act:2", host=host))
    assert dates.due_dates(ada, COURSE) == dict.fromkeys(BLOCKS, due + datetime.timedelta(days=14))
    assert recorded("access.extended") == 2


def test_dates_extend_without_due_dates_is_a_permanent_error(ada, course):
    services.enroll(ada, COURSE, mode="verified")
    with pytest.raises(PermanentError, match="has no due dates to extend"):
        DatesExtend().execute({"course_key": COURSE, "days": 7}, context_for(ada))
    with pytest.raises(PermanentError, match="no due date to extend on .*quiz-1"):
        DatesExtend().execute({"course_key": COURSE, "days": 7, "block_keys": BLOCKS[1:]}, context_for(ada))
    assert recorded("access.extended") == 0


def test_certificate_needs_a_pass_unless_allowlisted(ada, course):
    services.enroll(ada, COURSE, mode="verified")
    with pytest.raises(PermanentError, match="has not passed"):
        CertificateGenerate().execute({"course_key": COURSE}, context_for(ada))
    assert CertificateGenerate().execute({"course_key": COURSE, "allowlist": True}, context_for(ada)) == {
        "changed": True}
    assert get_host().get_certificate(ada.pk, COURSE)["status"] == "downloadable"
    assert recorded("certificate.awarded") == 1
    assert CertificateGenerate().execute({"course_key": COURSE, "allowlist": True}, context_for(ada)) == {
        "changed": False, "status": "downloadable"}
    assert recorded("certificate.awarded") == 1


def test_certificate_for_a_learner_who_passed(ada, course):
    services.enroll(ada, COURSE, mode="verified")
    services.set_grade(ada, COURSE, 0.9, passed=True)
    CertificateGenerate().execute({"course_key": COURSE}, context_for(ada))
    assert get_host().get_certificate(ada.pk, COURSE)["status"] == "downloadable"


@pytest.mark.parametrize(("action", "params", "path"), [
    (EnrollmentEnroll, {"course_key": COURSE}, "params.mode"),
    (EnrollmentEnroll, {"course_key": COURSE, "mode": "Verified!"}, "params.mode"),
    (EnrollmentEnroll, {"course_key": COURSE, "mode": "audit", "force": "yes"}, "params.force"),
    (EnrollmentUnenroll, {"course_key": COURSE, "mode": "audit"}, "params"),
    (CohortAdd, {"course_key": COURSE}, "params.cohort"),
    (ProgressMarkComplete, {"course_key": COURSE, "block_keys": []}, "params.block_keys"),
    (DatesExtend, {"course_key": COURSE, "days": 0}, "params.days"),
    (DatesExtend, {"course_key": COURSE, "days": 366}, "params.days"),
    (CertificateGenerate, {}, "params.course_key"),
])
def test_params_are_checked_where_staff_type_them(action, params, path):
    assert path in [error["path"] for error in action.check_params(params)]


def test_mark_complete_of_the_whole_course_completes_every_unit(ada, course, django_capture_on_commit_callbacks):
    services.enroll(ada, COURSE)
    services.complete_block(ada, BLOCKS[0])
    with django_capture_on_commit_callbacks(execute=True):
        result = ProgressMarkComplete().execute({"course_key": COURSE, "whole_course": True}, context_for(ada))
    assert result == {"marked": 2, "already_complete": 1}
    assert get_host().completed_blocks(ada.pk, COURSE) == set(course.block_keys())
    assert recorded("progress.course_completed") == 1


def test_mark_complete_needs_blocks_or_the_whole_course():
    assert ProgressMarkComplete.check_params({"course_key": COURSE}) == [
        {"path": "params", "message": "list block_keys, or set whole_course to true"}]
    assert ProgressMarkComplete.check_params({"course_key": COURSE, "whole_course": False}) == [
        {"path": "params", "message": "list block_keys, or set whole_course to true"}]
    assert ProgressMarkComplete.check_params({"course_key": COURSE, "whole_course": True}) == []
