"""Starting and ending runs: entry policies, the dedupe guard, wake-ups and the timeline.

Entry is decided under a lock on the learner's ``LearnerEntry`` row for the automation, so two
workers that receive the same event at once start one run (SPEC §5.3).
"""
import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..conf import get_setting
from ..happened.recording import record_event, record_new_events
from ..models import Automation, Event, LearnerEntry, Run, RunLog, RunWake
from .entry_periods import period_ends
from .flow import first_step_id
from .sequences import run_sequence, sequence_after, started_event

log = logging.getLogger(__name__)
ENDED_STATUSES = (
    Run.STATUS.fulfilled, Run.STATUS.converted, Run.STATUS.exited, Run.STATUS.failed,
    Run.STATUS.failed_silently, Run.STATUS.cancelled,
)


def add_log(run, kind, message, *, step_id="", detail=None, at=None):
    detail = detail or {}
    event_id = detail.get("event_id") if isinstance(detail.get("event_id"), int) else None
    return RunLog.objects.create(
        run=run, kind=kind, message=message, step_id=step_id or "", detail=detail, at=at or timezone.now(),
        event_id=event_id,
    )


def entry_refusal(automation, entry, now):
    """Why the entry policy keeps the learner out now (None when they may enter)."""
    refusal = entry_refusal_reason(automation, entry, now, _open_run(entry))
    return refusal[1] if refusal else None


def entry_refusal_reason(automation, entry, now, open_run):
    """``(EntryRefusal reason code, message)`` or None; ``open_run`` is the entry's open run, if any."""
    dedupe = datetime.timedelta(seconds=get_setting("DEDUPE_SECONDS"))
    if entry.last_entered_at and now - entry.last_entered_at < dedupe:
        return "guard", f"entered less than {int(dedupe.total_seconds())} s ago"
    policy = automation.entry_policy
    if policy == Automation.ENTRY_POLICY.once and entry.entry_count:
        return "once", "the automation runs once per learner, and this learner has been in it"
    if (policy == Automation.ENTRY_POLICY.once_per and entry.last_entered_at
            and now < (period_ends(automation, entry.last_entered_at) or entry.last_entered_at)):
        return "once_per", "the learner entered within the automation's once-per period"
    if policy == Automation.ENTRY_POLICY.skip_if_active and open_run is not None:
        return "skip_if_active", "the learner is already in this automation"
    return None


def _open_run(entry):
    run = entry.active_run
    return run if run is not None and run.status in Run.OPEN_STATUSES else None


def _locked_entry(automation, user_id):
    """The learner's entry row, locked; created first if missing. An existing row is locked before
    any insert: an insert that meets another transaction's row takes a shared lock on it, and two
    such shared locks upgraded at once deadlock on InnoDB (``entry_locks``)."""
    entries = LearnerEntry.objects.select_for_update().filter(automation=automation, user_id=user_id)
    entry = entries.first()
    if entry is not None:
        return entry
    try:
        with transaction.atomic():
            LearnerEntry.objects.create(automation=automation, user_id=user_id)
    except IntegrityError:
        pass  # another worker created it meanwhile: it exists now
    return entries.get()


def start_run(automation, user_id, *, event=None, trigger_position=None, now=None, is_test=False, started_by=None,
              origin_run=None):
    """Start a run if the entry policy allows; returns ``(run, None)`` or ``(None, reason)``.

    Must be called inside a transaction; the new run is due at once (a ``RunWake``), so a crash
    before it is advanced loses nothing: the tick picks it up. ``origin_run``: the run whose
    ``automation.start`` step starts this one (the new run sees its triggering event as its own,
    and continues its sequence). Records ``automation.started``.
    """
    now = now or timezone.now()
    entry = _locked_entry(automation, user_id)
    reason = entry_refusal(automation, entry, now) if started_by is None else None
    if started_by is not None and automation.entry_policy == Automation.ENTRY_POLICY.once and entry.entry_count:
        reason = "the automation runs once per learner, and this learner has been in it"
    if reason:
        return None, reason
    previous = _open_run(entry)
    if previous is not None:
        if automation.entry_policy != Automation.ENTRY_POLICY.restart and started_by is None:
            previous = None  # each_time / once_per: runs may overlap
        else:
            end_run(previous, Run.STATUS.exited, "restarted: the learner entered the automation again", now=now)
    context = {
        "event_type": event.event_type if event else None,
        "event": dict(event.payload) if event else {},
        "event_id": event.pk if event else None,
    }
    context["sequence"] = sequence_after(context["event_type"], context["event"], automation.pk)
    if origin_run is not None:
        context = {**{name: (origin_run.context or {}).get(name) for name in ("event_type", "event", "event_id")},
                   "started_by_run": origin_run.pk, "sequence": run_sequence(origin_run) + [automation.pk]}
        event_id = origin_run.event_id
    else:
        event_id = event.pk if event else None
    run = Run.objects.create(
        automation=automation,
        user_id=user_id,
        status=Run.STATUS.pending,
        current_step_id=first_step_id(automation.pk) or "",
        trigger_position=trigger_position,
        event_id=event_id,
        context=context,
        is_test=is_test,
        started_at=now,
    )
    entry.entry_count += 1
    entry.first_entered_at = entry.first_entered_at or now
    entry.last_entered_at = now
    entry.active_run = run
    entry.save()
    how = (f"started by {started_by}" if started_by else
           f"started by {event.event_type} (trigger {trigger_position + 1})" if event else "started")
    add_log(run, RunLog.KIND.started, how, at=now, detail={"event_id": event.pk if event else None})
    RunWake.objects.create(run=run, due_at=now, reason=RunWake.REASON.start)  # a new run has no wake-up yet
    record_new_events([started_event(run, now=now, started_by=(
        "automation.start" if origin_run is not None else event.event_type if event else "staff"))])
    return run, None


def schedule_wake(run, due_at, reason):
    RunWake.objects.update_or_create(run=run, defaults={"due_at": due_at, "reason": reason})


def end_run(run, status, message, *, now=None, step_id="", detail=None):
    """End a run with ``status``; emits ``automation.finished`` and finishes a deleted automation."""
    now = now or timezone.now()
    run.status = status
    run.ended_at = now
    run.awaited_event_type = ""
    if status in (Run.STATUS.failed, Run.STATUS.failed_silently):
        run.error = message
    run.save(update_fields=["status", "ended_at", "awaited_event_type", "error", "modified"])
    RunWake.objects.filter(run=run).delete()
    LearnerEntry.objects.filter(active_run=run).update(active_run=None)
    kind = RunLog.KIND.error if status in (Run.STATUS.failed, Run.STATUS.failed_silently) else RunLog.KIND.ended
    add_log(run, kind, message, step_id=step_id or run.current_step_id, detail={"status": status, **(detail or {})},
            at=now)
    record_event(
        "automation.finished",
        user_id=run.user_id,
        payload={"user_id": run.user_id, "automation_id": run.automation_id, "outcome": status},
        occurred_at=now,
        source=Event.SOURCE.plugin,
        idempotency_key=f"automation.finished:{run.pk}:{run.visit}",
    )
    _remove_finished_automation(run.automation_id)


def _remove_finished_automation(automation_id):
    """A deleted automation (``finishing``) is removed once its last learner is through."""
    automation = Automation.objects.filter(pk=automation_id, status=Automation.STATUS.finishing).first()
    if automation and not automation.runs.filter(status__in=Run.OPEN_STATUSES).exists():
        transaction.on_commit(lambda: Automation.objects.filter(
            pk=automation_id, status=Automation.STATUS.finishing).exclude(
            runs__status__in=Run.OPEN_STATUSES).delete())
