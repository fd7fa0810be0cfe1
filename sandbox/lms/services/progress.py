"""Learner progress: completions through edx-completion, problem scores, days of activity."""
import datetime

from completion.models import BlockCompletion
from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
from django.db import transaction
from django.utils import timezone
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import UsageKey
from waffle.models import Switch

from ..models import Block, ProblemScore, UserActivity
from ..signals import PROBLEM_WEIGHTED_SCORE_CHANGED
from .courses import course_key_of

#: RequestCache namespace in which edx-toggles keeps switch values.
WAFFLE_REQUEST_CACHE = "WaffleNamespace"


def _ensure_completion_tracking():
    """Create edx-completion's switch, on, if it is missing (e.g. a flushed test database).

    An operator's explicit "off" is kept: ``submit_completion`` then raises, as in the LMS.
    """
    if ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled():
        return
    name = ENABLE_COMPLETION_TRACKING_SWITCH.name
    switch, _created = Switch.objects.get_or_create(name=name, defaults={"active": True})
    if switch.active:
        # Both caches still say "off": waffle's flushes only on commit, and edx-toggles keeps values for
        # the rest of the request (here: the thread).
        switch.flush()
        RequestCache(WAFFLE_REQUEST_CACHE).clear()


def complete_block(user, block_key):
    """Mark a block complete through edx-completion, and count the day as active in the course.

    ``BlockCompletion.objects.submit_completion(user, key, 1.0)``: Django's ``post_save`` fires when the
    row is created or its value changes; completing a complete block saves (and sends) nothing.
    Returns the ``BlockCompletion``.
    """
    usage_key = block_key if isinstance(block_key, UsageKey) else UsageKey.from_string(str(block_key))
    with transaction.atomic():
        _ensure_completion_tracking()
        completion, _created = BlockCompletion.objects.submit_completion(user, usage_key, 1.0)
        record_activity(user, usage_key.course_key)
    return completion


def score_problem(user, block_key, earned, possible=1.0):
    """Score an attempt at a problem, as the LMS does when a learner submits one.

    The score is stored (edx-platform: the StudentModule's grade), then
    ``PROBLEM_WEIGHTED_SCORE_CHANGED`` is sent — on every attempt, also one that repeats the score —
    then the problem is marked complete, as edx-completion's receiver of that signal does (when
    completion tracking is on), and the day counts as active. Grades are not recomputed: in the LMS
    that is a Celery task afterwards; call ``set_grade`` for it. Returns the ``ProblemScore``.
    """
    usage_key = block_key if isinstance(block_key, UsageKey) else UsageKey.from_string(str(block_key))
    earned, possible = float(earned), float(possible)
    if possible <= 0 or not 0 <= earned <= possible:
        raise ValueError(f"a score is 0 ≤ earned ≤ possible with possible > 0, got {earned:g}/{possible:g}")
    try:
        block = Block.objects.get(usage_key=str(usage_key))
    except Block.DoesNotExist:
        raise Block.DoesNotExist(f"The sandbox LMS has no block {usage_key}.") from None
    with transaction.atomic():
        score, _created = ProblemScore.objects.update_or_create(
            user=user, block=block, defaults={"earned": earned, "possible": possible})
        PROBLEM_WEIGHTED_SCORE_CHANGED.send(
            sender=None, weighted_earned=earned, weighted_possible=possible, user_id=user.pk,
            anonymous_user_id=None, course_id=str(usage_key.course_key), usage_id=str(usage_key),
            only_if_higher=False, modified=score.modified, score_db_table="courseware_studentmodule",
            score_deleted=False)
        _ensure_completion_tracking()
        if ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled():
            BlockCompletion.objects.submit_completion(user, usage_key, 1.0)
        record_activity(user, usage_key.course_key)
    return score


def record_activity(user, course_key, at=None):
    """Note that the learner was active in the course on ``at``'s day (default today); sends nothing.

    One row per user, course and day (in ``settings.TIME_ZONE``), as course_goals' ``UserActivity``.
    """
    day = timezone.localdate(at or timezone.now())
    activity, _created = UserActivity.objects.get_or_create(
        user=user, course_key=str(course_key_of(course_key)), date=day
    )
    return activity


def move_activity_back(user, course_key, days):
    """Make the learner look quiet: their activity days in the course move ``days`` back (a learner
    with none gets one, ``days`` ago). Sends nothing: noticing the silence is the plugin's
    inactivity scan's job, as in Open edX. Returns the learner's last active day in the course."""
    days = int(days)
    if days < 1:
        raise ValueError(f"days is at least 1, got {days}")
    key = str(course_key_of(course_key))
    with transaction.atomic():
        rows = list(UserActivity.objects.select_for_update().filter(user=user, course_key=key).order_by("date"))
        if not rows:
            return record_activity(user, key, at=timezone.now() - datetime.timedelta(days=days)).date
        for row in rows:  # oldest first, so no two rows ever share a day
            row.date -= datetime.timedelta(days=days)
            row.save(update_fields=["date"])
    return rows[-1].date
