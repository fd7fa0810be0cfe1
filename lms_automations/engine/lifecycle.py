"""What staff do to automations and runs: activate, deactivate, delete, replay, advance, cancel,
start learners in bulk, and read a run's explanation (SPEC §5.1, §5.10–§5.12, §7.1)."""
from django.db import transaction
from django.utils import timezone

from ..exceptions import InvalidAutomation
from ..host import get_host
from ..models import Automation, Run, RunLog, RunWake, Step
from . import bulk_start
from .definition import dump_document
from .flow import get_step, next_step_id
from .runs import ENDED_STATUSES, add_log, end_run, schedule_wake
from .stepping import advance_run, claim_run
from .validation import validate_document

REPLAYABLE = (Run.STATUS.pending, Run.STATUS.fulfilled, Run.STATUS.failed)
#: Learners started in one transaction (a bulk start's chunk).
CHUNK = 1000
#: Enrolled learners in one range handed to a worker (``tasks.start_learner_range``).
RANGE = 5000


def set_status(automation, status, *, actor=None):
    """Move an automation to ``active`` / ``testing`` (after validation) or ``draft`` / ``inactive``."""
    if status in (Automation.STATUS.active, Automation.STATUS.testing):
        errors = validate_document(dump_document(automation, reveal_secrets=True), automation_id=automation.pk,
                                   actor=actor)
        if errors:
            raise InvalidAutomation(errors)
    if automation.status == Automation.STATUS.finishing:
        raise InvalidAutomation([{"path": "status", "message": "this automation is being deleted; it is read-only"}])
    automation.status = status
    automation.save(update_fields=["status", "modified"])
    return automation


def delete(automation, *, mode="finish"):
    """``finish``: read-only until the last run ends, then removed; ``remove``: cancel runs, remove now."""
    if mode not in ("finish", "remove"):
        raise ValueError("mode must be 'finish' or 'remove'")
    with transaction.atomic():
        open_runs = automation.runs.filter(status__in=Run.OPEN_STATUSES)
        if mode == "remove" or not open_runs.exists():
            for run in open_runs.select_for_update():
                end_run(run, Run.STATUS.cancelled, "the automation was deleted")
            automation.delete()
            return None
        automation.status = Automation.STATUS.finishing
        automation.save(update_fields=["status", "modified"])
    return automation


def cancel(run, *, by=None):
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        if run.status in ENDED_STATUSES:
            return run
        end_run(run, Run.STATUS.cancelled, f"cancelled by {by}" if by else "cancelled by staff")
    return run


def replay(run, from_step=None, *, by=None):
    """Send a pending, fulfilled or failed run through again from ``from_step`` (default: where it is)."""
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        if run.status not in REPLAYABLE:
            raise ValueError(f"a {run.status} run cannot be replayed; replay pending, fulfilled or failed runs")
        step_id = from_step or run.current_step_id
        if step_id and get_step(run.automation_id, step_id) is None:
            raise ValueError(f"the automation has no step {step_id!r}")
        run.status = Run.STATUS.pending
        run.current_step_id = step_id or ""
        run.visit += 1
        run.attempts = 0
        run.ended_at = None
        run.error = ""
        run.awaited_event_type = ""
        run.save()
        add_log(run, RunLog.KIND.staff, f"replayed from {step_id or 'the end'}" + (f" by {by}" if by else ""),
                step_id=step_id)
        schedule_wake(run, timezone.now(), RunWake.REASON.start)
    return run


def advance_waiting(automation, step_id, *, by=None):
    """Move every learner waiting at wait step ``step_id`` on to the next step now; returns the count."""
    return len(advance_waiting_runs(automation, step_id, by=by))


def advance_waiting_runs(automation, step_id, *, by=None):
    """As ``advance_waiting``, returning the ids of the runs moved (each due now)."""
    step = get_step(automation.pk, step_id)
    if step is None or step.step_type != Step.TYPE.wait:
        raise ValueError(f"{step_id!r} is not a wait step of this automation")
    now = timezone.now()
    target = next_step_id(step)
    moved = []
    with transaction.atomic():
        for run in Run.objects.select_for_update().filter(
                automation=automation, status=Run.STATUS.pending, current_step_id=step_id):
            run.current_step_id = target or ""
            run.visit += 1
            run.awaited_event_type = ""
            run.save(update_fields=["current_step_id", "visit", "awaited_event_type", "modified"])
            add_log(run, RunLog.KIND.staff, "advanced past the wait by staff" + (f" ({by})" if by else ""),
                    step_id=step_id, at=now)
            schedule_wake(run, now, RunWake.REASON.start)
            moved.append(run.pk)
    return moved


def preview_start(automation, users):
    """How many of ``users`` would enter now under the entry policy (shown before a bulk start)."""
    from ..models import LearnerEntry  # pylint: disable=import-outside-toplevel

    user_ids = [getattr(user, "pk", user) for user in users]
    entries = {entry.user_id: entry for entry in LearnerEntry.objects.filter(
        automation=automation, user_id__in=user_ids)}
    once = automation.entry_policy == Automation.ENTRY_POLICY.once
    # Staff starts bypass the time-based rules, but "once per learner, ever" still holds.
    return sum(1 for user_id in user_ids if not (once and user_id in entries and entries[user_id].entry_count))


def start_learners(automation, users, *, by="staff", advance=True):
    """Put chosen learners into an automation now (no backfill of past events); returns the runs.

    Started in sets (``bulk_start``), a transaction per chunk. With ``advance`` their first steps
    run here; without, the runs are left due now for the caller to hand to workers."""
    _check_startable(automation)
    user_ids = [getattr(user, "pk", user) for user in users]
    runs = []
    for start in range(0, len(user_ids), CHUNK):
        with transaction.atomic():
            runs += bulk_start.start_chunk(automation, user_ids[start:start + CHUNK], started_by=by).runs
    for run in runs if advance else ():
        claimed = claim_run(run.pk)
        if claimed is not None:
            advance_run(claimed)
    return runs


def start_enrolled_range(automation, after_user_id, upto_user_id, *, by="staff", staff_note="", requested_at=None,
                         chunk=None):
    """Start the learners enrolled in the automation's scope courses whose ids lie in
    ``(after_user_id, upto_user_id]``, under the admin's rules (``bulk_start.Rules.for_staff``;
    learners who entered since ``requested_at`` are already in), one page of ``chunk`` learners per
    transaction; the runs are left due for the tick. Returns
    ``(started, refused)`` counts. Enrolment is read when the chunk starts, not when it was planned:
    a learner who left the course meanwhile is not started."""
    _check_startable(automation)
    rules, host, chunk = bulk_start.Rules.for_staff(automation, requested_at), get_host(), chunk or CHUNK
    started = refused = 0
    after = after_user_id
    while True:
        user_ids = host.enrolled_user_ids_between(automation.scope_courses, after, upto_user_id, limit=chunk)
        if not user_ids:
            return started, refused
        with transaction.atomic():
            outcome = bulk_start.start_chunk(automation, user_ids, started_by=by, rules=rules, staff_note=staff_note)
        started, refused = started + len(outcome.runs), refused + len(outcome.refused)
        if len(user_ids) < chunk:
            return started, refused
        after = user_ids[-1]


def plan_enrolled_ranges(automation, *, size=None, after_user_id=None):
    """Yield ``(after, upto]`` learner-id ranges of about ``size`` enrolled learners each, covering
    every learner enrolled in the automation's scope courses once (keyset pages: flat memory)."""
    host, size = get_host(), size or RANGE
    after = after_user_id
    while True:
        upto = host.enrollment_user_id_bound(after, size, course_keys=automation.scope_courses)
        yield after, upto
        if upto is None:
            return
        after = upto


def _check_startable(automation):
    if automation.status not in (Automation.STATUS.active, Automation.STATUS.testing):
        raise ValueError("activate the automation (or set it to testing) before starting learners")


def explain(run):
    """The run's timeline as plain data: every step reached, every decision and why."""
    return [
        {"at": entry.at.isoformat(), "step_id": entry.step_id, "kind": entry.kind, "message": entry.message,
         "detail": entry.detail}
        for entry in run.log.order_by("at", "id")
    ]
