"""Taking a set of runs through their steps together (SPEC §5.5–§5.7, §5.14–§5.15).

The stepper advances runs in *rounds*. A round is one transaction: it claims the runs (through
their ``RunWake`` rows: due now, or leased by the tick with the token it hands over), locks them,
and moves each one as far as it can go in memory — branches and waits computed, database-local
actions (``external = False``: tags, points, fields, lists…) executed for the set standing at
them (``execute_many``) or, in a careful round, one by one in a savepoint each — then writes every
step record, timeline row, wake-up and ``ActionExecution`` with a few bulk
statements (``engine.batch``) and commits: a database-local action commits with the record of its
step, exactly once. A run that reaches an external action (webhook, e-mail, host calls) stops
there with its ``ActionExecution`` counted and a lease on its wake; after the commit the calls are
made outside any transaction, at least once, with their ``run:step:visit`` key; the next round
records their results and carries those runs on.

A worker killed anywhere leaves each run at the last step a committed round recorded, leased: the
tick resumes it when the lease runs out. A round that fails is retried run by run, and a run that
still fails is set aside for a retry later (its batch-mates go on).

This module holds the rounds (claiming, locking, the fast and careful passes, setting a poison run
aside); where a run goes next is ``step_moves``', the action steps are ``step_actions``'.
"""
import datetime
import logging

from django.db import transaction
from django.utils import timezone

from ..conf import get_setting
from ..happened.recording import without_savepoints
from ..models import ActionExecution, Run, RunWake
from .batch import Batch
from .context import StepContext
from .errors import EndRun, StepError, TransientError
from .step_actions import DEFERRED, Call, Careful, perform, record_call, record_success, run_action, run_deferred
from .step_moves import as_transient, handle_failure, leave_wait, retry_delay, run_branch, run_wait, step_key
from .trigger_index import definitions

log = logging.getLogger(__name__)
MAX_STEPS_PER_PASS = 250
RUNS_PER_BATCH = 200
#: How many rounds of external calls one pass makes before leaving the runs due for the tick.
MAX_ROUNDS = 20
__all__ = ["advance_run", "advance_runs", "claim_run", "enqueue_resume", "retry_delay"]


def advance_runs(run_ids, *, token=None, now=None):
    """Claim and advance these runs (due now, or leased under ``token``); returns how many were claimed."""
    ordered = sorted(set(run_ids))
    claimed = 0
    for start in range(0, len(ordered), RUNS_PER_BATCH):
        claimed += _advance(ordered[start:start + RUNS_PER_BATCH], token=token, now=now)
    return claimed


def claim_run(run_id, *, token=None, now=None):
    """Whether ``run_id`` is due (or leased under ``token``) and open: the run, else None.

    Kept for callers that claim one run and then advance it: the claim itself is made by
    ``advance_run`` in the transaction of its first step."""
    now = now or timezone.now()
    wake = RunWake.objects.filter(run_id=run_id).first()
    if wake is None or (wake.due_at.isoformat() != token if token else wake.due_at > now):
        return None
    run = Run.objects.filter(pk=run_id, status__in=Run.OPEN_STATUSES).first()
    if run is not None:
        run.claim_token, run.claim_now = token, now
    return run


def advance_run(run, *, now=None):
    """Advance one run from ``claim_run``; returns it as it is afterwards."""
    _advance([run.pk], token=getattr(run, "claim_token", None), now=now or getattr(run, "claim_now", None))
    run.refresh_from_db()
    return run


def _advance(run_ids, *, token, now):
    """Rounds over these runs until none has an external call waiting; returns how many were claimed."""
    calls, claimed = None, 0
    for round_number in range(MAX_ROUNDS):
        try:
            count, calls = _fast_then_careful(run_ids, calls, token=token, now=now, claim=round_number == 0)
        except Exception:  # pylint: disable=broad-except
            if len(run_ids) == 1:
                log.exception("lms_automations: run %s could not be advanced; set aside for a retry", run_ids[0])
                _set_aside(run_ids[0])
                return claimed
            log.exception("lms_automations: a round of %d run(s) failed; advancing them one by one", len(run_ids))
            by_run = {call.run.pk: call for call in calls or ()}
            for run_id in run_ids:
                claimed += _advance_alone(run_id, by_run.get(run_id), token=token, now=now,
                                          claim=round_number == 0)
            return claimed
        if round_number == 0:
            claimed = count
        if not calls:
            return claimed
        for call in calls:
            perform(call)
        run_ids = [call.run.pk for call in calls]
    return claimed


def _advance_alone(run_id, call, *, token, now, claim):
    """A run of a failed round, on its own (its own rounds, its own transactions)."""
    calls = [call] if call else None
    claimed = 0
    for round_number in range(MAX_ROUNDS):
        try:
            count, calls = _fast_then_careful([run_id], calls, token=token, now=now,
                                              claim=claim and round_number == 0)
        except Exception:  # pylint: disable=broad-except
            log.exception("lms_automations: run %s could not be advanced; set aside for a retry", run_id)
            _set_aside(run_id)
            return claimed
        claimed = claimed or count
        if not calls:
            return claimed
        for pending in calls:
            perform(pending)
    return claimed


def _fast_then_careful(run_ids, calls, **kwargs):
    """A round without savepoints (each costs two statements per action); if a database-local action
    fails in it, the round rolls back whole and is done again with a savepoint around each action."""
    try:
        with transaction.atomic(), without_savepoints():
            return _round(run_ids, calls, careful=False, **kwargs)
    except Careful:
        log.info("lms_automations: an action failed in a round of %d run(s); doing it again carefully",
                 len(run_ids))
    with transaction.atomic():
        return _round(run_ids, calls, careful=True, **kwargs)


def _round(run_ids, calls, *, token, now, claim, careful=True):
    """One transaction: claim or re-lock the runs, record last round's calls, step, write."""
    now = now or timezone.now()
    batch = Batch(now=now)
    runs, snapshot = _claim(batch, run_ids, token) if claim else _locked_executing(run_ids)
    by_run = {call.run.pk: call for call in calls or ()}
    executions = _executions(snapshot, runs, by_run)
    lease = now + datetime.timedelta(seconds=get_setting("RUN_LEASE_SECONDS"))
    moving = [run for run in runs if by_run.get(run.pk) is None or record_call(batch, run, by_run[run.pk])]
    waiting = _step_all(batch, snapshot, moving, executions, careful)
    for run in moving:
        if id(run) not in batch.wakes:
            if run.status == Run.STATUS.executing:
                batch.wake(run, lease, RunWake.REASON.start)
            else:
                batch.no_wake(run)
    advanced = {run.pk for run in runs}
    for call in by_run.values():
        if call.run.pk not in advanced and call.error is None:
            record_success(batch, call.execution, call.result)  # done, though the run ended meanwhile
    batch.flush()
    return len(runs), waiting


def _locked_runs(run_ids):
    """The runs, locked, and the definitions snapshot that knows their automations (read from the
    locked rows: no separate read of their automation ids)."""
    runs = list(Run.objects.select_for_update().filter(pk__in=list(run_ids)).order_by("pk"))
    return runs, definitions({run.automation_id for run in runs})


def _claim(batch, run_ids, token):
    """Lock the due wakes and their open runs; step runs past the waits that are over. Returns the
    runs that go on and the definitions snapshot."""
    now = batch.now
    wakes = {wake.run_id: wake for wake in RunWake.objects.select_for_update().filter(run_id__in=run_ids)
             .order_by("run_id")
             if (wake.due_at.isoformat() == token if token else wake.due_at <= now)}
    locked, snapshot = _locked_runs(wakes)
    runs = []
    for run in locked:
        run.automation = snapshot.automation(run.automation_id) or run.automation
        if run.status not in Run.OPEN_STATUSES:
            batch.no_wake(run)
            continue
        reason = wakes[run.pk].reason
        if reason in (RunWake.REASON.wait, RunWake.REASON.timeout) and not leave_wait(batch, snapshot, run, reason):
            continue
        run.status = Run.STATUS.executing
        batch.changed(run)
        runs.append(run)
    return runs, snapshot


def _locked_executing(run_ids):
    """The runs still ours to advance: locked and executing (an exit or staff may have ended one),
    and the definitions snapshot."""
    locked, snapshot = _locked_runs(run_ids)
    runs = []
    for run in locked:
        if run.status != Run.STATUS.executing:
            log.info("lms_automations: run %s is %s; it takes no further step", run.pk, run.status)
            continue
        run.automation = snapshot.automation(run.automation_id) or run.automation
        runs.append(run)
    return runs, snapshot


def _executions(snapshot, runs, calls):
    """The ``ActionExecution`` rows of the action steps the runs stand at (one read)."""
    known = {call.execution.idempotency_key: call.execution for call in calls.values()}
    keys = []
    for run in runs:
        step = snapshot.step(run.automation_id, run.current_step_id)
        if step is not None and step.step_type == "action":
            key = step_key(run, step)
            if key not in known:
                keys.append(key)
    if keys:
        known.update((execution.idempotency_key, execution)
                     for execution in ActionExecution.objects.filter(idempotency_key__in=keys))
    return known


def _step_all(batch, snapshot, runs, executions, careful):
    """Move every run as far as it goes; returns the ``Call``s of the runs at an external action.

    In passes: each run goes on until it waits, ends, reaches an external action or — in a round
    without savepoints — a database-local action with ``execute_many``. Those actions are then run
    for all the runs standing at them, one call per action kind (a few statements for the whole
    set, not a few per run), and the runs go on from there in the next pass."""
    waiting, budget, todo = [], {}, runs
    while todo:
        deferred = None if careful else []
        for run in todo:
            outcome = _step(batch, snapshot, run, executions, careful, budget=budget, deferred=deferred)
            if isinstance(outcome, Call):
                waiting.append(outcome)
        if not deferred:
            return waiting
        run_deferred(batch, deferred)
        todo = [item.run for item in deferred]
    return waiting


def _step(batch, snapshot, run, executions, careful=True, *, budget=None, deferred=None):
    """Move ``run`` as far as it goes in memory; returns a ``Call`` when an external action is next,
    ``DEFERRED`` when it stands at a database-local action left for ``run_deferred``."""
    budget = {} if budget is None else budget
    while budget.setdefault(run.pk, MAX_STEPS_PER_PASS) > 0:
        budget[run.pk] -= 1
        if not run.current_step_id:
            batch.end(run, Run.STATUS.fulfilled, "reached the end of the flow", automation=run.automation)
            return None
        step = snapshot.step(run.automation_id, run.current_step_id)
        if step is None:
            batch.end(run, Run.STATUS.failed, f"step {run.current_step_id!r} no longer exists",
                      automation=run.automation)
            return None
        context = StepContext.for_run(run, now=batch.now)
        try:
            outcome = _STEP_HANDLERS[step.step_type](batch, run, step, context, executions, careful, deferred)
        except Careful:
            raise
        except EndRun as stop:
            batch.end(run, stop.status, stop.message, step_id=step.step_id, automation=run.automation)
            return None
        except StepError as error:
            handle_failure(batch, run, step, error, executions)
            return None
        except Exception as error:  # pylint: disable=broad-except
            # Dropped connections, bugs: retried like a transient error, then failed.
            log.exception("lms_automations: step %s of run %s raised", step.step_id, run.pk)
            handle_failure(batch, run, step, as_transient(error), executions)
            return None
        if outcome is not True:
            return outcome if isinstance(outcome, Call) or outcome is DEFERRED else None
    run.status = Run.STATUS.pending
    batch.changed(run)
    batch.wake(run, batch.now, RunWake.REASON.start)
    return None


_STEP_HANDLERS = {"action": run_action, "branch": run_branch, "wait": run_wait}


def _set_aside(run_id):
    """A run whose round keeps failing (a poison run): counted as a transient failure of its step,
    due again after the backoff, failed after ``RETRY_MAX_ATTEMPTS`` — its batch-mates go on."""
    try:
        with transaction.atomic():
            run = Run.objects.select_for_update().filter(pk=run_id, status__in=Run.OPEN_STATUSES).first()
            if run is None:
                return
            batch = Batch(now=timezone.now())
            step = definitions().step(run.automation_id, run.current_step_id)
            error = TransientError("the step could not be recorded")
            if step is None:
                batch.end(run, Run.STATUS.failed, error.message)
            else:
                handle_failure(batch, run, step, error, {})
            batch.flush()
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: run %s could not be set aside; its lease will bring it back", run_id)



def enqueue_resume(run_ids, token):
    """One Celery task per batch of runs (a task per tiny step would cost more than the step)."""
    from .tick import enqueue_resume as enqueue  # pylint: disable=import-outside-toplevel

    enqueue(run_ids, token)
