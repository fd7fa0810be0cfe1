"""Problem score receiver: edx-platform's ``PROBLEM_WEIGHTED_SCORE_CHANGED`` (a Django signal of
``lms.djangoapps.grades.signals.signals``; no openedx-event carries a problem's score).

The LMS sends it for every scored attempt — also a re-attempt with the same score — from the
courseware and from edx-submissions (ORA, external graders), in web and Celery workers, with
``user_id``, ``course_id`` and ``usage_id`` (strings), ``weighted_earned`` / ``weighted_possible``,
``modified`` and ``score_deleted``. edx-completion listens to it too (a scored problem is complete).

A problem is *passed* at full marks (what the LMS shows as correct) and *failed* below; the score is
in the payload, so a trigger filter such as ``event.percent >= 70`` draws another line. ``passed`` is
once per learner and problem (its key); every failed attempt is an event of its own (keyed by the
score's time). A reset score (``score_deleted``) and a problem worth nothing are not attempts.
"""
from django.utils import timezone
from opaque_keys.edx.keys import UsageKey

from ..models import Event
from ..recording import record_event
from .base import business_key, never_raises


@never_raises
def on_problem_score_changed(sender, signal=None, **kwargs):
    """PROBLEM_WEIGHTED_SCORE_CHANGED → ``problem.passed`` or ``problem.failed``."""
    earned, possible = kwargs.get("weighted_earned"), kwargs.get("weighted_possible")
    if kwargs.get("score_deleted") or earned is None or not possible or float(possible) <= 0:
        return
    earned, possible = float(earned), float(possible)
    user_id = int(kwargs["user_id"])
    problem_key = str(kwargs["usage_id"])
    course_key = str(kwargs.get("course_id") or UsageKey.from_string(problem_key).course_key)
    modified = kwargs.get("modified") or timezone.now()
    passed = earned >= possible
    event_type = "problem.passed" if passed else "problem.failed"
    key = (business_key("problem-passed", user_id, problem_key) if passed
           else business_key("problem-failed", user_id, problem_key, modified.isoformat()))
    record_event(
        event_type,
        user_id=user_id,
        payload={"user_id": user_id, "course_key": course_key, "problem_key": problem_key,
                 "earned": earned, "possible": possible, "percent": round(100 * earned / possible, 2)},
        occurred_at=modified,
        source=Event.SOURCE.django_signal,
        idempotency_key=key,
    )
