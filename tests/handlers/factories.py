"""Real openedx-events payloads (the attrs classes the host sends), and a send that tells its metadata."""
import datetime

from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CertificateData,
    CohortData,
    CourseData,
    CourseEnrollmentData,
    CoursePassingStatusData,
    ORASubmissionAnswer,
    ORASubmissionData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)

COURSE = "course-v1:Demo+W1+2026"
COURSE_KEY = CourseKey.from_string(COURSE)
AT = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def user_data(user):
    return UserData(
        id=user.id,
        is_active=True,
        pii=UserPersonalData(username=user.username, email=user.email, name="Ada Lovelace"),
    )


def course_data(course_key=COURSE_KEY):
    return CourseData(course_key=course_key, display_name="Demo course")


def enrollment_data(user, mode="audit", is_active=True, course_key=COURSE_KEY):
    return CourseEnrollmentData(
        user=user_data(user),
        course=course_data(course_key),
        mode=mode,
        is_active=is_active,
        creation_date=AT,
    )


def grade_data(user, percent_grade, letter_grade="", passed_timestamp=None):
    return PersistentCourseGradeData(
        user_id=user.id,
        course=CourseData(course_key=COURSE_KEY),
        course_edited_timestamp=AT,
        course_version="",
        grading_policy_hash="",
        percent_grade=percent_grade,
        letter_grade=letter_grade,
        passed_timestamp=passed_timestamp,
    )


def passing_status_data(user, is_passing):
    return CoursePassingStatusData(
        is_passing=is_passing, course=CourseData(course_key=COURSE_KEY), user=user_data(user)
    )


def certificate_data(user, mode="verified", grade="0.87", download_url="https://lms.example.com/certificates/abc"):
    return CertificateData(
        user=user_data(user),
        course=CourseData(course_key=COURSE_KEY),
        mode=mode,
        grade=grade,
        download_url=download_url,
        name="Ada Lovelace",
        current_status="downloadable",
    )


def cohort_data(user, name="Group A"):
    return CohortData(user=user_data(user), course=CourseData(course_key=COURSE_KEY), name=name)


def send(signal, time=AT, **data):
    """``signal.send_event(...)`` as the host calls it; returns the metadata the receivers were given."""
    seen = []

    def spy(sender, signal, metadata, **kwargs):
        seen.append(metadata)

    uid = f"tests.handlers.spy.{signal.event_type}"
    signal.connect(spy, weak=False, dispatch_uid=uid)
    try:
        signal.send_event(time=time, **data)
    finally:
        signal.disconnect(dispatch_uid=uid)
    (metadata,) = seen
    return metadata


EXAM_BLOCK = "block-v1:Demo+W1+2026+type@sequential+block@final"
BADGE_UUID = "6f0c3b8e-8d1c-4c59-9d8e-0d4c0b0a1f11"
PROGRAM_UUID = "1a2b3c4d-0000-4000-8000-000000000001"


def thread_data(user, thread_id="t-1"):
    from openedx_events.learning.data import DiscussionThreadData

    # openedx-events 10.x requires every field; 11.x made most of them optional.
    return DiscussionThreadData(
        anonymous=False, anonymous_to_peers=False, body="hi", category_id="c", category_name="General",
        commentable_id="c1", group_id=None, id=thread_id, team_id=None, thread_type="discussion", title="Hello",
        title_truncated=False, truncated=False, url="/discussion/t-1", user=user_data(user), course_id=COURSE_KEY,
    )


def exam_data(user, exam_type="timed"):
    from opaque_keys.edx.keys import UsageKey
    from openedx_events.learning.data import ExamAttemptData

    return ExamAttemptData(student_user=user_data(user), course_key=COURSE_KEY,
                           usage_key=UsageKey.from_string(EXAM_BLOCK), exam_type=exam_type)


def idv_data(user, status="approved"):
    from openedx_events.learning.data import VerificationAttemptData

    return VerificationAttemptData(attempt_id=1, user=user_data(user), status=status)


def badge_data(user, name="Finisher"):
    from openedx_events.learning.data import BadgeData, BadgeTemplateData

    template = BadgeTemplateData(uuid=BADGE_UUID, origin="credentials", name=name, description="", image_url="")
    return BadgeData(uuid=BADGE_UUID, user=user_data(user), template=template)


def program_certificate_data(user, title="Data Science"):
    from openedx_events.learning.data import ProgramCertificateData, ProgramData

    program = ProgramData(uuid=PROGRAM_UUID, title=title, program_type="MicroMasters")
    return ProgramCertificateData(user=user_data(user), program=program, uuid=PROGRAM_UUID, status="awarded",
                                  url="/certificates/p", certificate_available_date=AT)


def ora_submission_data(user, block="essay"):
    """An ORA submission; ora2 sends only the learner's anonymous id for the course."""
    return ORASubmissionData(
        uuid=f"ora-{user.pk}-{block}", anonymous_user_id=f"anon-{user.pk}",
        location=f"block-v1:{COURSE_KEY.org}+{COURSE_KEY.course}+{COURSE_KEY.run}+type@openassessment+block@{block}",
        attempt_number=1, created_at=AT, submitted_at=AT, answer=ORASubmissionAnswer(parts=[{"text": "Essay"}]),
    )
