"""Which automations listen to an event type — the hot path of every dispatch, cached.

The index is rebuilt when any definition changes (a version number in the cache is bumped on
save/delete of automations, triggers and exit conditions), so every worker sees an edit at once.
"""
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Automation, ExitCondition, Trigger

_VERSION_KEY = "lms_automations:definitions_version"
_LISTENING = (Automation.STATUS.active, Automation.STATUS.testing)
_local = {}


def _version():
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, 1)
        version = cache.get(_VERSION_KEY, 1)
    return version


def invalidate(**kwargs):
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2)
    _local.clear()


def _cached(name, build):
    version = _version()
    key = (name, version)
    if key not in _local:
        if len(_local) > 4096:
            _local.clear()
        _local[key] = build()
    return _local[key]


def triggers_for(event_type):
    """``{automation_id: [(position, filter), ...]}`` for automations listening to ``event_type``."""

    def build():
        index = {}
        rows = Trigger.objects.filter(event_type=event_type, automation__status__in=_LISTENING).order_by(
            "automation_id", "position").values_list("automation_id", "position", "filter")
        for automation_id, position, trigger_filter in rows:
            index.setdefault(automation_id, []).append((position, trigger_filter))
        return index

    return _cached(("triggers", event_type), build)


def has_sync_listener(event_type):
    """Whether an automation with ``sync`` execution starts on this event type."""
    def build():
        return Trigger.objects.filter(event_type=event_type, automation__status__in=_LISTENING,
                                      automation__execution=Automation.EXECUTION.sync).exists()

    return _cached(("sync", event_type), build)


def exits_for(event_type):
    """Ids of automations (any status with runs) that exit on ``event_type``."""
    return _cached(("exits", event_type), lambda: set(
        ExitCondition.objects.filter(event_type=event_type).values_list("automation_id", flat=True)))


for _model in (Automation, Trigger, ExitCondition):
    receiver(post_save, sender=_model, dispatch_uid=f"lms_automations.index.save.{_model.__name__}")(invalidate)
    receiver(post_delete, sender=_model, dispatch_uid=f"lms_automations.index.delete.{_model.__name__}")(invalidate)
