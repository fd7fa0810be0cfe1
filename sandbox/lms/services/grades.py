"""Course grades and the certificates they lead to, announced as the grades and certificates apps do."""
from django.db import transaction
from django.utils import timezone
from openedx_events.learning.signals import (
    CERTIFICATE_REVOKED,
    COURSE_PASSING_STATUS_UPDATED,
    PERSISTENT_GRADE_SUMMARY_CHANGED,
)

from .. import payloads
from ..models import CertificateStatuses, GeneratedCertificate, PersistentCourseGrade
from .courses import get_course
from .enrollments import get_enrollment

#: Letter grade of a passing grade under Open edX's default grading policy (cutoff ``{"Pass": 0.5}``).
PASS_LETTER = "Pass"


def set_grade(user, course_key, percent, passed):
    """Persist a recomputed course grade, as the grades app does after every recalculation.

    PERSISTENT_GRADE_SUMMARY_CHANGED, then COURSE_PASSING_STATUS_UPDATED(is_passing=passed) — both on
    every call: the LMS re-announces the passing status on each recompute, not only when it flips.
    ``percent`` is a fraction (0.0–1.0). ``passed_timestamp`` is set the first time the grade passes
    and never cleared.
    """
    percent = float(percent)
    if not 0.0 <= percent <= 1.0:
        raise ValueError(f"percent is a fraction between 0.0 and 1.0, got {percent}")
    course = get_course(course_key)
    with transaction.atomic():
        grade, _created = PersistentCourseGrade.objects.update_or_create(
            user=user,
            course=course,
            defaults={"percent_grade": percent, "letter_grade": PASS_LETTER if passed else ""},
        )
        if passed and grade.passed_timestamp is None:
            grade.passed_timestamp = timezone.now()
            grade.save(update_fields=["passed_timestamp", "modified"])
        PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=payloads.grade_data(grade))
        COURSE_PASSING_STATUS_UPDATED.send_event(
            course_passing_status=payloads.passing_status_data(user, course, bool(passed))
        )
    return grade


def _grade_snapshot(user, course):
    """The current grade as a certificate records it ("0.85"), or empty without a grade."""
    grade = PersistentCourseGrade.objects.filter(user=user, course=course).first()
    return "" if grade is None else str(round(grade.percent_grade, 2))


def award_certificate(user, course_key):
    """Issue (or re-issue) a downloadable certificate in one save: CERTIFICATE_CHANGED → CERTIFICATE_CREATED.

    Awarding again saves again and so sends CREATED again, as certificate regeneration does in Open edX.
    The mode is the enrolment's (the course default without one), the grade the current grade.
    """
    course = get_course(course_key)
    with transaction.atomic():
        enrollment = get_enrollment(user, course.course_key)
        certificate = GeneratedCertificate.objects.select_for_update().filter(user=user, course=course).first()
        certificate = certificate or GeneratedCertificate(user=user, course=course)
        certificate.status = CertificateStatuses.downloadable
        certificate.mode = enrollment.mode if enrollment else course.default_mode
        certificate.grade = _grade_snapshot(user, course)
        certificate.download_url = ""
        certificate.save()
    return certificate


def revoke_certificate(user, course_key):
    """Mark the certificate not passing: its save sends CERTIFICATE_CHANGED, then CERTIFICATE_REVOKED.

    Returns the certificate, or None (and sends nothing) when the learner has none.
    """
    course = get_course(course_key)
    with transaction.atomic():
        certificate = GeneratedCertificate.objects.select_for_update().filter(user=user, course=course).first()
        if certificate is None:
            return None
        certificate.status = CertificateStatuses.notpassing
        certificate.grade = _grade_snapshot(user, course)
        certificate.download_url = ""
        certificate.save()
        CERTIFICATE_REVOKED.send_event(certificate=payloads.certificate_data(certificate), time=certificate.modified)
    return certificate
