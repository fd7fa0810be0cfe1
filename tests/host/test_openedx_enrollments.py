"""The ``openedx`` backend's enrolment calls, checked against the stand-in enrolment API."""
import pytest
from django.db import OperationalError
from opaque_keys.edx.keys import CourseKey

from lms_automations.engine.errors import PermanentError, TransientError
from sandbox.lms import services

from .conftest import COURSE, NOW

pytestmark = pytest.mark.django_db
NEXT = "course-v1:Demo+OX2+2026"


@pytest.fixture
def ada():
    return services.create_learner("ada")


def enrolled(lms, user, mode="verified", active=True):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    lms.enrollments.rows.append(EnrollmentRow(user.pk, COURSE, mode, active, NOW))


def test_enrolling_calls_add_enrollment_with_the_username_and_a_string_course_id(lms, host, ada):
    result = host.enroll(ada.pk, str(COURSE), "verified")
    (args, kwargs), = lms.called("add_enrollment")
    assert args == ("ada", "course-v1:Demo+OX1+2026") and type(args[1]) is str
    assert kwargs == {"mode": "verified", "is_active": True, "force_enrollment": False}
    assert result["mode"] == "verified" and result["is_active"]


def test_force_lifts_closed_enrolment(lms, host, ada):
    host.enroll(ada.pk, str(COURSE), "audit", force=True)
    assert lms.called("add_enrollment")[0][1]["force_enrollment"] is True


def test_a_paid_enrolment_is_never_downgraded(lms, host, ada):
    enrolled(lms, ada, "verified")
    result = host.enroll(ada.pk, str(COURSE), "audit")
    assert result["mode"] == "verified"
    assert not lms.called("add_enrollment") and not lms.called("update_enrollment")


def test_an_inactive_enrolment_is_reactivated_in_the_mode_asked(lms, host, ada):
    enrolled(lms, ada, "audit", active=False)
    result = host.enroll(ada.pk, str(COURSE), "verified")
    (args, kwargs), = lms.called("update_enrollment")
    assert args == ("ada", "course-v1:Demo+OX1+2026") and kwargs == {"mode": "verified", "is_active": True}
    assert result == {"mode": "verified", "is_active": True, "created": NOW}


def test_an_enrolment_made_meanwhile_is_settled_by_update(lms, host, ada):
    from openedx.core.djangoapps.enrollments.errors import (  # pylint: disable=import-outside-toplevel
        CourseEnrollmentExistsError,
    )

    lms.raises["add_enrollment"] = CourseEnrollmentExistsError("exists", {"mode": "audit"})
    enrolled(lms, ada, "audit")
    assert host.enroll(ada.pk, str(COURSE), "verified")["mode"] == "verified"


@pytest.mark.parametrize("error_name, expected, words", [
    ("CourseModeNotFoundError", PermanentError, "does not offer that mode"),
    ("CourseEnrollmentClosedError", PermanentError, "set force"),
    ("CourseEnrollmentFullError", PermanentError, "full"),
    ("EnrollmentApiLoadError", TransientError, "could not load"),
])
def test_the_enrolment_apis_errors_become_engine_errors(lms, host, ada, error_name, expected, words):
    from openedx.core.djangoapps.enrollments import errors  # pylint: disable=import-outside-toplevel

    lms.raises["add_enrollment"] = getattr(errors, error_name)("the LMS says no")
    with pytest.raises(expected, match=words) as caught:
        host.enroll(ada.pk, str(COURSE), "verified")
    assert caught.value.detail == {"host_error": error_name}


def test_a_course_the_lms_does_not_know_is_permanent(lms, host, ada):
    from openedx.core.lib.exceptions import CourseNotFoundError  # pylint: disable=import-outside-toplevel

    lms.raises["add_enrollment"] = CourseNotFoundError("course-v1:Demo+OX1+2026")
    with pytest.raises(PermanentError, match="no such course"):
        host.enroll(ada.pk, str(COURSE), "audit")


def test_a_database_hiccup_is_transient(lms, host, ada):
    lms.raises["add_enrollment"] = OperationalError("deadlock found")
    with pytest.raises(TransientError, match="database"):
        host.enroll(ada.pk, str(COURSE), "audit")


def test_bad_keys_and_missing_learners_fail_before_calling_the_lms(lms, host, ada):
    with pytest.raises(PermanentError, match="not a course key"):
        host.enroll(ada.pk, "Demo 101", "audit")
    with pytest.raises(PermanentError, match="no learner with id 999"):
        host.enroll(999, str(COURSE), "audit")
    assert not lms.calls


def test_unenrolling_passes_a_course_key_to_course_enrollment(lms, host, ada):
    enrolled(lms, ada)
    host.unenroll(ada.pk, str(COURSE))
    (args, _), = lms.called("CourseEnrollment.unenroll")
    assert args[0] == ada and isinstance(args[1], CourseKey)
    assert host.get_enrollment(ada.pk, str(COURSE))["is_active"] is False


def test_changing_the_mode_needs_an_enrolment(lms, host, ada):
    with pytest.raises(PermanentError, match="not enrolled"):
        host.change_mode(ada.pk, str(COURSE), "verified")
    enrolled(lms, ada, "audit")
    host.change_mode(ada.pk, str(COURSE), "verified")
    assert lms.called("update_enrollment") == [(("ada", "course-v1:Demo+OX1+2026"), {"mode": "verified",
                                                                                      "is_active": None})]
    assert host.get_enrollment(ada.pk, str(COURSE))["mode"] == "verified"


def test_active_course_keys_lists_only_active_enrolments(lms, host, ada):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    lms.enrollments.rows += [EnrollmentRow(ada.pk, COURSE, "audit", True, NOW),
                             EnrollmentRow(ada.pk, CourseKey.from_string(NEXT), "audit", False, NOW)]
    assert host.active_course_keys(ada.pk) == {str(COURSE)}


def test_enrolled_user_ids_reads_active_enrolments_of_the_courses(lms, host, ada):
    from standin_rows import EnrollmentRow  # pylint: disable=import-outside-toplevel

    bob = services.create_learner("bob")
    lms.enrollments.rows += [EnrollmentRow(ada.pk, COURSE, "audit", True, NOW),
                             EnrollmentRow(bob.pk, COURSE, "audit", False, NOW),
                             EnrollmentRow(bob.pk, CourseKey.from_string(NEXT), "verified", True, NOW)]
    assert host.enrolled_user_ids([str(COURSE)]) == {ada.pk}
    assert host.enrolled_user_ids([str(COURSE), NEXT]) == {ada.pk, bob.pk}
