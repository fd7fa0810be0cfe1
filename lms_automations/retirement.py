"""Removing a learner's data when the LMS retires them (Open edX user retirement, OEP-30).

Everything the plugin keeps about a learner goes: events, runs with their timelines and action
records, entries, tags, list memberships, fields, points, consent and last-known course state.
Open runs are not continued — a retired learner must receive nothing more.
"""
import logging

from django.db import transaction

from .models import (
    Event,
    LearnerCourseState,
    LearnerDispatchLock,
    LearnerEntry,
    LearnerField,
    LearnerTag,
    ListMembership,
    MarketingConsent,
    PointsEntry,
    Run,
    TestLearner,
)

log = logging.getLogger(__name__)


@transaction.atomic
def retire_learner(user_id):
    """Delete every row the plugin holds about ``user_id``; returns the counts per kind."""
    removed = {}
    for label, queryset in (
        ("runs", Run.objects.filter(user_id=user_id)),  # cascades to timelines, wake-ups, executions
        ("events", Event.objects.filter(user_id=user_id)),
        ("entries", LearnerEntry.objects.filter(user_id=user_id)),
        ("tags", LearnerTag.objects.filter(user_id=user_id)),
        ("lists", ListMembership.objects.filter(user_id=user_id)),
        ("fields", LearnerField.objects.filter(user_id=user_id)),
        ("points", PointsEntry.objects.filter(user_id=user_id)),
        ("consent", MarketingConsent.objects.filter(user_id=user_id)),
        ("course_state", LearnerCourseState.objects.filter(user_id=user_id)),
        ("test_learner", TestLearner.objects.filter(user_id=user_id)),
        ("dispatch_lock", LearnerDispatchLock.objects.filter(user_id=user_id)),
    ):
        _total, per_model = queryset.delete()
        removed[label] = per_model.get(queryset.model._meta.label, 0)
    log.info("lms_automations: retired learner %s (%s)", user_id, removed)
    return removed


def on_user_retired(sender, user=None, **kwargs):
    """Receiver for the LMS's retirement signal (``USER_RETIRE_LMS_MISC``).

    It re-raises on failure: the retirement pipeline must see that this step did not complete
    and retry it, rather than report a learner's data removed when it was not.
    """
    try:
        retire_learner(getattr(user, "pk", user))
    except Exception:
        log.exception("lms_automations: could not remove the data of retired learner %s", user)
        raise
