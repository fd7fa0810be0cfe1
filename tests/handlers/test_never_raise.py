"""Receivers never raise into the sender, even with DEBUG on (openedx-events then sends without catching)."""
import logging
from unittest import mock

import pytest
from completion.models import BlockCompletion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils.module_loading import import_string
from opaque_keys.edx.keys import UsageKey
from openedx_events.learning import signals
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData

from lms_automations import handlers
from lms_automations.apps import LMS_RECEIVERS
from lms_automations.models import Event
from sandbox.lms.host_backend import SandboxHost
from sandbox.lms.signals import PROBLEM_WEIGHTED_SCORE_CHANGED, SIGNAL_PATHS

from . import factories as f

pytestmark = pytest.mark.django_db
QUIZ = UsageKey.from_string("block-v1:Demo+W1+2026+type@problem+block@quiz-1")


def completed_block(user):
    return BlockCompletion(
        user=user, context_key=QUIZ.course_key, block_key=QUIZ, block_type="problem", completion=1.0, modified=f.AT
    )


#: (receiver name, a call that makes the host send its signal with valid data for ``user``).
SENDS = [
    ("on_registration_completed", lambda u: signals.STUDENT_REGISTRATION_COMPLETED.send_event(user=f.user_data(u))),
    ("on_session_login_completed", lambda u: signals.SESSION_LOGIN_COMPLETED.send_event(user=f.user_data(u))),
    ("on_enrollment_created", lambda u: signals.COURSE_ENROLLMENT_CREATED.send_event(enrollment=f.enrollment_data(u))),
    ("on_enrollment_changed", lambda u: signals.COURSE_ENROLLMENT_CHANGED.send_event(enrollment=f.enrollment_data(u))),
    (
        "on_unenrollment_completed",
        lambda u: signals.COURSE_UNENROLLMENT_COMPLETED.send_event(enrollment=f.enrollment_data(u, is_active=False)),
    ),
    (
        "on_persistent_grade_changed",
        lambda u: signals.PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=f.grade_data(u, 0.5)),
    ),
    (
        "on_passing_status_updated",
        lambda u: signals.COURSE_PASSING_STATUS_UPDATED.send_event(
            course_passing_status=f.passing_status_data(u, True)
        ),
    ),
    ("on_certificate_created", lambda u: signals.CERTIFICATE_CREATED.send_event(certificate=f.certificate_data(u))),
    ("on_certificate_revoked", lambda u: signals.CERTIFICATE_REVOKED.send_event(certificate=f.certificate_data(u))),
    ("on_cohort_membership_changed", lambda u: signals.COHORT_MEMBERSHIP_CHANGED.send_event(cohort=f.cohort_data(u))),
    (
        "on_block_completion_saved",
        lambda u: post_save.send(sender=BlockCompletion, instance=completed_block(u), created=True, raw=False),
    ),
]
SENDS += [
    ("on_forum_thread_created", lambda u: signals.FORUM_THREAD_CREATED.send_event(thread=f.thread_data(u))),
    ("on_forum_response_created", lambda u: signals.FORUM_THREAD_RESPONSE_CREATED.send_event(thread=f.thread_data(u))),
    ("on_forum_comment_created", lambda u: signals.FORUM_RESPONSE_COMMENT_CREATED.send_event(thread=f.thread_data(u))),
    ("on_exam_submitted", lambda u: signals.EXAM_ATTEMPT_SUBMITTED.send_event(exam_attempt=f.exam_data(u))),
    ("on_exam_verified", lambda u: signals.EXAM_ATTEMPT_VERIFIED.send_event(exam_attempt=f.exam_data(u))),
    ("on_exam_rejected", lambda u: signals.EXAM_ATTEMPT_REJECTED.send_event(exam_attempt=f.exam_data(u))),
    ("on_idv_approved", lambda u: signals.IDV_ATTEMPT_APPROVED.send_event(idv_attempt=f.idv_data(u))),
    ("on_idv_denied", lambda u: signals.IDV_ATTEMPT_DENIED.send_event(idv_attempt=f.idv_data(u, "denied"))),
    ("on_badge_awarded", lambda u: signals.BADGE_AWARDED.send_event(badge=f.badge_data(u))),
    (
        "on_program_certificate_awarded",
        lambda u: signals.PROGRAM_CERTIFICATE_AWARDED.send_event(program_certificate=f.program_certificate_data(u)),
    ),
]


def submitted_essay(user):
    """ORA names the learner by an anonymous id, which the host resolves (the sandbox has none)."""
    with mock.patch.object(SandboxHost, "user_id_for_anonymous_id", return_value=user.pk):
        signals.ORA_SUBMISSION_CREATED.send_event(submission=f.ora_submission_data(user))


def scored_problem(user):
    """edx-platform's grades signal, under its LMS path in the sandbox (``sandbox.lms.signals``)."""
    PROBLEM_WEIGHTED_SCORE_CHANGED.send(
        sender=None, weighted_earned=1.0, weighted_possible=2.0, user_id=user.pk, anonymous_user_id=None,
        course_id=str(QUIZ.course_key), usage_id=str(QUIZ), only_if_higher=False, modified=f.AT,
        score_db_table="courseware_studentmodule", score_deleted=False)


SENDS.append(("on_ora_submission_created", submitted_essay))
SENDS.append(("on_problem_score_changed", scored_problem))
SEND_IDS = [name for name, _send in SENDS]
#: Receivers of signals that exist only in edx-platform (tests/host/test_host_only_signals.py).
HOST_ONLY = ["on_account_activated"]


def importable(path):
    if path in SIGNAL_PATHS:
        return True  # the sandbox sends it under this path
    try:
        import_string(path)
    except ImportError:
        return False
    return True


def test_the_table_covers_every_declared_receiver():
    here = [r["receiver_func_name"] for r in LMS_RECEIVERS if importable(r["signal_path"])]
    elsewhere = [r["receiver_func_name"] for r in LMS_RECEIVERS if not importable(r["signal_path"])]
    assert sorted(SEND_IDS) == sorted(here)
    assert elsewhere == HOST_ONLY, "declared, connected by the LMS only"
    assert sorted(SEND_IDS + HOST_ONLY) == sorted(handlers.__all__)


@pytest.mark.parametrize(("name", "send"), SENDS, ids=SEND_IDS)
def test_each_receiver_records_with_valid_data(ada, name, send):
    # The control for the failure cases below: the same send does record an event.
    send(ada)

    assert Event.objects.filter(user=ada).count() == 1


@pytest.mark.parametrize(("name", "send"), SENDS, ids=SEND_IDS)
def test_a_failing_record_is_logged_and_swallowed(ada, caplog, name, send):
    assert settings.DEBUG
    boom = RuntimeError("recording is broken")
    with (
        mock.patch("lms_automations.handlers.base.record_event", side_effect=boom),
        mock.patch("lms_automations.handlers.completion.record_event", side_effect=boom),
        mock.patch("lms_automations.handlers.problems.record_event", side_effect=boom),
        caplog.at_level(logging.ERROR, logger="lms_automations.handlers"),
    ):
        send(ada)  # does not raise

    assert not Event.objects.exists()
    (record,) = [r for r in caplog.records if r.name == "lms_automations.handlers"]
    assert name in record.getMessage()
    assert record.exc_info[1] is boom


@pytest.mark.parametrize(("name", "send"), SENDS, ids=SEND_IDS)
def test_a_failing_insert_is_swallowed_and_leaves_the_host_transaction_usable(ada, name, send):
    def insert_elsewhere(execute, sql, params, many, context):
        # The database itself refuses the insert (on PostgreSQL that aborts the transaction unless
        # the plugin's savepoint contains it).
        if "INSERT" in sql and "lms_automations_event" in sql:
            sql = sql.replace("lms_automations_event", "lms_automations_no_such_table")
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(insert_elsewhere):
        send(ada)
        # The host carries on in the same transaction.
        get_user_model().objects.create(username="after", email="after@example.com")

    assert get_user_model().objects.filter(username="after").exists()
    assert not Event.objects.exists()


def test_a_constraint_violation_inside_the_insert_does_not_poison_the_host_transaction(ada):
    nobody = UserData(id=None, is_active=True, pii=UserPersonalData(username="ghost", email="ghost@example.com"))
    with transaction.atomic():
        signals.SESSION_LOGIN_COMPLETED.send_event(user=nobody)  # NOT NULL user: the real insert fails
        get_user_model().objects.create(username="after", email="after@example.com")

    assert get_user_model().objects.filter(username="after").exists()
    assert not Event.objects.exists()


def test_a_malformed_payload_is_logged_and_swallowed(ada, caplog):
    # attrs does not check types: a host bug could put a plain string where a CourseKey belongs.
    enrollment = CourseEnrollmentData(
        user=f.user_data(ada),
        course=CourseData(course_key="not-a-course-key"),
        mode="audit",
        is_active=True,
        creation_date=f.AT,
    )
    with caplog.at_level(logging.ERROR, logger="lms_automations.handlers"):
        signals.COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment)

    assert not Event.objects.exists()
    assert "on_enrollment_created" in caplog.text


def test_a_call_without_openedx_metadata_is_logged_not_recorded(ada, caplog):
    # Without the event id there is no key that would make a re-delivery the same event.
    with caplog.at_level(logging.ERROR, logger="lms_automations.handlers"):
        result = handlers.on_session_login_completed(None, user=f.user_data(ada))

    assert result is None
    assert not Event.objects.exists()
    assert "no openedx-events metadata" in caplog.text


def test_the_guard_lets_interpreter_exits_through(ada):
    with mock.patch("lms_automations.handlers.base.record_event", side_effect=KeyboardInterrupt), pytest.raises(
        KeyboardInterrupt
    ):
        signals.SESSION_LOGIN_COMPLETED.send_event(user=f.user_data(ada))


def test_receivers_keep_their_names_for_the_plugin_wiring():
    for receiver in LMS_RECEIVERS:
        assert getattr(handlers, receiver["receiver_func_name"]).__name__ == receiver["receiver_func_name"]
