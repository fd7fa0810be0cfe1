"""Enrolment receivers (openedx-events).

The host re-sends CREATED for an already active enrolment and sends CHANGED for every change, mode or
activation. The receivers record each occurrence as it is; whether it is a new enrolment, a real mode
change or an upgrade is decided at dispatch against the stored last-known state, not here.

One exception, because only the receivers can see it (ADR 0018): the enrolment API enrols in the
course's default mode and sets the mode asked for right after, in the same host commit
(``create_course_enrollment``: ``enroll()`` → CREATED(audit), then ``update_enrollment`` →
CHANGED(verified)). For the learner that is one enrolment, in verified. So a mode change that follows
CREATED for the same enrolment in the same transaction is folded into the recorded CREATED (its
``mode`` becomes the mode the LMS commits) and the CHANGED, recorded as usual, is then no change at
dispatch. A mode change in a later commit is a real change (and an upgrade when it is one).
"""
import logging

from django.db import transaction

from ..happened.recording import current_commit, set_pending_payload
from .base import never_raises, record_openedx_event

log = logging.getLogger(__name__)
_CREATED_IN_COMMIT = "_lms_automations_enrolments_created"


def _created_in_this_commit(create=False):
    """``{(user_id, course_key): (key, payload)}``: the enrolments whose CREATED the host transaction in
    progress recorded (None outside one). Tied to the transaction's hand-off (``current_commit``), so
    it is gone once the host commits or rolls back."""
    commit = current_commit()
    if commit is None:
        return None  # autocommit: each signal is a commit of its own, nothing to fold
    connection = transaction.get_connection()
    owner, created = connection.__dict__.get(_CREATED_IN_COMMIT, (None, None))
    if owner is not commit:
        if not create:
            return None
        owner, created = connection.__dict__[_CREATED_IN_COMMIT] = (commit, {})
    return created


@never_raises
def on_enrollment_created(sender, signal=None, **kwargs):
    """COURSE_ENROLLMENT_CREATED → ``enrollment.created``."""
    enrollment = kwargs["enrollment"]
    course_key = enrollment.course.course_key
    fields = {"course_key": str(course_key), "org": course_key.org, "mode": enrollment.mode}
    key = record_openedx_event("enrollment.created", kwargs, user_id=enrollment.user.id, **fields)
    if key is not None and enrollment.is_active:
        created = _created_in_this_commit(create=True)
        if created is not None:
            created[(enrollment.user.id, str(course_key))] = (key, {"user_id": enrollment.user.id, **fields})


def _fold_into_created(enrollment):
    """A mode set in the commit that created the enrolment: the recorded CREATED takes that mode."""
    created = _created_in_this_commit()
    if created is None or not enrollment.is_active:
        return
    pair = (enrollment.user.id, str(enrollment.course.course_key))
    key, payload = created.get(pair, (None, None))
    if key is None or payload["mode"] == enrollment.mode:
        return
    payload = {**payload, "mode": enrollment.mode}
    try:
        set_pending_payload(key, payload)
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: could not set the mode of %s; the change is announced on its own", key)
        return
    created[pair] = (key, payload)


@never_raises
def on_enrollment_changed(sender, signal=None, **kwargs):
    """COURSE_ENROLLMENT_CHANGED → ``enrollment.mode_changed``; ``from_mode`` is filled in at dispatch.

    The host's payload holds only the new state, so the receiver cannot know the old mode without a
    query, and receivers do none (the one write below folds a mode set while enrolling).
    """
    enrollment = kwargs["enrollment"]
    _fold_into_created(enrollment)
    record_openedx_event(
        "enrollment.mode_changed",
        kwargs,
        user_id=enrollment.user.id,
        course_key=str(enrollment.course.course_key),
        to_mode=enrollment.mode,
        from_mode=None,
        is_active=enrollment.is_active,
    )


@never_raises
def on_unenrollment_completed(sender, signal=None, **kwargs):
    """COURSE_UNENROLLMENT_COMPLETED → ``enrollment.deactivated``."""
    enrollment = kwargs["enrollment"]
    record_openedx_event(
        "enrollment.deactivated",
        kwargs,
        user_id=enrollment.user.id,
        course_key=str(enrollment.course.course_key),
        mode=enrollment.mode,
    )
