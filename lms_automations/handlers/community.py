"""Receivers for forum, exam, identity-verification, badge and program-certificate signals.

Exams, badges and program certificates come from other services (edx-exams, Credentials), so they
reach the LMS through the event bus (`consume_events`); the receivers are the same either way.
"""
import logging

from opaque_keys.edx.keys import UsageKey

from ..host import get_host
from .base import never_raises, record_openedx_event

log = logging.getLogger(__name__)


def _named(receiver, name, doc):
    # The plugin wiring and the logs refer to receivers by name.
    receiver.__name__ = receiver.__qualname__ = name
    receiver.__doc__ = doc
    return never_raises(receiver)


def _forum(event_type, name):
    def receiver(sender, signal=None, **kwargs):
        thread = kwargs["thread"]
        record_openedx_event(event_type, kwargs, user_id=thread.user.id, course_key=str(thread.course_id),
                             thread_id=str(thread.id))

    return _named(receiver, name, f"{event_type} from the matching FORUM_* signal.")


def _exam(event_type, name):
    def receiver(sender, signal=None, **kwargs):
        attempt = kwargs["exam_attempt"]
        record_openedx_event(event_type, kwargs, user_id=attempt.student_user.id,
                             course_key=str(attempt.course_key), block_key=str(attempt.usage_key),
                             exam_type=attempt.exam_type)

    return _named(receiver, name, f"{event_type} from EXAM_ATTEMPT_* (edx-exams, through the event bus).")


def _idv(event_type, name):
    def receiver(sender, signal=None, **kwargs):
        record_openedx_event(event_type, kwargs, user_id=kwargs["idv_attempt"].user.id)

    return _named(receiver, name, f"{event_type} from IDV_ATTEMPT_*.")


on_forum_thread_created = _forum("forum.thread_created", "on_forum_thread_created")
on_forum_response_created = _forum("forum.response_created", "on_forum_response_created")
on_forum_comment_created = _forum("forum.comment_created", "on_forum_comment_created")
on_exam_submitted = _exam("exam.submitted", "on_exam_submitted")
on_exam_verified = _exam("exam.verified", "on_exam_verified")
on_exam_rejected = _exam("exam.rejected", "on_exam_rejected")
on_idv_approved = _idv("idv.approved", "on_idv_approved")
on_idv_denied = _idv("idv.denied", "on_idv_denied")


@never_raises
def on_badge_awarded(sender, signal=None, **kwargs):
    """BADGE_AWARDED (Credentials, through the event bus) → ``badge.awarded``."""
    badge = kwargs["badge"]
    record_openedx_event("badge.awarded", kwargs, user_id=badge.user.id, badge_name=badge.template.name,
                         badge_uuid=str(badge.uuid))


@never_raises
def on_program_certificate_awarded(sender, signal=None, **kwargs):
    """PROGRAM_CERTIFICATE_AWARDED (Credentials, through the event bus) → ``program_certificate.awarded``."""
    certificate = kwargs["program_certificate"]
    record_openedx_event("program_certificate.awarded", kwargs, user_id=certificate.user.id,
                         program_uuid=str(certificate.program.uuid), program_title=certificate.program.title)


@never_raises
def on_ora_submission_created(sender, signal=None, **kwargs):
    """ORA_SUBMISSION_CREATED → ``assignment.submitted``.

    ora2 names the learner only by their anonymous id for the course: one indexed read through the
    host turns it into the user (a learner the host cannot resolve is logged, not guessed).
    """
    submission = kwargs["submission"]
    user_id = get_host().user_id_for_anonymous_id(submission.anonymous_user_id)
    if user_id is None:
        log.warning("lms_automations: ORA submission %s by an unknown anonymous id was not recorded", submission.uuid)
        return
    block_key = UsageKey.from_string(str(submission.location))
    record_openedx_event("assignment.submitted", kwargs, user_id=user_id, course_key=str(block_key.course_key),
                         block_key=str(block_key))
