"""Taking a set of runs through their steps together (SPEC §5.5–§5.7, §5.14–§5.15).

The stepper advances runs in *rounds*. A round is one transaction: it claims the runs (through
their ``RunWake`` rows: due now, or leased by the tick with the token it hands over), locks them,
and moves each one as far as it can go in memory — branches and waits computed, database-local
actions (``external = False``: tags, points, fields, lists…) executed in a savepoint each — then
writes every step record, timeline row, wake-up and ``ActionExecution`` with a few bulk
statements (``engine.batch``) and commits: a database-local action commits with the record of its
step, exactly once. A run that reaches an external action (webhook, e-mail, host calls) stops
there with its ``ActionExecution`` counted and a lease on its wake; after the commit the calls are
made outside any transaction, at least once, with their ``run:step:visit`` key; the next round
records their results and carries those runs on.

A worker killed anywhere leaves each run at the last step a committed round recorded, leased: the
tick resumes it when the lease runs out. A round that fails is retried run by run, and a run that
still fails is set aside for a retry later (its batch-mates go on).
"""
import dataclasses
import datetime
import logging

from django.db import transaction
from django.utils import timezone

from ..conf import get_setting
from ..happened.recording import without_savepoints
from ..models import ActionExecution, Run, RunLog, RunWake
from .batch import Batch
from .conditions import evaluate_tree
from .context import StepContext
from .errors import EndRun, StepError, TransientError
from .secret_params import masked_params, revealed_step_params
from .trigger_index import definitions

log = logging.getLogger(__name__)
MAX_STEPS_PER_PASS = 250
RUNS_PER_BATCH = 200
#: How many rounds of external calls one pass makes before leaving the runs due for the tick.
MAX_ROUNDS = 20


class _Careful(Exception):
    """A database-local action failed in a round run without savepoints: do the round again with them."""


#: What ``_step`` answers for a run left at a database-local action that runs with its set.
_DEFERRED = object()


@dataclasses.dataclass
class _Local:
    """A database-local action a run stands at, run with the others of its kind (``_run_deferred``)."""

    run: Run
    step: object
    action_class: type
    params: dict
    context: StepContext
    execution: ActionExecution


@dataclasses.dataclass
class _Call:
    """An external action to perform after the round commits, and then its outcome."""

    run: Run
    step: object
    action_class: type
    params: dict
    context: StepContext
    execution: ActionExecution
    result: object = None
    error: StepError = None


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
            _perform(call)
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
            _perform(pending)
    return claimed


def _fast_then_careful(run_ids, calls, **kwargs):
    """A round without savepoints (each costs two statements per action); if a database-local action
    fails in it, the round rolls back whole and is done again with a savepoint around each action."""
    try:
        with transaction.atomic(), without_savepoints():
            return _round(run_ids, calls, careful=False, **kwargs)
    except _Careful:
        log.info("lms_automations: an action failed in a round of %d run(s); doing it again carefully",
                 len(run_ids))
    with transaction.atomic():
        return _round(run_ids, calls, careful=True, **kwargs)


def _round(run_ids, calls, *, token, now, claim, careful=True):
    """One transaction: claim or re-lock the runs, record last round's calls, step, write."""
    now = now or timezone.now()
    automation_ids = set(Run.objects.filter(pk__in=run_ids).values_list("automation_id", flat=True))
    snapshot = definitions(automation_ids)
    batch = Batch(now=now)
    runs = _claim(batch, snapshot, run_ids, token) if claim else _locked_executing(snapshot, run_ids)
    by_run = {call.run.pk: call for call in calls or ()}
    executions = _executions(snapshot, runs, by_run)
    lease = now + datetime.timedelta(seconds=get_setting("RUN_LEASE_SECONDS"))
    moving = [run for run in runs if by_run.get(run.pk) is None or _record_call(batch, run, by_run[run.pk])]
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
            _record_success(batch, call.execution, call.result)  # done, though the run ended meanwhile
    batch.flush()
    return len(runs), waiting


def _claim(batch, snapshot, run_ids, token):
    """Lock the due wakes and their open runs; step runs past the waits that are over."""
    now = batch.now
    wakes = {wake.run_id: wake for wake in RunWake.objects.select_for_update().filter(run_id__in=run_ids)
             .order_by("run_id")
             if (wake.due_at.isoformat() == token if token else wake.due_at <= now)}
    if not wakes:
        return []
    runs = []
    for run in Run.objects.select_for_update().filter(pk__in=list(wakes)).order_by("pk"):
        run.automation = snapshot.automation(run.automation_id) or run.automation
        if run.status not in Run.OPEN_STATUSES:
            batch.no_wake(run)
            continue
        reason = wakes[run.pk].reason
        if reason in (RunWake.REASON.wait, RunWake.REASON.timeout) and not _leave_wait(batch, snapshot, run, reason):
            continue
        run.status = Run.STATUS.executing
        batch.changed(run)
        runs.append(run)
    return runs


def _locked_executing(snapshot, run_ids):
    """The runs still ours to advance: locked and executing (an exit or staff may have ended one)."""
    runs = []
    for run in Run.objects.select_for_update().filter(pk__in=run_ids).order_by("pk"):
        if run.status != Run.STATUS.executing:
            log.info("lms_automations: run %s is %s; it takes no further step", run.pk, run.status)
            continue
        run.automation = snapshot.automation(run.automation_id) or run.automation
        runs.append(run)
    return runs


def _executions(snapshot, runs, calls):
    """The ``ActionExecution`` rows of the action steps the runs stand at (one read)."""
    known = {call.execution.idempotency_key: call.execution for call in calls.values()}
    keys = []
    for run in runs:
        step = snapshot.step(run.automation_id, run.current_step_id)
        if step is not None and step.step_type == "action":
            key = _key(run, step)
            if key not in known:
                keys.append(key)
    if keys:
        known.update((execution.idempotency_key, execution)
                     for execution in ActionExecution.objects.filter(idempotency_key__in=keys))
    return known


def _key(run, step):
    return f"{run.pk}:{step.step_id}:{run.visit}"


def _leave_wait(batch, snapshot, run, reason):
    """Move a run past the wait it was in; False when the run ended there instead."""
    step = snapshot.step(run.automation_id, run.current_step_id)
    if reason == RunWake.REASON.timeout:
        awaited = run.awaited_event_type
        run.awaited_event_type = ""
        if step is not None and (step.params or {}).get("on_timeout") == "end":
            batch.end(run, Run.STATUS.exited, f"no {awaited} event before the timeout", step_id=step.step_id,
                      automation=run.automation)
            return False
        batch.log(run, RunLog.KIND.resumed, f"no {awaited} event before the timeout; continuing",
                  step_id=run.current_step_id)
    else:
        batch.log(run, RunLog.KIND.resumed, "the wait is over", step_id=run.current_step_id)
    _point_to(run, step.next_id if step else None)
    batch.changed(run)
    return True


def _point_to(run, step_id):
    run.current_step_id = step_id or ""
    run.visit += 1
    run.attempts = 0


def _move_on(batch, run, step, target, kind, message, detail=None):
    """Record a finished step and point the run at ``target``."""
    batch.log(run, kind, message, step_id=step.step_id, detail=detail)
    _point_to(run, target)
    batch.changed(run)


def _step_all(batch, snapshot, runs, executions, careful):
    """Move every run as far as it goes; returns the ``_Call``s of the runs at an external action.

    In passes: each run goes on until it waits, ends, reaches an external action or — in a round
    without savepoints — a database-local action with ``execute_many``. Those actions are then run
    for all the runs standing at them, one call per action kind (a few statements for the whole
    set, not a few per run), and the runs go on from there in the next pass."""
    waiting, budget, todo = [], {}, runs
    while todo:
        deferred = None if careful else []
        for run in todo:
            outcome = _step(batch, snapshot, run, executions, careful, budget=budget, deferred=deferred)
            if isinstance(outcome, _Call):
                waiting.append(outcome)
        if not deferred:
            return waiting
        _run_deferred(batch, deferred)
        todo = [item.run for item in deferred]
    return waiting


def _step(batch, snapshot, run, executions, careful=True, *, budget=None, deferred=None):
    """Move ``run`` as far as it goes in memory; returns a ``_Call`` when an external action is next,
    ``_DEFERRED`` when it stands at a database-local action left for ``_run_deferred``."""
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
        except _Careful:
            raise
        except EndRun as stop:
            batch.end(run, stop.status, stop.message, step_id=step.step_id, automation=run.automation)
            return None
        except StepError as error:
            _handle_failure(batch, run, step, error, executions)
            return None
        except Exception as error:  # pylint: disable=broad-except
            # Dropped connections, bugs: retried like a transient error, then failed.
            log.exception("lms_automations: step %s of run %s raised", step.step_id, run.pk)
            _handle_failure(batch, run, step, _as_transient(error), executions)
            return None
        if outcome is not True:
            return outcome if isinstance(outcome, _Call) or outcome is _DEFERRED else None
    run.status = Run.STATUS.pending
    batch.changed(run)
    batch.wake(run, batch.now, RunWake.REASON.start)
    return None


def _as_transient(error):
    return TransientError(f"{type(error).__name__}: {error}")


# --- actions -------------------------------------------------------------------------------------


def _run_action(batch, run, step, context, executions, careful=True, deferred=None):
    from ..catalogue import get_actions  # pylint: disable=import-outside-toplevel

    action_class = get_actions().get(step.kind)
    if action_class is None:
        raise StepError(f"unknown action {step.kind!r}")
    key = _key(run, step)
    context.idempotency_key = key
    params = _rendered_action_params(action_class, step, context)
    execution = executions.get(key)
    if execution is None:
        execution = ActionExecution(run=run, step_id=step.step_id, visit=run.visit, action=step.kind,
                                    idempotency_key=key)
        executions[key] = execution
        batch.new_executions.append(execution)
    elif execution.pk is not None:
        batch.dirty_executions[execution.pk] = execution
    detail = {"params": _loggable(step, params)}
    if execution.status == ActionExecution.STATUS.succeeded:
        result = execution.result
    elif not action_class.external and deferred is not None and action_class.execute_many is not None:
        deferred.append(_Local(run=run, step=step, action_class=action_class, params=params, context=context,
                               execution=execution))
        return _DEFERRED
    elif not action_class.external and careful:
        # Database-local: the effect commits with its record and the move (or goes with its savepoint).
        with transaction.atomic():
            result = action_class().execute(params, context) or {}
    elif not action_class.external:
        try:
            result = action_class().execute(params, context) or {}
        except Exception as error:  # pylint: disable=broad-except
            raise _Careful() from error
    else:
        execution.attempts += 1
        return _Call(run=run, step=step, action_class=action_class, params=params, context=context,
                     execution=execution)
    _record_success(batch, execution, result)
    if action_class.external:
        detail["idempotency_key"] = key
    _move_on(batch, run, step, step.next_id, RunLog.KIND.action, f"{step.kind} done", {**detail, "result":
                                                                                      execution.result})
    return True


def _run_deferred(batch, deferred):
    """The database-local actions the runs of a pass stand at: one ``execute_many`` per kind, in
    the round's transaction (they commit with the records of their steps: exactly once). If one
    raises, the round is done again carefully, each action on its own in a savepoint."""
    by_kind = {}
    for item in deferred:
        by_kind.setdefault(item.action_class, []).append(item)
    for action_class, items in by_kind.items():
        try:
            results = action_class().execute_many([(item.params, item.context) for item in items])
            if len(results) != len(items):
                raise ValueError(f"{action_class.__name__}.execute_many answered {len(results)} of {len(items)}")
        except Exception as error:  # pylint: disable=broad-except
            raise _Careful() from error
        for item, result in zip(items, results, strict=True):
            _record_success(batch, item.execution, result or {})
            _move_on(batch, item.run, item.step, item.step.next_id, RunLog.KIND.action, f"{item.step.kind} done",
                     {"params": _loggable(item.step, item.params), "result": item.execution.result})


def _perform(call):
    """An external action, outside any transaction: at least once, with the key passed on."""
    try:
        call.result = call.action_class().execute(call.params, call.context) or {}
    except StepError as error:
        call.error = error
    except Exception as error:  # pylint: disable=broad-except
        log.exception("lms_automations: step %s of run %s raised", call.step.step_id, call.run.pk)
        call.error = _as_transient(error)


def _record_call(batch, run, call):
    """Record last round's external call on the re-locked run; False when the run stops here."""
    executions = {call.execution.idempotency_key: call.execution}
    if call.execution.pk is not None:
        batch.dirty_executions[call.execution.pk] = call.execution
    if call.error is not None:
        _handle_failure(batch, run, call.step, call.error, executions)
        return False
    _record_success(batch, call.execution, call.result)
    _move_on(batch, run, call.step, call.step.next_id, RunLog.KIND.action, f"{call.step.kind} done",
             {"params": _loggable(call.step, call.params), "result": call.execution.result,
              "idempotency_key": call.execution.idempotency_key})
    return True


def _rendered_action_params(action_class, step, context):
    """The step's params with templates rendered, except those the action renders itself."""
    raw_names = set(getattr(action_class, "raw_params", ()) or ())
    params = revealed_step_params(step, strict=True)  # secrets decrypted only here (ADR 0010)
    rendered = context.render({name: value for name, value in params.items() if name not in raw_names},
                              f"steps.{step.step_id}.params")
    return {name: params[name] if name in raw_names else rendered[name] for name in params}


def _record_success(batch, execution, result):
    execution.status = ActionExecution.STATUS.succeeded
    execution.result = result if isinstance(result, dict) else {"value": result}
    execution.error = ""
    if execution.pk is not None:
        batch.dirty_executions[execution.pk] = execution


def _loggable(step, params):
    """The params as the timeline shows them: every secret param the action declares
    (``secret_params``) and every credential header (``secret_header_params``) masked, as exports
    and the admin show them — the params here are decrypted, and the timeline is staff-visible."""
    return masked_params("action", step.kind, params)


# --- branches ------------------------------------------------------------------------------------


def _run_branch(batch, run, step, context, executions, careful=True, deferred=None):
    evaluation = evaluate_tree(step.condition, context, path=f"steps.{step.step_id}.condition")
    side = "yes" if evaluation.result else "no"
    target = (step.yes_first if evaluation.result else step.no_first) or step.next_id
    _move_on(batch, run, step, target, RunLog.KIND.branch,
             f"condition {'held' if evaluation.result else 'did not hold'} → {side}",
             {**evaluation.as_detail(), "side": side})
    return True


# --- waits ---------------------------------------------------------------------------------------


def _run_wait(batch, run, step, context, executions, careful=True, deferred=None):
    from ..catalogue import get_waits  # pylint: disable=import-outside-toplevel

    wait_class = get_waits().get(step.kind)
    if wait_class is None:
        raise StepError(f"unknown wait {step.kind!r}")
    params = context.render(step.params or {}, f"steps.{step.step_id}.params")
    due_at = wait_class().due_at(params, context)
    awaited = getattr(wait_class, "awaited_event", lambda p: None)(params)
    if awaited:
        run.awaited_event_type = awaited
        run.status = Run.STATUS.pending
        batch.changed(run)
        if due_at:
            batch.wake(run, due_at, RunWake.REASON.timeout)
        else:
            batch.no_wake(run)
        until = f" until {due_at.isoformat()}" if due_at else ""
        batch.log(run, RunLog.KIND.wait, f"waiting for {awaited}{until}", step_id=step.step_id,
                  detail={"event": awaited, "timeout_at": due_at.isoformat() if due_at else None})
        return False
    if due_at is None or due_at <= context.now:
        _move_on(batch, run, step, step.next_id, RunLog.KIND.wait, "the wait was already over",
                 {"due_at": due_at.isoformat() if due_at else None})
        return True
    run.status = Run.STATUS.pending
    batch.changed(run)
    batch.wake(run, due_at, RunWake.REASON.wait)
    batch.log(run, RunLog.KIND.wait, f"waiting until {due_at.isoformat()}", step_id=step.step_id,
              detail={"due_at": due_at.isoformat()})
    return False


_STEP_HANDLERS = {"action": _run_action, "branch": _run_branch, "wait": _run_wait}


# --- failures ------------------------------------------------------------------------------------


def _handle_failure(batch, run, step, error, executions):
    """Fail the run for a permanent error; retry a transient one with exponential backoff."""
    execution = executions.get(_key(run, step))
    if execution is not None and execution.status != ActionExecution.STATUS.succeeded:
        execution.status, execution.error = ActionExecution.STATUS.failed, error.message
        if execution.pk is not None:
            batch.dirty_executions[execution.pk] = execution
    max_attempts = get_setting("RETRY_MAX_ATTEMPTS")
    if error.permanent or run.attempts + 1 >= max_attempts:
        status = Run.STATUS.failed_silently if error.silent else Run.STATUS.failed
        message = error.message if error.permanent else f"gave up after {max_attempts} attempts: {error.message}"
        batch.end(run, status, message, step_id=step.step_id, detail=error.detail, automation=run.automation)
        return
    run.attempts += 1
    delay = error.retry_after or retry_delay(run.attempts)
    run.status = Run.STATUS.pending
    batch.changed(run)
    batch.wake(run, batch.now + datetime.timedelta(seconds=delay), RunWake.REASON.retry)
    batch.log(run, RunLog.KIND.retry, f"{error.message}; retrying in {int(delay)} s (attempt {run.attempts + 1})",
              step_id=step.step_id, detail=error.detail)


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
                _handle_failure(batch, run, step, error, {})
            batch.flush()
    except Exception:  # pylint: disable=broad-except
        log.exception("lms_automations: run %s could not be set aside; its lease will bring it back", run_id)


def retry_delay(attempt):
    """Seconds before retry number ``attempt``: exponential from RETRY_BASE_SECONDS, capped."""
    base = get_setting("RETRY_BASE_SECONDS")
    return min(base * (2 ** (attempt - 1)), get_setting("RETRY_MAX_DELAY_SECONDS"))


def enqueue_resume(run_ids, token):
    """One Celery task per batch of runs (a task per tiny step would cost more than the step)."""
    from .tick import enqueue_resume as enqueue  # pylint: disable=import-outside-toplevel

    enqueue(run_ids, token)
