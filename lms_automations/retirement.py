"""Removing a learner's data when the LMS retires them (Open edX user retirement, OEP-30), for good.

Everything the plugin keeps about a learner goes: events, runs with their timelines and action
records, entries, tags, list memberships, fields, points, consent, last-known course state and the
dispatch lock; where a definition names them (an automation's owner, a test learner's recipient, the
author of a history row) the reference is cleared. Open runs are not continued — a retired learner
must receive nothing more.

What stays is a tombstone, ``RetiredLearner(user_id, retired_at)``, so that nothing re-creates data
for that id later (ADR 0011): tracking links of e-mails sent before retirement, ``api.emit`` and REST
ingestion check ``is_retired`` and record nothing, and the dispatch drops (deletes) any event a host
signal still recorded for the id, before it can start a run or write course state.
"""
import logging

from django.db import transaction
from simple_history.models import HistoricalChanges

from .models import (
    Automation,
    EntryRefusal,
    Event,
    LearnerCourseState,
    LearnerDispatchLock,
    LearnerEntry,
    LearnerField,
    LearnerTag,
    ListMembership,
    MarketingConsent,
    PointsEntry,
    RetiredLearner,
    Run,
    TestLearner,
)

log = logging.getLogger(__name__)
DELETE, CLEAR = "delete", "clear"

#: Every field of the plugin's models that names a user, and what retirement does with it: rows that
#: are *about* the learner are deleted; a reference from a definition to a staff member who is retired
#: is cleared (the automation stays). Order matters: events first — deleting them waits for a dispatch
#: of this learner in flight, so the runs it starts are committed, and seen, when runs are deleted.
#: History models follow their model's rule, and their ``history_user`` is cleared (``_history_rules``).
#: ``tests/test_retirement.py`` checks this table against every user reference in the app registry.
USER_REFERENCES = (
    ("events", Event, "user", DELETE),
    ("runs", Run, "user", DELETE),  # with their timelines, wake-ups and action records (cascade)
    ("entries", LearnerEntry, "user", DELETE),
    ("refusals", EntryRefusal, "user", DELETE),
    ("tags", LearnerTag, "user", DELETE),
    ("lists", ListMembership, "user", DELETE),
    ("fields", LearnerField, "user", DELETE),
    ("points", PointsEntry, "user", DELETE),
    ("consent", MarketingConsent, "user", DELETE),
    ("course_state", LearnerCourseState, "user", DELETE),
    ("test_learner", TestLearner, "user", DELETE),
    # A test learner's messages then go to the automation's owner, as when no recipient was chosen.
    ("test_recipient", TestLearner, "redirect_to", CLEAR),
    ("owned_automations", Automation, "owner", CLEAR),
    ("dispatch_lock", LearnerDispatchLock, "user_id", DELETE),
)
#: Fields that name a user and stay: the tombstone itself (a bare id, ``RetiredLearner``'s docstring).
KEPT_REFERENCES = ((RetiredLearner, "user_id"),)


def is_retired(user_id):
    """Whether the LMS retired this learner (one primary-key read)."""
    return user_id is not None and RetiredLearner.objects.filter(user_id=user_id).exists()


def drop_if_retired(user_id):
    """For the dispatch, under the learner's lock: if the learner is retired, delete their events
    (a host signal may still record one) and the lock row, and say so — nothing is matched."""
    if not is_retired(user_id):
        return False
    dropped, _ = Event.objects.filter(user_id=user_id).delete()
    LearnerDispatchLock.objects.filter(user_id=user_id).delete()
    log.info("lms_automations: dropped %d event(s) recorded for retired learner %s", dropped, user_id)
    return True


def drop_retired(user_ids):
    """The batched form of ``drop_if_retired``: one read for the batch's learners; returns the ids
    dropped (their events deleted, never matched)."""
    retired = set(RetiredLearner.objects.filter(user_id__in=list(user_ids)).values_list("user_id", flat=True))
    if retired:
        dropped, _ = Event.objects.filter(user_id__in=retired).delete()
        LearnerDispatchLock.objects.filter(user_id__in=retired).delete()
        log.info("lms_automations: dropped %d event(s) recorded for %d retired learner(s)", dropped, len(retired))
    return retired


@transaction.atomic
def retire_learner(user_id):
    """Delete or clear every reference the plugin holds to ``user_id`` and keep its tombstone;
    returns the counts per kind. Running it again (the pipeline retries a step) is harmless."""
    RetiredLearner.objects.get_or_create(user_id=user_id)
    # A dispatch of this learner in flight holds this row: wait for it rather than race it.
    list(LearnerDispatchLock.objects.select_for_update().filter(user_id=user_id))
    removed = {}
    for label, model, field, action in (*USER_REFERENCES, *_history_rules()):
        queryset = model._base_manager.filter(**{_lookup(model, field): user_id})
        if action == DELETE:
            _total, per_model = queryset.delete()
            count = per_model.get(model._meta.label, 0)
        else:
            count = queryset.update(**{_lookup(model, field): None})  # an update writes no history row
        removed[label] = removed.get(label, 0) + count
    log.info("lms_automations: retired learner %s (%s)", user_id, removed)
    return removed


def _history_rules():
    """The rules for django-simple-history's tables: a history row copies its model's fields, so it
    follows the model's rule (a deleted learner row takes its history along); the author of any
    change is cleared."""
    rules = {(model, field): action for _label, model, field, action in USER_REFERENCES}
    for model in _plugin_models():
        if not issubclass(model, HistoricalChanges):
            continue
        yield "history_authors", model, "history_user", CLEAR
        for field in model._meta.concrete_fields:
            action = rules.get((model.instance_type, field.name))
            if action:
                yield f"history_{model.instance_type._meta.model_name}_{field.name}", model, field.name, action


def _plugin_models():
    from django.apps import apps  # pylint: disable=import-outside-toplevel

    return apps.get_app_config("lms_automations").get_models()


def _lookup(model, field):
    """``user_id``-style lookups for foreign keys (no join), the field itself otherwise."""
    return model._meta.get_field(field).attname


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
