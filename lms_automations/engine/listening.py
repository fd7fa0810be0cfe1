"""Since when a trigger hears events: SPEC §5.1's "only events that happen while an automation is
active start runs", kept by the rows themselves (ADR 0015).

``Trigger.listening_since`` is set when its automation becomes active or testing (every trigger),
when a trigger is added to or changed on a live automation, and cleared when the automation stops
listening; an edit that keeps a trigger as it was keeps its moment (``definition.load_document``
carries it over). Matching compares it with the moment the event happened.

At the same moments the inactivity thresholds the automation asks for get their scan watermark,
if they have none: the scan then looks only at quiet streaks that reach a new threshold from then
on, not at the site's whole history.
"""
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from ..catalogue import thresholds
from ..models import Automation, Trigger

LISTENING = (Automation.STATUS.active, Automation.STATUS.testing)


def trigger_identity(trigger):
    """What makes an edited trigger "the same trigger" (it keeps its moment)."""
    return trigger.event_type, _canonical(trigger.params or {}), _canonical(trigger.filter)


def _canonical(value):
    import json  # pylint: disable=import-outside-toplevel

    return json.dumps(value, sort_keys=True, default=str)


@receiver(pre_save, sender=Automation, dispatch_uid="lms_automations.listening.automation_pre_save")
def _note_status_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "status" not in update_fields):
        instance._listening_change = None  # pylint: disable=protected-access
        return
    before = Automation.objects.filter(pk=instance.pk).values_list("status", flat=True).first() if instance.pk \
        else None
    was, now = before in LISTENING, instance.status in LISTENING
    instance._listening_change = "started" if now and not was else "stopped" if was and not now else None  # pylint: disable=protected-access


@receiver(post_save, sender=Automation, dispatch_uid="lms_automations.listening.automation_post_save")
def _apply_status_change(sender, instance, raw=False, **kwargs):
    change = getattr(instance, "_listening_change", None)
    instance._listening_change = None  # pylint: disable=protected-access
    if change == "started":
        moment = timezone.now()
        instance.triggers.update(listening_since=moment)
        start_watermarks(instance, moment)
    elif change == "stopped":
        instance.triggers.update(listening_since=None)


@receiver(pre_save, sender=Trigger, dispatch_uid="lms_automations.listening.trigger_pre_save")
def _trigger_since(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.automation.status not in LISTENING:
        instance.listening_since = None
        return
    if instance.listening_since is not None and instance.pk:
        stored = Trigger.objects.filter(pk=instance.pk).first()
        if stored is not None and trigger_identity(stored) != trigger_identity(instance):
            instance.listening_since = None  # changed on a live automation: it listens from now
    if instance.listening_since is None:
        instance.listening_since = timezone.now()


@receiver(post_save, sender=Trigger, dispatch_uid="lms_automations.listening.trigger_post_save")
def _trigger_watermarks(sender, instance, raw=False, **kwargs):
    if not raw and instance.listening_since is not None:
        start_watermarks(instance.automation, instance.listening_since, triggers=[instance])


def start_watermarks(automation, moment, *, triggers=None):
    """Give each inactivity threshold ``automation`` asks for (or only ``triggers``) a scan watermark
    at ``moment``, unless it has one (the scan keeps every watermark within a day of its last run)."""
    from .. import scans  # pylint: disable=import-outside-toplevel

    entry = thresholds.threshold_types().get(scans.EVENT_TYPE)
    if entry is None:
        return
    days = _days_asked(automation, entry, triggers)
    if days:
        scans.start_watermarks(days, moment)


def _days_asked(automation, entry, triggers):
    """The inactivity days ``automation``'s rows name (its triggers' and exits' params and filters,
    its event waits' filters, ``event.occurred`` conditions anywhere), plus the operator's defaults
    when any row listens to the type at all."""
    if triggers is not None:
        rows, trees = [(row.event_type, row.params, row.filter) for row in triggers], []
    else:
        steps = list(automation.steps.all())
        rows = [(row.event_type, row.params, row.filter)
                for row in [*automation.triggers.all(), *automation.exit_conditions.all()]]
        rows += [(step.params.get("event"), {}, step.params.get("filter")) for step in steps
                 if step.step_type == "wait" and isinstance(step.params, dict)]
        trees = [step.condition for step in steps]
    days = set()
    for event_type, params, tree in rows:
        if event_type == entry.key:
            days |= thresholds.named_by_row(entry, params, tree) | thresholds.defaults(entry)
        days |= thresholds.named_by_occurred(entry, tree)
    for tree in trees:
        days |= thresholds.named_by_occurred(entry, tree)
    return days
