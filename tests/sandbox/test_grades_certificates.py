"""Grades re-announce the passing status on every recompute; certificates re-announce CREATED on every save."""
import datetime

import pytest
import time_machine
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CertificateData, CourseData, UserData, UserPersonalData

from sandbox.lms import services
from sandbox.lms.models import GeneratedCertificate, PersistentCourseGrade

from .conftest import COURSE

pytestmark = pytest.mark.django_db
ADA_PII = UserPersonalData(username="ada", email="ada@example.com", name="Ada Lovelace")
KEY = CourseKey.from_string(COURSE)
T1 = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
T2 = T1 + datetime.timedelta(days=3)


def grade_seq(recorder):
    out = []
    for sent in recorder.sent:
        if sent.name == "course.persistent_grade_summary.changed":
            out.append((sent.name, sent.data.percent_grade, sent.data.letter_grade, sent.data.passed_timestamp))
        else:
            out.append((sent.name, sent.data.is_passing))
    return out


def test_every_grade_change_sends_the_summary_then_the_passing_status(recorder, course, ada):
    services.set_grade(ada, COURSE, 0.4, passed=False)
    with time_machine.travel(T1, tick=False):
        services.set_grade(ada, COURSE, 0.8, passed=True)
    with time_machine.travel(T2, tick=False):
        services.set_grade(ada, COURSE, 0.9, passed=True)  # still passing: announced again
        grade = services.set_grade(ada, COURSE, 0.3, passed=False)

    assert grade_seq(recorder) == [
        ("course.persistent_grade_summary.changed", 0.4, "", None),
        ("course.passing.status.updated", False),
        ("course.persistent_grade_summary.changed", 0.8, "Pass", T1),
        ("course.passing.status.updated", True),
        ("course.persistent_grade_summary.changed", 0.9, "Pass", T1),
        ("course.passing.status.updated", True),
        ("course.persistent_grade_summary.changed", 0.3, "", T1),  # first pass is never forgotten
        ("course.passing.status.updated", False),
    ]
    assert PersistentCourseGrade.objects.get() == grade
    assert (grade.percent_grade, grade.passed, grade.passed_timestamp) == (0.3, False, T1)


def test_grade_payloads_carry_the_course_key_only_and_the_auth_full_name(recorder, course, ada):
    ada.first_name, ada.last_name = "Augusta Ada", "King"
    ada.save()

    services.set_grade(ada, COURSE, 0.75, passed=True)

    summary, status = (s.data for s in recorder.sent)
    assert summary.user_id == ada.id
    assert summary.course == CourseData(course_key=KEY)
    assert (summary.course_version, summary.grading_policy_hash) == ("", "")
    assert summary.course_edited_timestamp == course.modified
    assert status.course == CourseData(course_key=KEY)
    assert status.user.pii == UserPersonalData(username="ada", email="ada@example.com", name="Augusta Ada King")


def test_grade_must_be_a_fraction(recorder, course, ada):
    with pytest.raises(ValueError, match="fraction"):
        services.set_grade(ada, COURSE, 75, passed=True)
    assert recorder.sent == []


@time_machine.travel(T1, tick=False)
def test_award_sends_changed_then_created_with_the_save_time(recorder, course, ada):
    services.enroll(ada, COURSE, mode="verified")
    services.set_grade(ada, COURSE, 0.853, passed=True)
    recorder.clear()

    certificate = services.award_certificate(ada, COURSE)

    assert recorder.names() == ["certificate.changed", "certificate.created"]
    expected = CertificateData(
        user=UserData(id=ada.id, is_active=True, pii=ADA_PII),
        course=CourseData(course_key=KEY),
        mode="verified",
        grade="0.85",
        download_url="",
        name="Ada Lovelace",
        current_status="downloadable",
        previous_status="",
    )
    assert [s.data for s in recorder.sent] == [expected, expected]
    assert [s.metadata.time for s in recorder.sent] == [T1, T1]
    assert (certificate.status, certificate.created, certificate.modified) == ("downloadable", T1, T1)


def test_awarding_again_sends_created_again_on_the_same_certificate(recorder, course, ada):
    with time_machine.travel(T1, tick=False):
        first = services.award_certificate(ada, COURSE)
    with time_machine.travel(T2, tick=False):
        again = services.award_certificate(ada, COURSE)

    assert recorder.names() == ["certificate.changed", "certificate.created"] * 2
    assert [s.metadata.time for s in recorder.sent] == [T1, T1, T2, T2]
    assert again.pk == first.pk and again.verify_uuid == first.verify_uuid
    assert GeneratedCertificate.objects.count() == 1
    assert (again.mode, again.grade) == ("audit", "")  # not enrolled, no grade: course default, empty grade


def test_any_save_of_a_downloadable_certificate_repeats_created(recorder, course, ada):
    certificate = services.award_certificate(ada, COURSE)
    recorder.clear()

    certificate.save()  # e.g. staff editing it in the admin

    assert recorder.names() == ["certificate.changed", "certificate.created"]


def test_revoke_sends_changed_then_revoked(recorder, course, ada):
    services.award_certificate(ada, COURSE)
    recorder.clear()

    with time_machine.travel(T2, tick=False):
        certificate = services.revoke_certificate(ada, COURSE)

    assert [(s.name, s.data.current_status) for s in recorder.sent] == [
        ("certificate.changed", "notpassing"),
        ("certificate.revoked", "notpassing"),
    ]
    assert [s.metadata.time for s in recorder.sent] == [T2, T2]
    assert certificate.status == "notpassing"


def test_revoking_nothing_sends_nothing(recorder, course, ada):
    assert services.revoke_certificate(ada, COURSE) is None
    assert recorder.sent == []
